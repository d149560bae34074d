import Foundation
import Testing
@testable import SDP

@Suite("RFC 4568 a=crypto")
struct SDPCryptoTests {
    @Test("RFC 4568 §9.1 several crypto lines, lifetimes, MKI, session parameters, unknown suites")
    func fixture() throws {
        let sdp = try SessionDescription(parsing: SDPFixtures.bytes("srtp-sdes.sdp"))
        let cryptos = try sdp.media[0].cryptos()
        #expect(cryptos.map(\.tag) == [1, 2, 3, 4, 5])
        #expect(cryptos[0].suite == .aesCM128HMACSHA1_80)
        #expect(cryptos[0].keys[0].keySalt.count == 30)
        #expect(cryptos[0].keys[0].lifetime == .powerOfTwo(20))
        #expect(cryptos[0].keys[0].mki?.value == 1)
        #expect(cryptos[0].keys[0].mki?.length == 4)
        #expect(cryptos[1].sessionParameters == ["UNENCRYPTED_SRTCP"])
        #expect(cryptos[2].suite == .aes256CMHMACSHA1_80)
        #expect(cryptos[2].keys[0].keySalt == Array(0..<46))
        // GCM key written without padding (RFC 7714 §12: 28 bytes of key and salt).
        #expect(cryptos[3].suite == .aeadAES128GCM)
        #expect(cryptos[3].keys[0].keySalt == Array(100..<128))
        #expect(cryptos[4].suite == .unknown("FUTURE_SUITE_9000"))
        #expect(cryptos[4].suite.keySaltLength == nil)
        // Printing keeps the key text as sent, padding included.
        for (line, crypto) in zip(sdp.media[0].lines.filter { $0.valueString.hasPrefix("crypto:") }, cryptos) {
            #expect(line.valueString == "crypto:\(crypto)")
        }
    }

    @Test("RFC 4568 §6.1 several keys with MKIs of one length")
    func multipleKeys() throws {
        let k1 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
        let k2 = "NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj"
        let c = try SDPCrypto("7 AES_CM_128_HMAC_SHA1_80 inline:\(k1)|1048576|1:2;inline:\(k2)|2^20|2:2 KDR=1 WSH=64")
        #expect(c.keys.count == 2)
        #expect(c.keys[0].lifetime == .packets(1_048_576))
        #expect(c.keys[1].mki?.value == 2)
        #expect(c.sessionParameters == ["KDR=1", "WSH=64"])
        #expect(c.description == "7 AES_CM_128_HMAC_SHA1_80 inline:\(k1)|1048576|1:2;inline:\(k2)|2^20|2:2 KDR=1 WSH=64")
        // Two keys without MKIs cannot be told apart.
        #expect(throws: SDPError(.badCrypto)) { try SDPCrypto("7 AES_CM_128_HMAC_SHA1_80 inline:\(k1);inline:\(k2)") }
    }

    @Test("Key length follows the suite (RFC 4568 §6.2, RFC 6188, RFC 7714)")
    func keyLengths() throws {
        for suite: SDPCryptoSuite in [.aesCM128HMACSHA1_80, .aes192CMHMACSHA1_80, .aes256CMHMACSHA1_32, .aeadAES128GCM, .aeadAES256GCM] {
            let length = try #require(suite.keySaltLength)
            let key = SDPCryptoKey(keySalt: Array(repeating: 7, count: length))
            let parsed = try SDPCrypto("1 \(suite) \(key)")
            #expect(parsed.keys[0].keySalt.count == length)
            #expect(throws: SDPError(.badCrypto)) { try SDPCrypto("1 \(suite) \(SDPCryptoKey(keySalt: Array(repeating: 7, count: length - 1)))") }
        }
    }

    @Test("A bare base64 key comes back padded, and only at the suite's length")
    func bareKey() throws {
        let keySalt = (0..<28).map { UInt8($0 * 7 & 0xFF) }  // 28 bytes: base64 ends in "="
        let padded = SDPCryptoKey(keySalt: keySalt).encoded
        #expect(padded.hasSuffix("="))
        let unpadded = String(padded.prefix { $0 != "=" })
        let key = try #require(SDPCryptoKey(base64: unpadded, suite: .aeadAES128GCM))
        #expect(key.keySalt == keySalt)
        #expect(key.encoded == padded)
        #expect(SDPCryptoKey(base64: padded, suite: .aesCM128HMACSHA1_80) == nil)
        #expect(SDPCryptoKey(base64: padded + "!", suite: .aeadAES128GCM) == nil)
        #expect(SDPCryptoKey(base64: "", suite: .unknown("X")) == nil)
    }

    @Test("Malformed crypto attributes", arguments: [
        "", "1", "1 AES_CM_128_HMAC_SHA1_80", "x AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
        "1234567890 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
        "1 AES_CM_128_HMAC_SHA1_80 key:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGV!",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^99",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1:0",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1:129",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|256:1",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1:4|2^20",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|2^20",
        "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|0",
    ])
    func malformed(_ value: String) {
        #expect(throws: SDPError(.badCrypto)) { try SDPCrypto(value) }
    }

    @Test("Base64 with and without padding decodes alike")
    func base64Padding() throws {
        for n in 0..<20 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 37) }
            let padded = Base64.encode(bytes)
            #expect(Base64.decode(padded[...]) == bytes)
            #expect(Base64.decode(Substring(padded.replacingOccurrences(of: "=", with: ""))) == bytes)
        }
        #expect(Base64.decode("A") == nil)
        #expect(Base64.decode("AB=") == nil)
    }
}
