/// The embedded registrar's digest authentication for one realm: challenges out, credentials in,
/// a verdict back. A value the shell owns; time, randomness and the client address come in as
/// parameters. Every rejection must look the same on the wire (a fresh 401/407, or 403 when the
/// failure throttle says so): the reasons are for logs and metrics, not for the client.
public struct DigestAuthenticator: Sendable {
    public struct Configuration: Sendable {
        public var realm: [UInt8]
        /// Offered and accepted, in preference order (RFC 8760 §2.4: SHA-256 before MD5).
        public var algorithms: [DigestAlgorithm]
        public var role: DigestChallengeRole
        public var nonceLifetime: Duration
        /// The most nonces whose counts are remembered at once.
        public var replayTableCapacity: Int

        public init(realm: String, algorithms: [DigestAlgorithm] = DigestChallenge.defaultAlgorithms,
                    role: DigestChallengeRole = .server, nonceLifetime: Duration = .seconds(300),
                    replayTableCapacity: Int = 65_536) {
            self.realm = Array(realm.utf8)
            self.algorithms = algorithms
            self.role = role
            self.nonceLifetime = nonceLifetime
            self.replayTableCapacity = replayTableCapacity
        }
    }

    public let configuration: Configuration
    public var users: UserTable
    private let nonces: NonceAuthority
    private var replays: NonceReplayTable

    public init(configuration: Configuration, users: UserTable, nonceSecret: [UInt8]) {
        self.configuration = configuration
        self.users = users
        self.nonces = NonceAuthority(secret: nonceSecret, lifetime: configuration.nonceLifetime)
        self.replays = NonceReplayTable(capacity: configuration.replayTableCapacity)
    }

    /// How many nonces the replay table holds now (a gauge for /metrics).
    public var rememberedNonceCount: Int { replays.count }

    /// The challenges for a 401/407: one per configured algorithm, sharing a fresh nonce.
    /// - Parameters:
    ///   - salt: 64 random bits from the shell.
    ///   - stale: true when answering a `.stale` verdict.
    public func challenges(now: AuthInstant, salt: UInt64, clientAddress: some Collection<UInt8> = [UInt8](),
                           stale: Bool = false) -> [DigestChallenge] {
        let nonce = nonces.mint(now: now, salt: salt, clientAddress: clientAddress)
        return DigestChallenge.challenges(realm: configuration.realm, nonce: nonce,
                                          algorithms: configuration.algorithms, stale: stale)
    }

    /// Verifies a credentials header value (the bytes after `Authorization:`).
    public mutating func verify(headerValue: some Collection<UInt8>, method: some Collection<UInt8>,
                                requestURI: some Collection<UInt8>, clientAddress: some Collection<UInt8> = [UInt8](),
                                now: AuthInstant) -> DigestVerdict {
        let credentials: DigestCredentials
        do {
            credentials = try DigestCredentials(parsing: headerValue)
        } catch {
            return .rejected(.malformed(error.code))
        }
        return verify(credentials, method: method, requestURI: requestURI, clientAddress: clientAddress, now: now)
    }

    /// The order matters:
    /// 1. cheap checks on what the client claims (qop, algorithm, realm, digest-uri);
    /// 2. the nonce's MAC, so a forged nonce costs us one HMAC and no user lookup;
    /// 3. the response against the stored HA1, in constant time;
    /// 4. only then expiry, because RFC 7616 §3.3 `stale=true` means "your password was right,
    ///    retry with this nonce" — saying so for a wrong response would let a guesser skip the user;
    /// 5. last the replay table, so only a client that knows the password can advance a count.
    public mutating func verify(_ credentials: DigestCredentials, method: some Collection<UInt8>,
                                requestURI: some Collection<UInt8>, clientAddress: some Collection<UInt8> = [UInt8](),
                                now: AuthInstant) -> DigestVerdict {
        // Replay protection needs nc, so the RFC 2069 form without qop is refused (RFC 7616 §3.4
        // makes qop mandatory; every SIP phone we know sends qop=auth when offered).
        guard credentials.qop == .auth, let nonceCount = credentials.nonceCount else {
            return .rejected(.qopRequired)
        }
        guard configuration.algorithms.contains(credentials.algorithm) else {
            return .rejected(.algorithmNotOffered)
        }
        guard credentials.realm == configuration.realm else { return .rejected(.realmMismatch) }
        // RFC 3261 §22.4: the digest-uri is the Request-URI as sent; Palisade is the first hop, so
        // nothing between the phone and us may have changed it: compare bytes exactly.
        guard credentials.uri.elementsEqual(requestURI) else { return .rejected(.uriMismatch) }

        let issuedAt: AuthInstant
        let expired: Bool
        switch nonces.check(credentials.nonce, now: now, clientAddress: clientAddress) {
        case .invalid:
            return .rejected(.invalidNonce)
        case .valid(let at):
            issuedAt = at
            expired = false
        case .expired(let at):
            issuedAt = at
            expired = true
        }

        guard let user = users.lookup(username: credentials.username, realm: credentials.realm,
                                      hash: credentials.algorithm.hash)
        else {
            return .rejected(.unknownUser)
        }
        let expected = DigestResponse.compute(
            algorithm: credentials.algorithm, storedHA1: user.ha1, nonce: credentials.nonce,
            nonceCountText: credentials.nonceCountText, cnonce: credentials.cnonce, qop: .auth, method: method,
            digestURI: credentials.uri)
        guard constantTimeEquals(expected, credentials.response.map(asciiLowercased)) else {
            return .rejected(.wrongResponse)
        }
        if expired {
            return .stale
        }

        replays.removeExpired(issuedBefore: now.advanced(by: .zero - nonces.lifetime))
        switch replays.admit(nonce: credentials.nonce, issuedAt: issuedAt, nonceCount: nonceCount) {
        case .fresh:
            return .accepted(username: user.username)
        case .replayed:
            return .rejected(.replayedNonceCount)
        case .forgotten:
            return .stale
        }
    }
}

/// The outcome of checking credentials.
public enum DigestVerdict: Sendable, Hashable {
    case accepted(username: [UInt8])
    /// The response was right but the nonce expired (or was evicted from the replay table):
    /// challenge again with `stale=true`; this is not an authentication failure.
    case stale
    case rejected(DigestRejection)
}

/// Why credentials were refused; for logs and metrics, never sent to the client.
public enum DigestRejection: Sendable, Hashable {
    case malformed(DigestParseError.Code)
    /// No qop=auth (or no nc): replay protection is impossible without it.
    case qopRequired
    case algorithmNotOffered
    case realmMismatch
    case uriMismatch
    /// Forged, minted before a restart, bound to another client address, or from the future.
    case invalidNonce
    case unknownUser
    case wrongResponse
    case replayedNonceCount
}
