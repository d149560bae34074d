import SRTP
import Testing

/// RFC test vectors. libsrtp2 does not expose its keystream or key derivation, so each RFC vector
/// first checks the independent reference (ReferenceSRTP, over OpenSSL's primitives), and then
/// libsrtp2's protect output is compared byte for byte with the reference's for the same master key.
@Suite("RFC test vectors")
struct RFCVectorTests {
    /// The keystream blocks a fixture lists as `block-XXXX` (hex block number).
    private static func checkKeystream(_ fixture: Fixture) throws {
        let key = try fixture.bytes("session-key")
        let iv = try fixture.bytes("session-salt") + [0, 0]
        for block in ["0000", "0001", "0002", "FEFF", "FF00", "FF01"] {
            let number = Int(block, radix: 16)!
            let expected = try fixture.bytes("block-\(block)")
            let actual = ReferenceSRTP.aesCMKeystream(key: key, iv: iv, firstBlock: number, length: 16)
            #expect(Hex.encode(actual) == Hex.encode(expected), "\(fixture.name) block \(block)")
        }
    }

    private static func checkDerivation(_ fixture: Fixture) throws {
        let masterKey = try fixture.bytes("master-key")
        let masterSalt = try fixture.bytes("master-salt")
        let cipherKey = try fixture.bytes("cipher-key")
        let derive = { (label: ReferenceSRTP.Label, length: Int) in
            Hex.encode(ReferenceSRTP.derive(masterKey: masterKey, masterSalt: masterSalt, label: label, length: length))
        }
        #expect(derive(.rtpEncryption, cipherKey.count) == Hex.encode(cipherKey))
        #expect(derive(.rtpSalt, 14) == Hex.encode(try fixture.bytes("cipher-salt")))
        #expect(derive(.rtpAuthentication, 20) == Hex.encode(try fixture.bytes("auth-key")))
    }

    /// libsrtp2 protects RTP and RTCP exactly as the reference does, for `master`, across a
    /// rollover (seq 65534, 65535, 0, 1: ROC 0, 0, 1, 1) and for several SRTCP packets.
    private static func checkLibraryAgainstReference(_ master: SRTPMasterKey) throws {
        let context = try SRTPContext(key: master, direction: .outbound)
        let rtpKeys = ReferenceSRTP.sessionKeys(master)
        for (seq, roc) in [(UInt16(65534), UInt32(0)), (65535, 0), (0, 1), (1, 1)] {
            let plain = TestPacket.rtp(seq: seq, timestamp: 160 * UInt32(seq), payload: TestPacket.payload(seq, count: 37))
            var packet = PacketBuffer(plain)
            try packet.protectRTP(context)
            let expected = ReferenceSRTP.protectRTP(plain, keys: rtpKeys, suite: master.suite, roc: roc)
            #expect(Hex.encode(packet.bytes) == Hex.encode(expected), "\(master.suite) RTP seq \(seq) ROC \(roc)")
        }
        let rtcpKeys = ReferenceSRTP.sessionKeys(master, rtcp: true)
        for count in UInt32(1)...3 {
            let plain = TestPacket.senderReport(packets: count)
            var packet = PacketBuffer(plain)
            try packet.protectRTCP(context)
            // The E flag and SRTCP index: before the HMAC tag (RFC 3711 §3.4), or last after the
            // GCM tag (RFC 7714 §17).
            let trailer = master.suite.isAEAD
                ? packet.bytes.suffix(4) : packet.bytes.dropLast(master.suite.rtcpTagLength).suffix(4)
            let index = trailer.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
            #expect(index == count, "SRTCP indexes count from 1")
            let expected = ReferenceSRTP.protectRTCP(plain, keys: rtcpKeys, suite: master.suite, index: index)
            #expect(Hex.encode(packet.bytes) == Hex.encode(expected), "\(master.suite) SRTCP index \(index)")
        }
    }

    @Test("RFC 3711 §B.2 AES-CM keystream (reference AES-CM)")
    func rfc3711KeystreamB2() throws {
        try Self.checkKeystream(Fixture("rfc3711-b2-aes-cm-keystream.txt"))
    }

    @Test("RFC 3711 §B.3 key derivation (reference PRF)")
    func rfc3711KeyDerivationB3() throws {
        try Self.checkDerivation(Fixture("rfc3711-b3-key-derivation.txt"))
    }

    @Test("RFC 3711 §B.3 master key: libsrtp2 protect equals the reference", arguments: [
        SRTPSuite.aesCM128HmacSHA1_80, .aesCM128HmacSHA1_32,
    ])
    func rfc3711LibraryMatchesReference(suite: SRTPSuite) throws {
        let fixture = try Fixture("rfc3711-b3-key-derivation.txt")
        let master = try SRTPMasterKey(suite: suite, key: fixture.bytes("master-key"), salt: fixture.bytes("master-salt"))
        try Self.checkLibraryAgainstReference(master)
    }

    @Test("RFC 3711 §B.2 first keystream block: libsrtp2 encrypts zeros under SSRC 0, index 0 to the keystream")
    func rfc3711ZeroPacketIsKeystream() throws {
        let fixture = try Fixture("rfc3711-b3-key-derivation.txt")
        let master = try SRTPMasterKey(suite: .aesCM128HmacSHA1_80, key: fixture.bytes("master-key"), salt: fixture.bytes("master-salt"))
        let context = try SRTPContext(key: master, direction: .outbound)
        var packet = PacketBuffer(TestPacket.rtp(seq: 0, ssrc: 0, payload: [UInt8](repeating: 0, count: 48)))
        try packet.protectRTP(context)
        // With SSRC and index zero the IV is the session salt shifted, as in §B.2.
        let keystream = ReferenceSRTP.aesCMKeystream(
            key: try fixture.bytes("cipher-key"), iv: try fixture.bytes("cipher-salt") + [0, 0], length: 48)
        #expect(Hex.encode(packet.bytes[12..<60]) == Hex.encode(keystream))
    }

    @Test("RFC 6188 §7.1 AES-256-CM keystream (reference AES-CM)")
    func rfc6188Keystream() throws {
        try Self.checkKeystream(Fixture("rfc6188-aes-256-cm.txt"))
    }

    @Test("RFC 6188 §7.2 AES-256 key derivation (reference PRF)")
    func rfc6188KeyDerivation() throws {
        try Self.checkDerivation(Fixture("rfc6188-aes-256-kdf.txt"))
    }

    @Test("RFC 6188 §7.2 master key: libsrtp2 AES_256_CM_HMAC_SHA1_80 protect equals the reference")
    func rfc6188LibraryMatchesReference() throws {
        let fixture = try Fixture("rfc6188-aes-256-kdf.txt")
        let master = try SRTPMasterKey(suite: .aesCM256HmacSHA1_80, key: fixture.bytes("master-key"), salt: fixture.bytes("master-salt"))
        try Self.checkLibraryAgainstReference(master)
    }

    @Test("RFC 7714 §16.1.1 AEAD_AES_128_GCM SRTP packet (reference GCM)")
    func rfc7714RTPPacket() throws {
        let fixture = try Fixture("rfc7714-aead-aes-128-gcm.txt")
        let keys = ReferenceSRTP.SessionKeys(
            cipherKey: try fixture.bytes("session-key"), cipherSalt: try fixture.bytes("session-salt"), authKey: [])
        let protected = ReferenceSRTP.protectRTP(
            try fixture.bytes("rtp-plain"), keys: keys, suite: .aeadAES128GCM, roc: try fixture.uint32("rtp-roc"))
        #expect(Hex.encode(protected) == Hex.encode(try fixture.bytes("rtp-protected")))
    }

    @Test("RFC 7714 §17.1 AEAD_AES_128_GCM SRTCP packet (reference GCM)")
    func rfc7714RTCPPacket() throws {
        let fixture = try Fixture("rfc7714-aead-aes-128-gcm.txt")
        let keys = ReferenceSRTP.SessionKeys(
            cipherKey: try fixture.bytes("session-key"), cipherSalt: try fixture.bytes("session-salt"), authKey: [])
        let protected = ReferenceSRTP.protectRTCP(
            try fixture.bytes("rtcp-plain"), keys: keys, suite: .aeadAES128GCM, index: try fixture.uint32("rtcp-index"))
        #expect(Hex.encode(protected) == Hex.encode(try fixture.bytes("rtcp-protected")))
    }

    @Test("RFC 7714 §11 AEAD_AES_128_GCM / AEAD_AES_256_GCM: libsrtp2 protect equals the reference", arguments: [
        SRTPSuite.aeadAES128GCM, .aeadAES256GCM,
    ])
    func rfc7714LibraryMatchesReference(suite: SRTPSuite) throws {
        // RFC 7714 gives no master-key vectors; use a fixed key||salt of the suite's length.
        let keySalt = (0..<suite.masterKeySaltLength).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 3) }
        try Self.checkLibraryAgainstReference(SRTPMasterKey(suite: suite, keySalt: keySalt))
    }
}
