/// Which header pair carries the exchange: a registrar or UAS challenges with 401 and
/// `WWW-Authenticate`, a proxy with 407 and `Proxy-Authenticate` (RFC 3261 §22.2, §22.3).
public enum DigestChallengeRole: Sendable, Hashable {
    case server
    case proxy

    public var statusCode: Int {
        switch self {
        case .server: 401
        case .proxy: 407
        }
    }

    public var challengeHeaderName: String {
        switch self {
        case .server: "WWW-Authenticate"
        case .proxy: "Proxy-Authenticate"
        }
    }

    public var credentialsHeaderName: String {
        switch self {
        case .server: "Authorization"
        case .proxy: "Proxy-Authorization"
        }
    }
}

/// One `WWW-Authenticate` / `Proxy-Authenticate` challenge (RFC 7616 §3.3). A response carries one
/// per offered algorithm; RFC 7616 §3.7 and RFC 8760 §2.4: the preferred (strongest) first.
public struct DigestChallenge: Sendable, Hashable {
    public var realm: [UInt8]
    public var nonce: [UInt8]
    public var algorithm: DigestAlgorithm
    public var opaque: [UInt8]?
    /// RFC 7616 §3.3: the previous nonce was valid but expired; the client may retry with this one
    /// without asking the user again.
    public var stale: Bool

    public init(realm: [UInt8], nonce: [UInt8], algorithm: DigestAlgorithm, opaque: [UInt8]? = nil,
                stale: Bool = false) {
        self.realm = realm
        self.nonce = nonce
        self.algorithm = algorithm
        self.opaque = opaque
        self.stale = stale
    }

    /// SHA-256 first, then MD5 for the phones that know nothing else (RFC 8760 §2.4).
    public static let defaultAlgorithms: [DigestAlgorithm] = [.sha256, .md5]

    /// The challenges of one 401/407, in the order given, sharing one nonce.
    public static func challenges(realm: [UInt8], nonce: [UInt8], algorithms: [DigestAlgorithm] = defaultAlgorithms,
                                  opaque: [UInt8]? = nil, stale: Bool = false) -> [DigestChallenge] {
        algorithms.map { DigestChallenge(realm: realm, nonce: nonce, algorithm: $0, opaque: opaque, stale: stale) }
    }

    /// Appends the header value, e.g.
    /// `Digest realm="example.com", nonce="…", algorithm=SHA-256, qop="auth"`.
    public func serialize(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: "Digest realm=".utf8)
        Self.appendQuoted(realm, to: &buffer)
        buffer.append(contentsOf: ", nonce=".utf8)
        Self.appendQuoted(nonce, to: &buffer)
        if let opaque {
            buffer.append(contentsOf: ", opaque=".utf8)
            Self.appendQuoted(opaque, to: &buffer)
        }
        if stale {
            buffer.append(contentsOf: ", stale=true".utf8)
        }
        buffer.append(contentsOf: ", algorithm=".utf8)
        buffer.append(contentsOf: algorithm.token.utf8)
        // Only qop=auth is offered: Palisade does not hash bodies (auth-int).
        buffer.append(contentsOf: ", qop=\"auth\"".utf8)
    }

    public var headerValue: [UInt8] {
        var buffer: [UInt8] = []
        serialize(into: &buffer)
        return buffer
    }

    static func appendQuoted(_ value: [UInt8], to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for byte in value {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                buffer.append(UInt8(ascii: "\\"))
            }
            buffer.append(byte)
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
