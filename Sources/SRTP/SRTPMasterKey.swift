/// The master key and master salt of one SRTP direction (RFC 3711 §8.2), for one suite: the bytes
/// key||salt, as an SDES inline key carries them (RFC 4568 §6.1) and libsrtp2 expects them.
///
/// Its description names the suite only: key material never reaches a log through interpolation.
public struct SRTPMasterKey: Hashable, Sendable {
    public let suite: SRTPSuite
    /// key||salt, exactly `suite.masterKeySaltLength` bytes.
    public let keySalt: [UInt8]

    public enum Error: Swift.Error, Equatable, Sendable {
        /// key||salt of the wrong length for the suite.
        case length(suite: SRTPSuite, expected: Int, actual: Int)
        /// The SDES inline key is not valid padded base64.
        case base64(Base64.DecodingError)
    }

    /// Key material from key||salt bytes.
    public init(suite: SRTPSuite, keySalt: [UInt8]) throws(Error) {
        guard keySalt.count == suite.masterKeySaltLength else {
            throw .length(suite: suite, expected: suite.masterKeySaltLength, actual: keySalt.count)
        }
        self.suite = suite
        self.keySalt = keySalt
    }

    /// Key material from a separate key and salt.
    public init(suite: SRTPSuite, key: [UInt8], salt: [UInt8]) throws(Error) {
        guard key.count == suite.keyLength, salt.count == suite.saltLength else {
            throw .length(suite: suite, expected: suite.masterKeySaltLength, actual: key.count + salt.count)
        }
        try self.init(suite: suite, keySalt: key + salt)
    }

    /// Fresh key material from the system CSPRNG (`SystemRandomNumberGenerator`: getrandom(2) on
    /// Linux). RFC 4568 §6.1 and RFC 3711 §8.2: master keys must be random and never reused.
    public static func random(for suite: SRTPSuite) -> SRTPMasterKey {
        var generator = SystemRandomNumberGenerator()
        return random(for: suite, using: &generator)
    }

    /// Key material from the given generator (tests pass a seeded one; production must not), 8
    /// bytes per draw: the system generator makes a getrandom(2) per draw, and palisade-media makes
    /// a key for every SRTP leg it answers (it drew per byte, 30 system calls per key).
    public static func random(for suite: SRTPSuite, using generator: inout some RandomNumberGenerator) -> SRTPMasterKey {
        var bytes = [UInt8](repeating: 0, count: suite.masterKeySaltLength)
        var word: UInt64 = 0
        for index in bytes.indices {
            if index % 8 == 0 { word = generator.next() }
            bytes[index] = UInt8(truncatingIfNeeded: word)
            word >>= 8
        }
        // The length is the suite's by construction.
        return SRTPMasterKey(unchecked: suite, keySalt: bytes)
    }

    private init(unchecked suite: SRTPSuite, keySalt: [UInt8]) {
        self.suite = suite
        self.keySalt = keySalt
    }

    /// The master key.
    public var key: ArraySlice<UInt8> { keySalt[..<suite.keyLength] }
    /// The master salt.
    public var salt: ArraySlice<UInt8> { keySalt[suite.keyLength...] }

    /// The key-salt of an SDES inline key (RFC 4568 §6.1): base64 of key||salt, with padding.
    public var sdesInlineKeySalt: String { Base64.encode(keySalt) }

    /// Key material from the key-salt of an SDES inline key (the part between `inline:` and any `|`).
    public init(suite: SRTPSuite, sdesInlineKeySalt text: some StringProtocol) throws(Error) {
        let bytes: [UInt8]
        do {
            bytes = try Base64.decode(text)
        } catch {
            throw .base64(error)
        }
        try self.init(suite: suite, keySalt: bytes)
    }
}

extension SRTPMasterKey: CustomStringConvertible {
    public var description: String { "SRTPMasterKey(\(suite.sdesName), <redacted>)" }
}
