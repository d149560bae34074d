import SIPAuth
import SIPCore
import SIPMessage

/// The embedded registrar (issue 6 items 5 and 9): REGISTER processing of RFC 3261 §10.3 with
/// digest authentication against the user table (RFC 7616, RFC 8760) and a throttle for sources
/// that keep failing. Sans-I/O: time, randomness and the flow come in as parameters; the answer
/// goes back as a response (and a delay) for the shell to send through the server transaction.
///
/// The steps, in the order of §10.3, each refusing with its own status:
/// 0. a source the throttle refuses gets 503 with Retry-After (the rest of its cool-off) and
///    nothing is checked: the point is to spend nothing on it;
/// 1. Request-URI host served here, else 404;
/// 2. Require: no extension is supported, 420 with Unsupported;
/// 3. To is a sip/sips URI with a user in a served domain, else 404 (step 5 of the RFC, checked
///    first because it costs nothing and reveals nothing: any user name passes);
/// 4. credentials for our realm, else 401 with a challenge per algorithm (SHA-256 first); wrong
///    ones get a fresh 401, expired nonces `stale=true`;
/// 5. the authenticated user must be the AOR's user, else 403;
/// 6. Contact: `*` only alone and with Expires 0, else 400; each contact's expiry from its
///    `expires` parameter, the Expires header or the default; a non-zero one below the minimum
///    gets 423 with Min-Expires; longer than the maximum is shortened;
/// 7. Call-ID/CSeq: an update from the same Call-ID with a CSeq not above the binding's is
///    refused (400) and nothing changes — the REGISTER is committed whole or not at all;
/// 8. 200 OK listing every binding of the AOR with its remaining expiry.
///
/// Authentication failures (steps 4 and 5) count against the source in the throttle: from
/// `delayAfterFailures` on, answers are held back (the shell sleeps, the UDP retransmissions are
/// absorbed by the server transaction); from `refuseAfterFailures` on, 503 with Retry-After until
/// the cool-off ends. 503 rather than 403: RFC 3261 §20.33 pairs Retry-After with 503, and phones
/// that honour it back off instead of prompting the user or retrying at once. A stale nonce and a
/// first REGISTER without credentials are not failures.
public struct Registrar<Flow: Hashable & Sendable>: Sendable {
    public let policy: RegistrarPolicy
    public private(set) var bindings: BindingTable<Flow>
    public internal(set) var authenticator: DigestAuthenticator
    public internal(set) var throttle: AuthFailureThrottle<String>

    public init(policy: RegistrarPolicy, authenticator: DigestAuthenticator,
                throttle: AuthFailureThrottle<String>.Policy = .init()) {
        self.policy = policy
        self.authenticator = authenticator
        self.throttle = AuthFailureThrottle(policy: throttle)
        bindings = BindingTable(capacity: policy.capacity)
    }

    /// Replaces the user table (a reload); bindings stay.
    public mutating func replaceUsers(_ users: UserTable) {
        authenticator.users = users
    }

    /// The bindings of an AOR given as a URI (`sip:alice@example.com`) or as its canonical form;
    /// empty when the URI names no user of a served domain. Expired bindings are left out.
    public func lookup(aor: String, now: AuthInstant) -> [Binding<Flow>] {
        guard let canonical = canonicalAOR(aor) else { return [] }
        return bindings.lookup(aor: canonical, now: now)
    }

    /// The canonical AOR (`sip:user@domain`) of a sip/sips URI whose host is served here.
    public func canonicalAOR(_ uri: String) -> String? {
        let bytes = Array(uri.utf8)[...]
        guard let parsed = SIPURI(bytes) else { return nil }
        return canonicalAOR(parsed)
    }

    func canonicalAOR(_ uri: SIPURI) -> String? {
        guard uri.scheme == .sip || uri.scheme == .sips, let user = uri.user, !user.isEmpty,
              let host = uri.host, policy.serves(host.string) else { return nil }
        return "sip:" + String(decoding: user, as: UTF8.self) + "@" + policy.domain
    }

    /// An operator's removal (`palisadectl registrations remove`): the bindings of `aor` (a URI
    /// or canonical form), all of them or only the one whose Contact is `contact`; returns them.
    public mutating func remove(aor: String, contact: String? = nil) -> [Binding<Flow>] {
        let canonical = canonicalAOR(aor) ?? aor
        let existing = bindings.lookup(aor: canonical)
        let removed = existing.filter { contact == nil || $0.contact == contact }
        if !removed.isEmpty {
            bindings.replace(aor: canonical, with: existing.filter { contact != nil && $0.contact != contact })
        }
        return removed
    }

    /// Removes and returns the bindings expired at `now`.
    public mutating func removeExpired(now: AuthInstant) -> [Binding<Flow>] {
        bindings.removeExpired(now: now)
    }

    /// Processes one REGISTER.
    /// - Parameters:
    ///   - salt: 64 random bits for a fresh nonce.
    ///   - toTag: the To tag of the response (RFC 3261 §8.2.6.2).
    public mutating func handle(_ request: SIPMessage, flow: Flow, source: RegistrationSource, now: AuthInstant,
                                salt: UInt64, toTag: String) -> RegistrarAnswer {
        let throttleKey = source.host
        let before = throttle.decision(for: throttleKey, now: now)
        if case .refuse(let until) = before {
            return throttled(request, until: until, now: now, toTag: toTag)
        }
        var heldBack: Duration?
        if case .delay(let duration) = before { heldBack = duration }

        func refuse(_ status: Int, _ why: String, reason: String? = nil,
                    headers: [(String, String)] = []) -> RegistrarAnswer {
            RegistrarAnswer(response: SIPResponseBuilder.response(to: request, status: status, reason: reason,
                                                                 toTag: toTag, headers: headers),
                            delay: heldBack, outcome: .refused(status: status, why: why))
        }

        // 1. Request-URI.
        guard let requestURI = request.requestURI, let host = requestURI.host, policy.serves(host.string) else {
            return refuse(404, "request-uri-domain-not-served")
        }
        // 2. Require.
        let required = request.values(.require).map { String(decoding: $0, as: UTF8.self) }
            .map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        if !required.isEmpty {
            return refuse(420, "unsupported-extension", headers: [("Unsupported", required.joined(separator: ", "))])
        }
        // 3. To.
        guard let to = request.to, let aor = canonicalAOR(to.uri), let aorUser = to.uri.user else {
            return refuse(404, "to-not-served")
        }

        // 4. Authentication.
        let clientAddress = Array(source.host.utf8)
        let realm = authenticator.configuration.realm
        var credentialsValue: ArraySlice<UInt8>?
        for field in request.fields where field.name == .authorization {
            let value = request.value(of: field)
            if let parsed = try? DigestCredentials(parsing: value), parsed.realm != realm { continue }
            credentialsValue = value
            break
        }
        guard let credentialsValue else {
            return challenge(request, stale: false, now: now, salt: salt, clientAddress: clientAddress,
                             toTag: toTag, delay: heldBack)
        }
        let verdict = authenticator.verify(headerValue: credentialsValue, method: "REGISTER".utf8,
                                           requestURI: request.requestURIBytes ?? [], clientAddress: clientAddress,
                                           now: now)
        let username: [UInt8]
        switch verdict {
        case .accepted(let user):
            username = user
        case .stale:
            return challenge(request, stale: true, now: now, salt: salt, clientAddress: clientAddress, toTag: toTag,
                             delay: heldBack)
        case .rejected(let rejection):
            let reason = AuthFailureReason(rejection)
            switch throttle.recordFailure(from: throttleKey, now: now) {
            case .refuse(let until):
                var answer = throttled(request, until: until, now: now, toTag: toTag)
                answer.outcome = .authenticationFailed(reason)
                return answer
            case .delay(let duration):
                heldBack = duration
            case .proceed:
                break
            }
            var answer = challenge(request, stale: false, now: now, salt: salt, clientAddress: clientAddress,
                                   toTag: toTag, delay: heldBack)
            answer.outcome = .authenticationFailed(reason)
            return answer
        }
        // 5. Authorization: a user registers only their own AOR.
        guard username.elementsEqual(aorUser) else {
            let decision = throttle.recordFailure(from: throttleKey, now: now)
            if case .delay(let duration) = decision { heldBack = duration }
            var answer = refuse(403, "foreign-aor")
            answer.outcome = .authenticationFailed(.foreignAOR)
            return answer
        }
        throttle.recordSuccess(from: throttleKey, now: now)
        heldBack = nil

        // 6. Contacts.
        let expiresHeader = request.field(.expires).map { Self.decimal(request.value(of: $0)) }
        let contactValues = request.values(.contact)
        let isWildcard = contactValues.contains { $0.trimmingASCIIWhitespace().elementsEqual("*".utf8) }
        let existing = bindings.lookup(aor: aor)
        guard let callID = request.callID, let cseq = request.cseq?.sequence else {
            return refuse(400, "no-call-id-or-cseq")
        }
        if isWildcard {
            guard contactValues.count == 1, case .some(.some(0)) = expiresHeader else {
                return refuse(400, "wildcard-misused", reason: "Contact * Needs Expires 0 And No Other Contact")
            }
            // §10.3 step 6: the wildcard removes every binding, unless one is newer than this request.
            if existing.contains(where: { $0.callID == callID && $0.cseq >= cseq }) {
                return refuse(400, "cseq-out-of-order", reason: "CSeq Out Of Order")
            }
            bindings.replace(aor: aor, with: [])
            return ok(request, aor: aor, now: now, toTag: toTag, outcome: .unregistered(aor: aor, bindings: 0))
        }
        if contactValues.isEmpty {
            return ok(request, aor: aor, now: now, toTag: toTag, outcome: .queried(aor: aor))
        }

        var updated = existing.filter { $0.expiresAt > now }
        var removedAny = false
        var addedAny = false
        for value in contactValues {
            guard let contact = try? SIPNameAddress.parse(value).get(),
                  contact.uri.scheme == .sip || contact.uri.scheme == .sips, let contactHost = contact.uri.host,
                  let key = Self.contactKey(contact.uri) else {
                return refuse(400, "bad-contact", reason: "Bad Contact")
            }
            var requested = policy.defaultExpires
            if case .some(.some(let parameter)) = contact.parameters.lookup("expires"), let seconds = Self.decimal(parameter) {
                requested = seconds
            } else if case .some(.some(let seconds)) = expiresHeader {
                requested = seconds
            }
            if requested != 0, requested < policy.minimumExpires {
                return refuse(423, "interval-too-brief", reason: "Interval Too Brief",
                              headers: [("Min-Expires", "\(policy.minimumExpires)")])
            }
            let granted = min(requested, policy.maximumExpires)
            if let index = updated.firstIndex(where: { $0.key == key }) {
                // §10.3 step 7: same Call-ID needs a higher CSeq; another Call-ID replaces.
                if updated[index].callID == callID, updated[index].cseq >= cseq {
                    return refuse(400, "cseq-out-of-order", reason: "CSeq Out Of Order")
                }
                updated.remove(at: index)
            }
            if granted == 0 {
                removedAny = true
                continue
            }
            let (nat, routingURI) = Self.reachability(contact.uri, host: contactHost.string, source: source)
            updated.append(Binding(
                aor: aor, contact: contact.uri.string, routingURI: routingURI, flow: flow, source: source, nat: nat,
                callID: callID, cseq: cseq, expiresAt: now.advanced(by: .seconds(granted)),
                instance: contact.parameters.string("+sip.instance"),
                userAgent: request.field(.userAgent).map { String(decoding: request.value(of: $0), as: UTF8.self) },
                key: key))
            addedAny = true
        }
        if updated.count > policy.maximumBindingsPerAOR {
            return refuse(403, "too-many-bindings", reason: "Too Many Contacts")
        }
        let growth = updated.count - existing.count
        if growth > 0, bindings.count + growth > bindings.capacity {
            return refuse(503, "binding-table-full", headers: [("Retry-After", "60")])
        }
        bindings.replace(aor: aor, with: updated)
        let outcome: RegistrationOutcome = addedAny || !removedAny
            ? .registered(aor: aor, bindings: updated.count) : .unregistered(aor: aor, bindings: updated.count)
        return ok(request, aor: aor, now: now, toTag: toTag, outcome: outcome)
    }

    // MARK: - Answers

    private func ok(_ request: SIPMessage, aor: String, now: AuthInstant, toTag: String,
                    outcome: RegistrationOutcome) -> RegistrarAnswer {
        var headers: [(String, String)] = []
        for binding in bindings.lookup(aor: aor, now: now) {
            headers.append(("Contact", "<\(binding.contact)>;expires=\(binding.secondsLeft(at: now))"))
        }
        return RegistrarAnswer(response: SIPResponseBuilder.response(to: request, status: 200, toTag: toTag,
                                                                    headers: headers),
                               delay: nil, outcome: outcome)
    }

    private func challenge(_ request: SIPMessage, stale: Bool, now: AuthInstant, salt: UInt64, clientAddress: [UInt8],
                           toTag: String, delay: Duration?) -> RegistrarAnswer {
        let role = authenticator.configuration.role
        let headers = authenticator.challenges(now: now, salt: salt, clientAddress: clientAddress, stale: stale)
            .map { (role.challengeHeaderName, String(decoding: $0.headerValue, as: UTF8.self)) }
        return RegistrarAnswer(response: SIPResponseBuilder.response(to: request, status: role.statusCode,
                                                                    reason: "Unauthorized", toTag: toTag,
                                                                    headers: headers),
                               delay: delay, outcome: .challenged(stale: stale))
    }

    func throttled(_ request: SIPMessage, until: AuthInstant, now: AuthInstant, toTag: String) -> RegistrarAnswer {
        let seconds = max(1, (until.milliseconds &- min(until.milliseconds, now.milliseconds) + 999) / 1000)
        return RegistrarAnswer(response: SIPResponseBuilder.response(to: request, status: 503, toTag: toTag,
                                                                    headers: [("Retry-After", "\(seconds)")]),
                               delay: nil, outcome: .throttled)
    }

    // MARK: - Small named pieces

    /// A non-negative decimal that fits 32 bits (RFC 3261 §20.19: delta-seconds); larger values
    /// saturate at 2³²−1, as §20.19 asks.
    static func decimal(_ bytes: some Collection<UInt8>) -> Int? {
        let trimmed = Array(bytes).trimmingASCIIWhitespace()
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var value = 0
        for digit in trimmed {
            value = min(value * 10 + Int(digit - 0x30), Int(UInt32.max))
        }
        return value
    }

    static func contactKey(_ uri: SIPURI) -> ContactKey? {
        guard let host = uri.host else { return nil }
        var parameters: [String] = []
        for name in ["transport", "user", "maddr", "ttl"] {
            let value: String?
            switch name {
            case "transport": value = uri.parameters.string("transport")
            case "user": value = uri.parameters.string("user")
            case "maddr": value = uri.parameters.string("maddr")
            default: value = uri.parameters.string("ttl")
            }
            if let value { parameters.append(name + "=" + value.lowercased()) }
        }
        return ContactKey(scheme: uri.scheme == .sips ? "sips" : "sip",
                          user: uri.user.map { String(decoding: $0, as: UTF8.self) } ?? "",
                          host: RegistrarPolicy.normalizedHost(host.string), port: uri.port, parameters: parameters)
    }

    /// The NAT indicators of a contact and the URI that reaches it: the Contact itself when none is
    /// set; else the Contact's user at the wire address (RFC 3581 style), with the transport, so a
    /// request routed by URI alone still takes the flow's path.
    static func reachability(_ uri: SIPURI, host: String, source: RegistrationSource) -> (NATIndicators, String) {
        var nat: NATIndicators = []
        let contactHost = RegistrarPolicy.normalizedHost(host)
        if contactHost != RegistrarPolicy.normalizedHost(source.host) { nat.insert(.contactAddressDiffers) }
        let defaultPort = uri.scheme == .sips || source.transport == "tls" ? 5061 : 5060
        if (uri.port ?? defaultPort) != source.port { nat.insert(.contactPortDiffers) }
        if isPrivateAddress(contactHost) { nat.insert(.privateContactAddress) }
        // A private Contact that matches the wire is a phone on the SBC's own private network.
        if nat == .privateContactAddress { nat = [] }
        guard !nat.isEmpty else { return (nat, uri.string) }
        let user = uri.user.map { String(decoding: $0, as: UTF8.self) + "@" } ?? ""
        let wireHost = source.host.contains(":") ? "[\(source.host)]" : source.host
        let scheme = uri.scheme == .sips ? "sips" : "sip"
        return (nat, "\(scheme):\(user)\(wireHost):\(source.port);transport=\(source.transport)")
    }

    /// RFC 1918, RFC 6598 (shared 100.64/10), link-local 169.254/16, RFC 4193 fc00::/7, fe80::/10.
    static func isPrivateAddress(_ host: String) -> Bool {
        if host.contains(":") {
            let lower = host.lowercased()
            return lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("fe8") || lower.hasPrefix("fe9")
                || lower.hasPrefix("fea") || lower.hasPrefix("feb")
        }
        let octets = host.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return false }
        switch (octets[0], octets[1]) {
        case (10, _): return true
        case (172, 16...31): return true
        case (192, 168): return true
        case (100, 64...127): return true
        case (169, 254): return true
        default: return false
        }
    }
}

extension Collection<UInt8> {
    func trimmingASCIIWhitespace() -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d || $0 == 0x0a }
        let bytes = Array(self)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return Array(bytes[first...last])
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        String(decoding: Array(utf8).trimmingASCIIWhitespace(), as: UTF8.self)
    }
}
