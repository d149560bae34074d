/// The `Authorization` / `Proxy-Authorization` credentials of RFC 7616 §3.4 as SIP uses them
/// (RFC 3261 §22.4, RFC 8760). Values are unquoted and unescaped bytes.
public struct DigestCredentials: Sendable, Hashable {
    public var username: [UInt8]
    public var realm: [UInt8]
    public var nonce: [UInt8]
    /// The digest-uri exactly as the client hashed it; it must equal the Request-URI.
    public var uri: [UInt8]
    /// The response as sent (hex; compared case-insensitively).
    public var response: [UInt8]
    /// RFC 7616 §3.4: MD5 when the parameter is absent.
    public var algorithm: DigestAlgorithm
    /// Only `auth` is ever accepted; nil when the client sent no qop (RFC 2069 style).
    public var qop: Qop?
    /// The nonce count as sent (eight hex digits): the response hashes these bytes, not the number.
    public var nonceCountText: [UInt8]?
    public var nonceCount: UInt32?
    public var cnonce: [UInt8]?
    public var opaque: [UInt8]?

    public enum Qop: Sendable, Hashable {
        case auth

        public var token: String { "auth" }
    }

    public init(username: [UInt8], realm: [UInt8], nonce: [UInt8], uri: [UInt8], response: [UInt8],
                algorithm: DigestAlgorithm = .md5, qop: Qop? = nil, nonceCountText: [UInt8]? = nil,
                cnonce: [UInt8]? = nil, opaque: [UInt8]? = nil) {
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response
        self.algorithm = algorithm
        self.qop = qop
        self.nonceCountText = nonceCountText
        self.nonceCount = nonceCountText.flatMap { Self.parseNonceCount($0) }
        self.cnonce = cnonce
        self.opaque = opaque
    }

    static func parseNonceCount(_ text: some Collection<UInt8>) -> UInt32? {
        guard text.count == 8 else { return nil }
        var value: UInt32 = 0
        for character in text {
            guard let nibble = Hex.nibble(character) else { return nil }
            value = value << 4 | UInt32(nibble)
        }
        return value
    }
}
