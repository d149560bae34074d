import SRTP
import Testing

@Suite("Suites and master keys")
struct SRTPKeyTests {
    @Test("RFC 4568 §6.2 / RFC 6188 §3 / RFC 7714 §14.2 names, key, salt and tag lengths")
    func catalogue() {
        let rows: [(SRTPSuite, String, Int, Int, Int, Int)] = [
            (.aesCM128HmacSHA1_80, "AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10),
            (.aesCM128HmacSHA1_32, "AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10),
            (.aeadAES128GCM, "AEAD_AES_128_GCM", 16, 12, 16, 16),
            (.aeadAES256GCM, "AEAD_AES_256_GCM", 32, 12, 16, 16),
            (.aesCM256HmacSHA1_80, "AES_256_CM_HMAC_SHA1_80", 32, 14, 10, 10),
        ]
        #expect(rows.map(\.0) == SRTPSuite.allCases)
        for (suite, name, key, salt, rtpTag, rtcpTag) in rows {
            #expect(suite.sdesName == name)
            #expect(SRTPSuite(sdesName: name) == suite)
            #expect(suite.keyLength == key && suite.saltLength == salt, "\(name)")
            #expect(suite.rtpOverhead == rtpTag && suite.rtcpOverhead == 4 + rtcpTag, "\(name)")
        }
        #expect(SRTPSuite(sdesName: "aes_cm_128_hmac_sha1_80") == nil, "RFC 4568 §9.2: case-sensitive")
        #expect(SRTPSuite(sdesName: "F8_128_HMAC_SHA1_80") == nil)
        #expect(SRTPSuite.maximumRTPOverhead == 16)
        #expect(SRTPSuite.maximumRTCPOverhead == 20)
    }

    @Test("RFC 4648 §10 base64 test vectors, both ways")
    func base64Vectors() throws {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(try Base64.decode(encoded) == Array(plain.utf8))
        }
        let all = (0...255).map { UInt8($0) }
        #expect(try Base64.decode(Base64.encode(all)) == all)
    }

    @Test("Base64 refuses what another implementation might read differently")
    func base64Refusals() {
        #expect(throws: Base64.DecodingError.length(3)) { try Base64.decode("Zm9") }
        #expect(throws: Base64.DecodingError.length(2)) { try Base64.decode("Zg") }
        #expect(throws: Base64.DecodingError.character(offset: 2)) { try Base64.decode("Zm 9") }
        #expect(throws: Base64.DecodingError.character(offset: 1)) { try Base64.decode("Z=9v") }
        #expect(throws: Base64.DecodingError.character(offset: 2)) { try Base64.decode("Zg==Zm9v") }
        #expect(throws: Base64.DecodingError.character(offset: 3)) { try Base64.decode("Zm=v") }
        #expect(throws: Base64.DecodingError.trailingBits(offset: 1)) { try Base64.decode("Zh==") }
        #expect(throws: Base64.DecodingError.trailingBits(offset: 2)) { try Base64.decode("Zm9=") }
        #expect(throws: Base64.DecodingError.character(offset: 3)) { try Base64.decode("Zm9-") }
    }

    @Test("RFC 4568 §6.1 inline key: the example key||salt decodes to 30 bytes and encodes back")
    func rfc4568Example() throws {
        // RFC 4568 §4 example: a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4
        let text = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
        let key = try SRTPMasterKey(suite: .aesCM128HmacSHA1_80, sdesInlineKeySalt: text)
        #expect(key.keySalt.count == 30)
        #expect(key.sdesInlineKeySalt == text)
        #expect(String(decoding: key.keySalt, as: UTF8.self).hasPrefix("YS___semctl"))
        #expect(throws: SRTPMasterKey.Error.length(suite: .aeadAES128GCM, expected: 28, actual: 30)) {
            try SRTPMasterKey(suite: .aeadAES128GCM, sdesInlineKeySalt: text)
        }
        #expect(throws: SRTPMasterKey.Error.base64(.length(39))) {
            try SRTPMasterKey(suite: .aesCM128HmacSHA1_80, sdesInlineKeySalt: text.dropLast())
        }
    }

    @Test("Fresh keys: the suite's length, distinct, and their inline form round-trips (40/40/40/60/64 characters)", arguments: SRTPSuite.allCases)
    func randomKeys(suite: SRTPSuite) throws {
        let keys = (0..<8).map { _ in SRTPMasterKey.random(for: suite) }
        #expect(Set(keys).count == keys.count)
        for key in keys {
            #expect(key.keySalt.count == suite.masterKeySaltLength)
            #expect(key.key.count == suite.keyLength && key.salt.count == suite.saltLength)
            let inline = key.sdesInlineKeySalt
            #expect(inline.utf8.count == (suite.masterKeySaltLength + 2) / 3 * 4)
            #expect(try SRTPMasterKey(suite: suite, sdesInlineKeySalt: inline) == key)
        }
        let expectedLength = [SRTPSuite.aesCM128HmacSHA1_80: 40, .aesCM128HmacSHA1_32: 40, .aeadAES128GCM: 40, .aeadAES256GCM: 60, .aesCM256HmacSHA1_80: 64]
        #expect(keys[0].sdesInlineKeySalt.utf8.count == expectedLength[suite])
    }

    @Test("A given generator fills a key 8 bytes per draw, low byte first")
    func drawn() {
        struct Counting: RandomNumberGenerator {
            var draws: UInt64 = 0
            mutating func next() -> UInt64 {
                draws += 1
                return draws &* 0x0101_0101_0101_0101
            }
        }
        var generator = Counting()
        let key = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80, using: &generator)
        #expect(generator.draws == 4)
        #expect(key.keySalt == (1...4).flatMap { draw in [UInt8](repeating: UInt8(draw), count: draw < 4 ? 8 : 6) })
    }

    @Test("A key's description never shows key material")
    func redacted() {
        let key = SRTPMasterKey.random(for: .aeadAES256GCM)
        #expect("\(key)" == "SRTPMasterKey(AEAD_AES_256_GCM, <redacted>)")
    }
}

@Suite("libsrtp2 build")
struct SRTPLibraryTests {
    @Test("The build description names the version, the backend and the linkage")
    func buildDescription() {
        let description = SRTPLibrary.buildDescription
        #expect(description.hasPrefix("libsrtp2 2."))
        #expect(description.contains("\(SRTPLibrary.cryptoBackend) backend"))
        // The static build is scripts/build-libsrtp's, on OpenSSL; the shared one is Debian's, on NSS.
        #expect(SRTPLibrary.cryptoBackend == (SRTPLibrary.isStaticallyLinked ? "openssl" : "nss"))
        // ...with Palisade's allocation-free HMAC-SHA1 (scripts/libsrtp/hmac_ossl.c) in place.
        #expect(SRTPLibrary.hasPrecomputedHMAC == SRTPLibrary.isStaticallyLinked, "\(description)")
    }

    @Test("Every suite in the catalogue is available in the linked libsrtp2", arguments: SRTPSuite.allCases)
    func suiteAvailable(suite: SRTPSuite) throws {
        _ = try SRTPContext(key: .random(for: suite), direction: .inbound)
        _ = try SRTPContext(key: .random(for: suite), direction: .outbound)
    }
}
