import SIPAuth
import SIPMessage

/// The registrar's answer to one REGISTER: the response, how long to hold it back (the
/// auth-failure throttle), and what happened, for logs and metrics.
public struct RegistrarAnswer: Sendable {
    public var response: SIPMessage
    /// Send the response only after this long (nil: at once).
    public var delay: Duration?
    public var outcome: RegistrationOutcome
}

/// What one REGISTER did.
public enum RegistrationOutcome: Sendable, Hashable {
    /// Bindings added or refreshed; the AOR's binding count after.
    case registered(aor: String, bindings: Int)
    /// Bindings removed (Expires 0 or `*`); the AOR's binding count after.
    case unregistered(aor: String, bindings: Int)
    /// No Contact: the current bindings were listed.
    case queried(aor: String)
    /// No credentials for this realm (or a stale nonce): 401 with fresh challenges.
    case challenged(stale: Bool)
    case authenticationFailed(AuthFailureReason)
    /// Refused before or after authentication with this status (404, 420, 423, 400, 403, 503).
    case refused(status: Int, why: String)
    /// The source is refused by the throttle for a while: 503 with Retry-After.
    case throttled

    /// A label for the requests metric.
    public var result: String {
        switch self {
        case .registered: "registered"
        case .unregistered: "unregistered"
        case .queried: "queried"
        case .challenged: "challenged"
        case .authenticationFailed: "auth-failed"
        case .refused: "refused"
        case .throttled: "throttled"
        }
    }

    public static let results = ["registered", "unregistered", "queried", "challenged", "auth-failed", "refused",
                                 "throttled"]
}

/// Why authentication of a REGISTER failed: digest rejections plus the registrar's own authorization
/// check. Labels of `palisade_registrar_auth_failures_total`.
public enum AuthFailureReason: String, Sendable, Hashable, CaseIterable {
    case malformed
    case qopRequired = "qop-required"
    case algorithmNotOffered = "algorithm-not-offered"
    case realmMismatch = "realm-mismatch"
    case uriMismatch = "uri-mismatch"
    case invalidNonce = "invalid-nonce"
    case unknownUser = "unknown-user"
    case wrongResponse = "wrong-response"
    case replayedNonceCount = "replayed-nonce-count"
    /// Authenticated, but as a user other than the AOR's (RFC 3261 §10.3 step 4: 403).
    case foreignAOR = "foreign-aor"

    init(_ rejection: DigestRejection) {
        self = switch rejection {
        case .malformed: .malformed
        case .qopRequired: .qopRequired
        case .algorithmNotOffered: .algorithmNotOffered
        case .realmMismatch: .realmMismatch
        case .uriMismatch: .uriMismatch
        case .invalidNonce: .invalidNonce
        case .unknownUser: .unknownUser
        case .wrongResponse: .wrongResponse
        case .replayedNonceCount: .replayedNonceCount
        }
    }
}
