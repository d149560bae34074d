/// The digest algorithms Palisade speaks (RFC 7616 §3.3, RFC 8760 §2). SHA-512-256 is left out: no
/// SIP phone we know of offers it.
public enum DigestAlgorithm: Sendable, Hashable, CaseIterable {
    case md5
    case md5Session
    case sha256
    case sha256Session

    /// The hash under the algorithm; `-sess` variants differ only in how HA1 is formed.
    public enum Hash: Sendable, Hashable, CaseIterable {
        case md5
        case sha256

        public var token: String {
            switch self {
            case .md5: "MD5"
            case .sha256: "SHA-256"
            }
        }

        public init?(token: some Collection<UInt8>) {
            if asciiCaseInsensitiveEquals(token, Hash.md5.token.utf8) {
                self = .md5
            } else if asciiCaseInsensitiveEquals(token, Hash.sha256.token.utf8) {
                self = .sha256
            } else {
                return nil
            }
        }

        /// Lower-case hex of the digest of `bytes`: RFC 7616 §3.4's H(), KD() and the stored HA1.
        public func hexDigest(_ bytes: some Collection<UInt8>) -> [UInt8] {
            switch self {
            case .md5: Hex.encode(MD5.hash(bytes))
            case .sha256: Hex.encode(SHA256.hash(bytes))
            }
        }

        public var hexDigestLength: Int {
            switch self {
            case .md5: MD5.digestByteCount * 2
            case .sha256: SHA256.digestByteCount * 2
            }
        }
    }

    public var hash: Hash {
        switch self {
        case .md5, .md5Session: .md5
        case .sha256, .sha256Session: .sha256
        }
    }

    public var isSession: Bool {
        switch self {
        case .md5, .sha256: false
        case .md5Session, .sha256Session: true
        }
    }

    /// The token on the wire (RFC 7616 §3.3 `algorithm`), compared case-insensitively on input.
    public var token: String {
        switch self {
        case .md5: "MD5"
        case .md5Session: "MD5-sess"
        case .sha256: "SHA-256"
        case .sha256Session: "SHA-256-sess"
        }
    }

    public init?(token: some Collection<UInt8>) {
        guard let match = Self.allCases.first(where: { asciiCaseInsensitiveEquals(token, $0.token.utf8) }) else {
            return nil
        }
        self = match
    }
}

func asciiCaseInsensitiveEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return zip(lhs, rhs).allSatisfy { asciiLowercased($0) == asciiLowercased($1) }
}

func asciiLowercased(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
}
