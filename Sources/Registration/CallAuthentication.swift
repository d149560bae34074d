import SIPAuth
import SIPCore
import SIPMessage

/// What the registrar says about a new INVITE from an untrusted realm (issue 6 item 9: no open
/// relay): let it through as an authenticated user, or answer it here.
public enum CallAuthenticationAnswer: Sendable {
    /// The credentials are good and name the From user.
    case authenticated(user: String)
    /// Answer the INVITE with `response` (407, 403 or 503), after `delay` when the throttle holds
    /// the source back.
    case answer(SIPMessage, delay: Duration?, outcome: CallAuthenticationOutcome)
}

/// What one INVITE's authentication did, for logs and `palisade_call_authentications_total`.
public enum CallAuthenticationOutcome: Sendable, Hashable {
    case authenticated
    /// No credentials for our realm, or a stale nonce: 407 with fresh challenges.
    case challenged(stale: Bool)
    /// Wrong credentials (a fresh 407), or good ones of a user other than the From user (403).
    case failed(AuthFailureReason)
    /// The source is refused by the auth-failure throttle: 503 with Retry-After.
    case throttled

    public var result: String {
        switch self {
        case .authenticated: "authenticated"
        case .challenged: "challenged"
        case .failed(.foreignAOR): "foreign-caller"
        case .failed: "auth-failed"
        case .throttled: "throttled"
        }
    }

    /// Every `result`, for metrics that list zeros.
    public static let results = ["authenticated", "challenged", "auth-failed", "foreign-caller", "throttled"]
}

extension Registrar {
    /// Proxy authentication of a new INVITE (RFC 3261 §22.3): the registrar's own digest
    /// machinery — the same user table, nonces (expiry, replay table) and algorithms — with the
    /// proxy role's 407 and Proxy-Authenticate, and the same auth-failure throttle as REGISTER,
    /// keyed by the source's IP address: a guesser gets no more tries by switching methods.
    ///
    /// The steps, in order:
    /// 0. a source the throttle refuses gets 503 with Retry-After, nothing checked;
    /// 1. no Proxy-Authorization for our realm: 407 with one challenge per algorithm (not a failure);
    /// 2. credentials verified against the Request-URI as sent; wrong ones count as a failure and
    ///    get a fresh 407 (delayed once the throttle says so), an expired nonce `stale=true`;
    /// 3. the authenticated user must be the From user (no calling as someone else), else 403,
    ///    counted as a failure.
    public mutating func authenticateCall(_ request: SIPMessage, source: RegistrationSource, now: AuthInstant,
                                          salt: UInt64, toTag: String) -> CallAuthenticationAnswer {
        let throttleKey = source.host
        var heldBack: Duration?
        switch throttle.decision(for: throttleKey, now: now) {
        case .refuse(let until):
            return .answer(throttled(request, until: until, now: now, toTag: toTag).response, delay: nil,
                           outcome: .throttled)
        case .delay(let duration):
            heldBack = duration
        case .proceed:
            break
        }
        let clientAddress = Array(source.host.utf8)
        let realm = authenticator.configuration.realm
        var credentialsValue: ArraySlice<UInt8>?
        for field in request.fields where field.name == .proxyAuthorization {
            let value = request.value(of: field)
            if let parsed = try? DigestCredentials(parsing: value), parsed.realm != realm { continue }
            credentialsValue = value
            break
        }
        guard let credentialsValue else {
            return proxyChallenge(request, stale: false, now: now, salt: salt, clientAddress: clientAddress,
                                  toTag: toTag, delay: heldBack, outcome: .challenged(stale: false))
        }
        let method = request.method?.description ?? "INVITE"
        let verdict = authenticator.verify(headerValue: credentialsValue, method: method.utf8,
                                           requestURI: request.requestURIBytes ?? [], clientAddress: clientAddress,
                                           now: now)
        switch verdict {
        case .accepted(let user):
            guard let fromUser = request.from?.uri.user, user.elementsEqual(fromUser) else {
                let decision = throttle.recordFailure(from: throttleKey, now: now)
                if case .delay(let duration) = decision { heldBack = duration }
                let response = SIPResponseBuilder.response(to: request, status: 403,
                                                           reason: "Forbidden (From Is Not The Authenticated User)",
                                                           toTag: toTag)
                return .answer(response, delay: heldBack, outcome: .failed(.foreignAOR))
            }
            throttle.recordSuccess(from: throttleKey, now: now)
            return .authenticated(user: String(decoding: user, as: UTF8.self))
        case .stale:
            return proxyChallenge(request, stale: true, now: now, salt: salt, clientAddress: clientAddress,
                                  toTag: toTag, delay: heldBack, outcome: .challenged(stale: true))
        case .rejected(let rejection):
            let reason = AuthFailureReason(rejection)
            switch throttle.recordFailure(from: throttleKey, now: now) {
            case .refuse(let until):
                return .answer(throttled(request, until: until, now: now, toTag: toTag).response, delay: nil,
                               outcome: .failed(reason))
            case .delay(let duration):
                heldBack = duration
            case .proceed:
                break
            }
            return proxyChallenge(request, stale: false, now: now, salt: salt, clientAddress: clientAddress,
                                  toTag: toTag, delay: heldBack, outcome: .failed(reason))
        }
    }

    private func proxyChallenge(_ request: SIPMessage, stale: Bool, now: AuthInstant, salt: UInt64,
                                clientAddress: [UInt8], toTag: String, delay: Duration?,
                                outcome: CallAuthenticationOutcome) -> CallAuthenticationAnswer {
        let role = DigestChallengeRole.proxy
        let headers = authenticator.challenges(now: now, salt: salt, clientAddress: clientAddress, stale: stale)
            .map { (role.challengeHeaderName, String(decoding: $0.headerValue, as: UTF8.self)) }
        let response = SIPResponseBuilder.response(to: request, status: role.statusCode,
                                                   reason: "Proxy Authentication Required", toTag: toTag,
                                                   headers: headers)
        return .answer(response, delay: delay, outcome: outcome)
    }
}
