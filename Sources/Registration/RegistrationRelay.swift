import SIPAuth
import SIPCore
import SIPMessage

/// The registration relay (issue 6 item 4): REGISTER from access goes on to the core registrar as
/// Palisade's own request, and answers come back mapped. Sans-I/O: time, randomness, Palisade's
/// Via and core-side address come in as parameters; the shell sends what it is told and hands
/// the core's answer back.
///
/// What crosses and what does not (topology hiding, RFC 5853 §3.1):
/// - upstream, per binding: Palisade's own Call-ID, From tag and CSeq space, its own Via, and a
///   Contact unique to the binding, `sip:<token>@<Palisade's core address>`; the phone's
///   Request-URI, To and From URIs (the identity registered) and its Authorization /
///   Proxy-Authorization. Nothing else of the phone's request (Via, Contact, Call-ID, tags,
///   User-Agent, addresses) reaches the core.
/// - back to the phone: the status, the registrar's WWW-Authenticate / Proxy-Authenticate
///   challenges, Retry-After, and a Contact list built from Palisade's own table (the phone's
///   Contacts with their access-side expiry), never the core's Contacts.
///
/// Digest (RFC 7616 §3.4): the phone's response hashes the method and its `uri` parameter, which
/// phones set to their Request-URI. The Request-URI sent upstream is therefore the phone's,
/// unchanged, so a registrar that checks `uri` against the Request-URI (as RFC 7616 §3.4.6 and
/// most registrars do) accepts the relayed credentials. Phones should name the core's SIP domain
/// there (and in To), with Palisade as their outbound proxy.
///
/// Throttling: the phone is granted a short access-side expiry (`accessMaximumExpires`, default
/// 60 s, to keep its NAT mapping alive), Palisade asks the core for a long one
/// (`upstreamExpires`). A refresh from the same flow while the core's binding outlasts the
/// access expiry just granted is answered here from the table; the REGISTER goes upstream again
/// once the core's binding would end before the phone's next refresh, so upstream refreshes
/// happen at the upstream expiry. A REGISTER from another flow (a NAT rebinding, or someone
/// else) always goes upstream, where the registrar authenticates it; the binding's flow changes
/// only with the registrar's 200.
///
/// One Contact per REGISTER (or `*`): a REGISTER listing several gets 400.
public struct RegistrationRelay<Flow: Hashable & Sendable>: Sendable {
    public struct Policy: Sendable, Hashable {
        /// Access side: granted when the phone asks for nothing, the least accepted (423 below),
        /// the most granted.
        public var accessDefaultExpires: Int
        public var accessMinimumExpires: Int
        public var accessMaximumExpires: Int
        /// Asked of the core registrar for each binding.
        public var upstreamExpires: Int
        /// All relayed bindings together.
        public var capacity: Int

        public init(accessDefaultExpires: Int = 60, accessMinimumExpires: Int = 20, accessMaximumExpires: Int = 60,
                    upstreamExpires: Int = 3600, capacity: Int = 100_000) {
            self.accessDefaultExpires = accessDefaultExpires
            self.accessMinimumExpires = accessMinimumExpires
            self.accessMaximumExpires = accessMaximumExpires
            self.upstreamExpires = upstreamExpires
            self.capacity = capacity
        }
    }

    /// Palisade's face toward the core for one upstream REGISTER: its top Via (fresh branch) and
    /// the address and transport its Contacts name.
    public struct Face: Sendable, Hashable {
        public var via: String
        /// `host:port` as written in a URI (IPv6 in brackets).
        public var hostPort: String
        /// `udp`, `tcp` or `tls`.
        public var transport: String

        public init(via: String, hostPort: String, transport: String) {
            self.via = via
            self.hostPort = hostPort
            self.transport = transport.lowercased()
        }

        /// `sip:<token>@host:port`, with `;transport=` unless UDP.
        public func contact(token: String) -> String {
            "sip:\(token)@\(hostPort)" + (transport == "udp" ? "" : ";transport=\(transport)")
        }
    }

    /// Fresh randomness from the shell, used when the REGISTER starts a new binding.
    public struct Identifiers: Sendable, Hashable {
        public var token: String
        public var callID: String
        public var fromTag: String

        public init(token: String, callID: String, fromTag: String) {
            self.token = token
            self.callID = callID
            self.fromTag = fromTag
        }
    }

    public let policy: Policy
    private var byToken: [String: RelayedBinding<Flow>] = [:]
    private var tokenOf: [BindingKey: String] = [:]

    struct BindingKey: Hashable, Sendable {
        var aor: String
        var contact: ContactKey
    }

    public init(policy: Policy) {
        self.policy = policy
    }

    public var count: Int { byToken.count }

    /// Every binding (pending ones included), by AOR then token.
    public var all: [RelayedBinding<Flow>] {
        byToken.values.sorted { ($0.aor, $0.token) < ($1.aor, $1.token) }
    }

    /// The binding a request from the core to `sip:<token>@…` reaches, when it is live at `now`.
    public func binding(token: String, now: AuthInstant) -> RelayedBinding<Flow>? {
        guard let binding = byToken[token], binding.isLive(at: now) else { return nil }
        return binding
    }

    /// The live bindings of an AOR (a URI as the phone writes it in To).
    public func bindings(aor: String, now: AuthInstant) -> [RelayedBinding<Flow>] {
        let key = Self.aorKey(aor) ?? aor
        return all.filter { $0.aor == key && $0.isLive(at: now) }
    }

    // MARK: - A REGISTER from a phone

    /// Decides what to do with a phone's REGISTER: answer it here (from the table, or a refusal)
    /// or send a REGISTER upstream, whose answer goes to `answered(_:exchange:…)`.
    public mutating func handle(_ request: SIPMessage, flow: Flow, source: RegistrationSource, now: AuthInstant,
                                fresh: Identifiers, face: Face, toTag: String) -> RelayDecision<Flow> {
        func refuse(_ status: Int, _ why: String, reason: String? = nil,
                    headers: [(String, String)] = []) -> RelayDecision<Flow> {
            .answer(SIPResponseBuilder.response(to: request, status: status, reason: reason, toTag: toTag,
                                                headers: headers), .refused(status: status, why: why))
        }
        let required = request.values(.require).map { String(decoding: $0, as: UTF8.self).trimmingASCIIWhitespace() }
            .filter { !$0.isEmpty }
        if !required.isEmpty {
            return refuse(420, "unsupported-extension", headers: [("Unsupported", required.joined(separator: ", "))])
        }
        guard let requestURI = request.requestURIBytes.map({ String(decoding: $0, as: UTF8.self) }),
              let to = request.to, to.uri.scheme == .sip || to.uri.scheme == .sips, let toUser = to.uri.user,
              !toUser.isEmpty, let aor = Self.aorKey(to.uri), let from = request.from,
              let callID = request.callID, let cseq = request.cseq?.sequence else {
            return refuse(400, "bad-request", reason: "Bad To, From, Call-ID Or CSeq")
        }
        let toURI = Self.bare(to.uri), fromURI = Self.bare(from.uri)
        let credentials = Self.credentials(of: request)
        let userAgent = request.field(.userAgent).map { String(decoding: request.value(of: $0), as: UTF8.self) }
        let expiresHeader = request.field(.expires).map { Registrar<Flow>.decimal(request.value(of: $0)) }
        let contactValues = request.values(.contact)

        // No Contact: a query. Upstream with a one-off identity; the 200 is mapped to our table.
        if contactValues.isEmpty {
            let message = Self.register(requestURI: requestURI, fromURI: fromURI, fromTag: fresh.fromTag, toURI: toURI,
                                        callID: fresh.callID, cseq: 1, face: face, contacts: [], expires: nil,
                                        credentials: credentials)
            return .forward(message, RelayExchange(kind: .query, aor: aor, tokens: [], accessExpires: 0,
                                                   upstreamExpires: 0, candidate: nil))
        }
        // `*`: every binding of the AOR relayed here goes, with Expires 0 (RFC 3261 §10.2.2).
        if contactValues.contains(where: { $0.trimmingASCIIWhitespace().elementsEqual("*".utf8) }) {
            guard contactValues.count == 1, case .some(.some(0)) = expiresHeader else {
                return refuse(400, "wildcard-misused", reason: "Contact * Needs Expires 0 And No Other Contact")
            }
            return unregister(byToken.values.filter { $0.aor == aor }, request: request, aor: aor, now: now,
                              face: face, credentials: credentials, toTag: toTag)
        }
        guard contactValues.count == 1 else {
            return refuse(400, "several-contacts", reason: "One Contact Per REGISTER Through The Relay")
        }
        guard let contact = try? SIPNameAddress.parse(contactValues[0]).get(),
              contact.uri.scheme == .sip || contact.uri.scheme == .sips, let contactHost = contact.uri.host,
              let contactKey = Registrar<Flow>.contactKey(contact.uri) else {
            return refuse(400, "bad-contact", reason: "Bad Contact")
        }
        var requested = policy.accessDefaultExpires
        if case .some(.some(let parameter)) = contact.parameters.lookup("expires"),
           let seconds = Registrar<Flow>.decimal(parameter) {
            requested = seconds
        } else if case .some(.some(let seconds)) = expiresHeader {
            requested = seconds
        }
        let key = BindingKey(aor: aor, contact: contactKey)
        let existing = tokenOf[key].flatMap { byToken[$0] }
        if requested == 0 {
            return unregister(existing.map { [$0] } ?? [], request: request, aor: aor, now: now, face: face,
                              credentials: credentials, toTag: toTag)
        }
        if requested < policy.accessMinimumExpires {
            return refuse(423, "interval-too-brief", reason: "Interval Too Brief",
                          headers: [("Min-Expires", "\(policy.accessMinimumExpires)")])
        }
        let granted = min(requested, policy.accessMaximumExpires)

        // Throttling: the same flow, and the core's binding outlasts the phone's next refresh.
        if var binding = existing, binding.isRegisteredUpstream(at: now), binding.flow == flow,
           binding.source == source, binding.upstreamSecondsLeft(at: now) > granted {
            binding.accessExpiresAt = now.advanced(by: .seconds(granted))
            binding.phoneCallID = callID
            binding.phoneCSeq = cseq
            byToken[binding.token] = binding
            return .answer(ok(request, aor: aor, now: now, toTag: toTag), .cached(aor: aor))
        }

        let (nat, routingURI) = Registrar<Flow>.reachability(contact.uri, host: contactHost.string, source: source)
        var binding: RelayedBinding<Flow>
        if let existing {
            binding = existing
        } else {
            guard byToken.count < policy.capacity else {
                return refuse(503, "relay-table-full", headers: [("Retry-After", "60")])
            }
            // A pending binding: its identity toward the core lives from the first REGISTER on, so
            // the REGISTER that answers the registrar's challenge keeps its Call-ID (RFC 3261 §10.2).
            binding = RelayedBinding(
                token: fresh.token, aor: aor, requestURI: requestURI, toURI: toURI, fromURI: fromURI,
                contact: contact.uri.string, routingURI: routingURI, flow: flow, source: source, nat: nat,
                phoneCallID: callID, phoneCSeq: cseq, accessExpiresAt: now.advanced(by: .seconds(granted)),
                upstreamCallID: fresh.callID, upstreamFromTag: fresh.fromTag,
                upstreamContact: face.contact(token: fresh.token), upstreamCSeq: 0,
                upstreamExpiresAt: nil, credentials: [], userAgent: userAgent, key: contactKey)
        }
        binding.upstreamCSeq &+= 1
        // What the binding becomes once the core accepts it; until then flow and contact stay.
        var candidate = binding
        candidate.requestURI = requestURI
        candidate.toURI = toURI
        candidate.fromURI = fromURI
        candidate.contact = contact.uri.string
        candidate.routingURI = routingURI
        candidate.flow = flow
        candidate.source = source
        candidate.nat = nat
        candidate.phoneCallID = callID
        candidate.phoneCSeq = cseq
        candidate.credentials = credentials
        candidate.userAgent = userAgent
        candidate.upstreamContact = face.contact(token: binding.token)
        if existing == nil { binding = candidate }
        byToken[binding.token] = binding
        tokenOf[key] = binding.token

        let message = Self.register(
            requestURI: requestURI, fromURI: fromURI, fromTag: binding.upstreamFromTag, toURI: toURI,
            callID: binding.upstreamCallID, cseq: binding.upstreamCSeq, face: face,
            contacts: ["<\(face.contact(token: binding.token))>"], expires: policy.upstreamExpires,
            credentials: credentials)
        let kind: RelayExchange<Flow>.Kind = existing?.upstreamExpiresAt == nil ? .register : .refresh
        return .forward(message, RelayExchange(kind: kind, aor: aor, tokens: [binding.token], accessExpires: granted,
                                               upstreamExpires: policy.upstreamExpires, candidate: candidate))
    }

    /// Unregistering `bindings`: those the core holds go upstream with expires 0 (the phone's
    /// credentials with them); the rest are dropped here and the phone is answered at once.
    private mutating func unregister(_ bindings: [RelayedBinding<Flow>], request: SIPMessage, aor: String,
                                     now: AuthInstant, face: Face, credentials: [RelayHeader],
                                     toTag: String) -> RelayDecision<Flow> {
        let upstream = bindings.filter { $0.isRegisteredUpstream(at: now) }.sorted { $0.token < $1.token }
        for binding in bindings where !upstream.contains(where: { $0.token == binding.token }) {
            remove(token: binding.token)
        }
        guard var first = upstream.first else {
            return .answer(ok(request, aor: aor, now: now, toTag: toTag), .unregistered(aor: aor))
        }
        first.upstreamCSeq &+= 1
        byToken[first.token] = first
        // One REGISTER on the first binding's Call-ID lists every token: §10.3 step 7 compares
        // CSeq only for bindings of the same Call-ID, the others are simply removed.
        let message = Self.register(
            requestURI: first.requestURI, fromURI: first.fromURI, fromTag: first.upstreamFromTag, toURI: first.toURI,
            callID: first.upstreamCallID, cseq: first.upstreamCSeq, face: face,
            contacts: upstream.map { "<\(face.contact(token: $0.token))>" }, expires: 0, credentials: credentials)
        return .forward(message, RelayExchange(kind: .unregister, aor: aor, tokens: upstream.map(\.token),
                                               accessExpires: 0, upstreamExpires: 0, candidate: nil))
    }

    // MARK: - The core's answer

    /// Maps the core registrar's final response to `exchange` (or the transaction's own 408/503)
    /// onto the phone's REGISTER, and updates the table.
    public mutating func answered(_ response: SIPMessage, exchange: RelayExchange<Flow>, phoneRequest: SIPMessage,
                                  now: AuthInstant, toTag: String) -> (SIPMessage, RelayOutcome) {
        let status = response.statusCode ?? 500
        let aor = exchange.aor
        if status == 401 || status == 407 {
            // The registrar's challenge goes to the phone, whose next REGISTER answers it.
            var headers: [(String, String)] = []
            for field in response.fields where field.name == .wwwAuthenticate || field.name == .proxyAuthenticate {
                headers.append((field.name == .wwwAuthenticate ? "WWW-Authenticate" : "Proxy-Authenticate",
                                String(decoding: response.value(of: field), as: UTF8.self)))
            }
            return (SIPResponseBuilder.response(to: phoneRequest, status: status, reason: response.reasonPhrase,
                                                toTag: toTag, headers: headers), .challenged(status: status))
        }
        guard status >= 200, status < 300 else {
            return failed(response, status: status, exchange: exchange, phoneRequest: phoneRequest, toTag: toTag)
        }
        switch exchange.kind {
        case .query:
            return (ok(phoneRequest, aor: aor, now: now, toTag: toTag), .queried(aor: aor))
        case .unregister:
            for token in exchange.tokens { remove(token: token) }
            return (ok(phoneRequest, aor: aor, now: now, toTag: toTag), .unregistered(aor: aor))
        case .register, .refresh:
            guard let token = exchange.tokens.first, let candidate = exchange.candidate else {
                return (ok(phoneRequest, aor: aor, now: now, toTag: toTag), .queried(aor: aor))
            }
            let granted = Self.grantedExpires(in: response, token: token) ?? exchange.upstreamExpires
            guard granted > 0 else {
                remove(token: token)
                return failed(response, status: 500, exchange: exchange, phoneRequest: phoneRequest, toTag: toTag,
                              warning: "the core registrar granted no time to the binding")
            }
            var binding = candidate
            if let current = byToken[token] {
                binding.upstreamCSeq = max(current.upstreamCSeq, candidate.upstreamCSeq)
            } else if tokenOf[BindingKey(aor: binding.aor, contact: binding.key)] != nil || byToken.count >= policy.capacity {
                // Removed meanwhile and its place taken: the core's binding is orphaned until it expires.
                return failed(response, status: 500, exchange: exchange, phoneRequest: phoneRequest, toTag: toTag,
                              warning: "the binding changed while the core registrar answered")
            }
            binding.upstreamExpiresAt = now.advanced(by: .seconds(granted))
            binding.accessExpiresAt = now.advanced(by: .seconds(min(exchange.accessExpires, granted)))
            byToken[token] = binding
            tokenOf[BindingKey(aor: binding.aor, contact: binding.key)] = token
            return (ok(phoneRequest, aor: aor, now: now, toTag: toTag), .registered(aor: aor, token: token))
        }
    }

    private mutating func failed(_ response: SIPMessage, status: Int, exchange: RelayExchange<Flow>,
                                 phoneRequest: SIPMessage, toTag: String,
                                 warning: String? = nil) -> (SIPMessage, RelayOutcome) {
        // A first registration that failed leaves nothing behind; a failed refresh keeps the
        // core's binding until it expires.
        if exchange.kind == .register {
            for token in exchange.tokens where byToken[token]?.upstreamExpiresAt == nil { remove(token: token) }
        }
        var mapped = status
        var warningText = warning
        if status == 423 {
            // The phone's interval is not the problem: Palisade's upstream one is.
            mapped = 500
            let minimum = response.field(.minExpires).map { String(decoding: response.value(of: $0), as: UTF8.self) } ?? "?"
            warningText = "the core registrar wants expires of at least \(minimum.trimmingASCIIWhitespace()); raise registrar.relay_expires_s"
        }
        var headers: [(String, String)] = []
        if let retry = response.field(.retryAfter) {
            headers.append(("Retry-After", String(decoding: response.value(of: retry), as: UTF8.self)))
        }
        if let warningText { headers.append(("Warning", "399 palisade \"\(warningText)\"")) }
        let reason = mapped == status ? response.reasonPhrase : nil
        return (SIPResponseBuilder.response(to: phoneRequest, status: mapped, reason: reason, toTag: toTag,
                                            headers: headers), .failed(status: status))
    }

    // MARK: - Expiry

    /// Removes and returns the bindings whose access side expired at `now` (the phone stopped
    /// refreshing), whose core binding expired, or that never got one in time. The shell sends
    /// `unregisterRequest` for those still registered upstream.
    public mutating func removeExpired(now: AuthInstant) -> [RelayedBinding<Flow>] {
        let dead = byToken.values.filter { binding in
            binding.accessExpiresAt <= now || binding.upstreamExpiresAt.map { $0 <= now } == true
        }
        for binding in dead { remove(token: binding.token) }
        return dead.sorted { $0.token < $1.token }
    }

    /// An operator's removal: the bindings of `aor`, or only the one whose phone Contact is `contact`.
    public mutating func remove(aor: String, contact: String?) -> [RelayedBinding<Flow>] {
        let key = Self.aorKey(aor) ?? aor
        let removed = byToken.values.filter { $0.aor == key && (contact == nil || $0.contact == contact) }
        for binding in removed { remove(token: binding.token) }
        return removed.sorted { $0.token < $1.token }
    }

    private mutating func remove(token: String) {
        guard let binding = byToken.removeValue(forKey: token) else { return }
        let key = BindingKey(aor: binding.aor, contact: binding.key)
        if tokenOf[key] == token { tokenOf[key] = nil }
    }

    /// Palisade's own unregister of a binding it dropped (Expires 0 on the binding's Call-ID, the
    /// next CSeq, with the phone's last credentials: a registrar that accepts them removes the
    /// binding now, one that challenges keeps it until its own expiry).
    public static func unregisterRequest(for binding: RelayedBinding<Flow>, face: Face) -> SIPMessage {
        register(requestURI: binding.requestURI, fromURI: binding.fromURI, fromTag: binding.upstreamFromTag,
                 toURI: binding.toURI, callID: binding.upstreamCallID, cseq: binding.upstreamCSeq &+ 1, face: face,
                 contacts: ["<\(face.contact(token: binding.token))>"], expires: 0, credentials: binding.credentials)
    }

    // MARK: - Messages

    /// The 200 to a phone: its AOR's live relayed bindings, each phone Contact with its access-side
    /// expiry (the core's own Contacts never cross).
    private func ok(_ request: SIPMessage, aor: String, now: AuthInstant, toTag: String) -> SIPMessage {
        let headers = bindings(aor: aor, now: now).map { binding in
            ("Contact", "<\(binding.contact)>;expires=\(binding.accessSecondsLeft(at: now))")
        }
        return SIPResponseBuilder.response(to: request, status: 200, toTag: toTag, headers: headers)
    }

    static func register(requestURI: String, fromURI: String, fromTag: String, toURI: String, callID: String,
                         cseq: UInt32, face: Face, contacts: [String], expires: Int?,
                         credentials: [RelayHeader]) -> SIPMessage {
        var headers: [(String, String)] = [("Via", face.via), ("Max-Forwards", "70"),
                                           ("From", "<\(fromURI)>;tag=\(fromTag)"), ("To", "<\(toURI)>"),
                                           ("Call-ID", callID), ("CSeq", "\(cseq) REGISTER")]
        for contact in contacts { headers.append(("Contact", contact)) }
        if let expires { headers.append(("Expires", "\(expires)")) }
        for credential in credentials { headers.append((credential.name, credential.value)) }
        return SIPMessage.request(.register, uri: requestURI, headers: headers)
    }

    /// The expiry the core granted Palisade's Contact for `token` (its `expires` parameter, else
    /// the Expires header); nil when the 200 does not list it.
    static func grantedExpires(in response: SIPMessage, token: String) -> Int? {
        let header = response.field(.expires).flatMap { Registrar<Flow>.decimal(response.value(of: $0)) }
        for contact in response.contacts {
            guard let user = contact.uri.user, user.elementsEqual(token.utf8) else { continue }
            if case .some(.some(let value)) = contact.parameters.lookup("expires"),
               let seconds = Registrar<Flow>.decimal(value) {
                return seconds
            }
            return header
        }
        return header
    }

    /// Authorization and Proxy-Authorization fields, as sent.
    static func credentials(of request: SIPMessage) -> [RelayHeader] {
        request.fields.compactMap { field in
            switch field.name {
            case .authorization: RelayHeader("Authorization", String(decoding: request.value(of: field), as: UTF8.self))
            case .proxyAuthorization:
                RelayHeader("Proxy-Authorization", String(decoding: request.value(of: field), as: UTF8.self))
            default: nil
            }
        }
    }

    /// A URI without its parameters and headers: `scheme:user@host[:port]`.
    static func bare(_ uri: SIPURI) -> String {
        let scheme = uri.scheme == .sips ? "sips" : "sip"
        let user = uri.user.map { String(decoding: $0, as: UTF8.self) + "@" } ?? ""
        let host = uri.host?.string ?? ""
        return "\(scheme):\(user)\(host)" + (uri.port.map { ":\($0)" } ?? "")
    }

    /// `sip:user@host`, host in lower case: how bindings of one AOR are grouped.
    static func aorKey(_ uri: SIPURI) -> String? {
        guard let user = uri.user, !user.isEmpty, let host = uri.host else { return nil }
        return "sip:" + String(decoding: user, as: UTF8.self) + "@" + RegistrarPolicy.normalizedHost(host.string)
    }

    static func aorKey(_ text: String) -> String? {
        let uri = text.hasPrefix("sip:") || text.hasPrefix("sips:") ? text : "sip:" + text
        return SIPURI(Array(uri.utf8)[...]).flatMap { aorKey($0) }
    }
}

/// What to do with a phone's REGISTER.
public enum RelayDecision<Flow: Hashable & Sendable>: Sendable {
    /// Answer the phone with this, now.
    case answer(SIPMessage, RelayOutcome)
    /// Send this REGISTER to the core registrar; its final answer goes to
    /// `RegistrationRelay.answered(_:exchange:phoneRequest:now:toTag:)` with `exchange`.
    case forward(SIPMessage, RelayExchange<Flow>)
}

/// One REGISTER in flight toward the core, and what its answer should change.
public struct RelayExchange<Flow: Hashable & Sendable>: Sendable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A binding the core does not hold yet (or a challenged first attempt).
        case register
        /// A binding the core holds, refreshed at its upstream expiry or from a new flow.
        case refresh
        case unregister
        case query
    }

    public var kind: Kind
    /// The AOR key (`sip:user@host`).
    public var aor: String
    public var tokens: [String]
    /// Granted to the phone when the core accepts.
    public var accessExpires: Int
    public var upstreamExpires: Int
    /// The binding as it becomes with the core's 200.
    var candidate: RelayedBinding<Flow>?
}

/// What one relayed REGISTER did, for logs and metrics.
public enum RelayOutcome: Sendable, Hashable {
    /// Answered from the table between upstream refreshes.
    case cached(aor: String)
    /// The core accepted the binding.
    case registered(aor: String, token: String)
    case unregistered(aor: String)
    case queried(aor: String)
    /// The core's 401/407 went to the phone.
    case challenged(status: Int)
    /// Refused here before anything went upstream.
    case refused(status: Int, why: String)
    /// The core (or the transaction: 408 timeout, 503 transport error) refused it.
    case failed(status: Int)

    public var result: String {
        switch self {
        case .cached: "cached"
        case .registered: "registered"
        case .unregistered: "unregistered"
        case .queried: "queried"
        case .challenged: "challenged"
        case .refused: "refused"
        case .failed: "failed"
        }
    }

    public static let results = ["cached", "registered", "unregistered", "queried", "challenged", "refused", "failed"]
}
