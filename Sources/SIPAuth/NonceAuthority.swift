/// Mints and checks stateless nonces (RFC 7616 §3.3 leaves their form to the server; §5.4 and
/// §5.5 ask that they be unforgeable and bound to time, and optionally to the client).
///
/// A nonce is 64 lower-case hex characters: the issue time (8 bytes, milliseconds), a salt the shell
/// draws at random (8 bytes, so two nonces in the same millisecond differ), and the first 16 bytes
/// of HMAC-SHA-256(secret, "palisade-nonce-v1" ‖ time ‖ salt ‖ client address). The secret is drawn
/// per process, so a restart invalidates every outstanding nonce (clients just get a fresh 401).
public struct NonceAuthority: Sendable {
    public static let nonceLength = 64
    static let macByteCount = 16
    private static let domain = Array("palisade-nonce-v1".utf8)

    private let secret: [UInt8]
    public let lifetime: Duration

    /// - Parameter secret: at least 16 random bytes, drawn once per process by the shell.
    public init(secret: [UInt8], lifetime: Duration = .seconds(300)) {
        precondition(secret.count >= 16, "a nonce secret needs at least 128 bits")
        self.secret = secret
        self.lifetime = lifetime
    }

    public enum Check: Sendable, Hashable {
        case valid(issuedAt: AuthInstant)
        /// Genuine, but older than the lifetime: answer with a fresh nonce and `stale=true`.
        case expired(issuedAt: AuthInstant)
        /// Not minted by this process with this client address (or from the future): forged,
        /// from before a restart, or presented from another address.
        case invalid
    }

    /// - Parameter clientAddress: the bytes the nonce is bound to (the source IP as text, say);
    ///   empty to bind to nothing. Bind to the IP only: a NAT may move the port between requests.
    public func mint(now: AuthInstant, salt: UInt64, clientAddress: some Collection<UInt8> = [UInt8]()) -> [UInt8] {
        var body = Self.bigEndian(now.milliseconds)
        body.append(contentsOf: Self.bigEndian(salt))
        var nonce = Hex.encode(body)
        nonce.append(contentsOf: Hex.encode(mac(body: body, clientAddress: clientAddress)))
        return nonce
    }

    public func check(_ nonce: some Collection<UInt8>, now: AuthInstant,
                      clientAddress: some Collection<UInt8> = [UInt8]()) -> Check {
        guard nonce.count == Self.nonceLength, let raw = Hex.decode(nonce) else { return .invalid }
        // Only lower-case hex is minted; accepting upper case would make two spellings of one nonce
        // and so two entries in the replay table.
        guard nonce.allSatisfy({ !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }) else { return .invalid }
        let body = Array(raw[0..<16])
        guard constantTimeEquals(raw[16...], mac(body: body, clientAddress: clientAddress)) else { return .invalid }
        let issuedAt = AuthInstant(milliseconds: body[0..<8].reduce(0) { $0 << 8 | UInt64($1) })
        // Time only moves forward on the shell's monotonic clock, so a genuine nonce from the future
        // cannot exist: refuse it rather than trust it for longer than its lifetime.
        guard issuedAt <= now else { return .invalid }
        if now.duration(since: issuedAt) > lifetime {
            return .expired(issuedAt: issuedAt)
        }
        return .valid(issuedAt: issuedAt)
    }

    private func mac(body: [UInt8], clientAddress: some Collection<UInt8>) -> [UInt8] {
        var message = Self.domain
        message.append(contentsOf: body)
        // Length-prefix the address so no two (body, address) pairs share a message.
        message.append(contentsOf: Self.bigEndian(UInt64(clientAddress.count)))
        message.append(contentsOf: clientAddress)
        return Array(HMACSHA256.authenticate(message, key: secret).prefix(Self.macByteCount))
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] {
        stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: value >> UInt64($0)) }
    }
}
