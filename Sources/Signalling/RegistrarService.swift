import AdminProtocol
import Logging
import MediaControlProtocol
import PosixSupport
import Registration
import ServiceLifecycle
import SIPAuth
import SIPMessage
import SIPTransport
import Synchronization

/// The shell around the embedded registrar (`Registration.Registrar`): SIPService hands it every
/// REGISTER with its flow; it supplies the clock, the randomness and the flow's address, keeps
/// the counters /metrics reads, and sweeps expired bindings once a second. The bindings answer
/// `lookup(aor:)` for routing a request from the core to a registered phone through its flow.
/// With `UDPKeepalive` set it also keeps the NAT mappings of UDP-registered phones open between
/// their re-registrations: one periodic sweep sends a CRLFCRLF to every distinct UDP flow of a
/// live binding (stream flows have their own RFC 5626 pings in the transport).
public final class RegistrarService: Service, Sendable {
    /// Keepalives to UDP-registered phones (`sip.keepalive_interval_s`).
    public struct UDPKeepalive: Sendable {
        public var interval: Duration
        /// Sends one keepalive on a UDP flow from the listener it came in on
        /// (`TransportLayer.keepalive(_:)` in the daemon).
        public var send: @Sendable (Flow) async throws -> Void

        public init(interval: Duration, send: @escaping @Sendable (Flow) async throws -> Void) {
            self.interval = interval
            self.send = send
        }
    }

    public struct Counters: Sendable {
        /// Requests by result (`RegistrationOutcome.result`).
        public var results: [String: Int] = [:]
        public var authFailures: [AuthFailureReason: Int] = [:]
        /// New INVITEs authenticated by the registrar, by `CallAuthenticationOutcome.result`.
        public var callAuthentications: [String: Int] = [:]
        /// Keepalives sent to registered phones, by transport.
        public var keepalivesSent: [String: Int] = [:]
        /// Keepalives that could not be sent (no listener, a socket error), by transport.
        public var keepaliveFailures: [String: Int] = [:]
        /// Relayed REGISTERs from phones, by `RelayOutcome.result` (`cached`: answered from the table).
        public var relayResults: [String: Int] = [:]
        /// REGISTERs Palisade sent to the core registrar, by `RelayExchange.Kind` (and `cleanup`
        /// for its own unregisters of bindings the phone let expire).
        public var relayUpstream: [String: Int] = [:]
        /// Upstream REGISTERs that failed, by reason (`4xx`, `5xx`, `6xx`, `timeout`,
        /// `no-target`, `cleanup-refused`).
        public var relayFailures: [String: Int] = [:]
    }

    private let registrar: Mutex<Registrar<Flow>>
    let counters = Mutex(Counters())
    /// Relayed bindings the operator removed that the core still holds: the relay sweep
    /// unregisters them upstream with the expired ones.
    let removedRelayed = Mutex<[RelayedBinding<Flow>]>([])
    private let epoch = ContinuousClock.now
    let logger: Logger
    /// `[registrar] users_file` is set: calls from untrusted realms are authenticated.
    private let usersFile: Mutex<Bool>
    /// `registrar.ban_refused_sources`: given each address the auth-failure throttle starts
    /// refusing, once per refusal, to be banned at the firewall (palisade-media) for as long.
    private let banSource: (@Sendable (SourceBan) -> Void)?
    /// Addresses already handed to `banSource`, until when.
    private let bannedUntil = Mutex<[String: ContinuousClock.Instant]>([:])
    private let udpKeepalive: UDPKeepalive?
    /// The registration relay (`registrar.mode = "relay"`): REGISTER goes to the core registrar;
    /// nil inside in embedded mode. (A Mutex of an optional, not an optional Mutex: optional
    /// chaining into a `Mutex?` crashed in `_lockSlow` when it was nil, Swift 6.3.1.)
    let relay: Mutex<RegistrationRelay<Flow>?>
    /// Where relayed REGISTERs go; nil: the embedded registrar answers REGISTER. Its targets
    /// follow a configuration reload (`replaceRelayTargets`).
    public var relayUpstream: RelayUpstream? { upstream.withLock { $0 } }
    let upstream: Mutex<RelayUpstream?>

    public init(registrar: Registrar<Flow>, usersFileConfigured: Bool = false, udpKeepalive: UDPKeepalive? = nil,
                banSource: (@Sendable (SourceBan) -> Void)? = nil, relay: RelayUpstream? = nil, logger: Logger) {
        self.relay = Mutex(relay.map { RegistrationRelay(policy: $0.policy) })
        upstream = Mutex(relay)
        self.registrar = Mutex(registrar)
        self.usersFile = Mutex(usersFileConfigured)
        self.udpKeepalive = udpKeepalive
        self.banSource = banSource
        self.logger = logger
    }

    /// Whether a users file is configured (a reload may add or remove it).
    public var authenticatesCalls: Bool { usersFile.withLock { $0 } }

    /// The registrar's clock: milliseconds since this service was made (monotonic).
    var now: AuthInstant {
        let elapsed = ContinuousClock.now - epoch
        return AuthInstant(milliseconds: UInt64(max(0, elapsed.components.seconds)) * 1000
            + UInt64(max(0, elapsed.components.attoseconds / 1_000_000_000_000_000)))
    }

    /// The answer to a REGISTER that arrived on `flow`; the caller sends it after `delay`.
    public func answer(_ request: SIPMessage, on flow: Flow, toTag: String) -> RegistrarAnswer {
        let source = RegistrationSource(transport: flow.transport.rawValue, host: flow.remote.ipAddress ?? "?",
                                        port: flow.remote.port ?? 0, realm: flow.realm)
        let now = self.now
        let answer = registrar.withLock {
            $0.handle(request, flow: flow, source: source, now: now, salt: IdentifierRandom.word(),
                      toTag: toTag)
        }
        counters.withLock { counters in
            counters.results[answer.outcome.result, default: 0] += 1
            if case .authenticationFailed(let reason) = answer.outcome { counters.authFailures[reason, default: 0] += 1 }
        }
        log(answer.outcome, source: source, flow: flow)
        switch answer.outcome {
        case .throttled, .authenticationFailed: banIfRefused(answer.response, host: source.host)
        default: break
        }
        return answer
    }

    /// The live bindings of an AOR (a URI like `sip:alice@example.com`), each with the flow it
    /// registered on: what routing from the core to a phone needs.
    public func lookup(aor: String) -> [Binding<Flow>] {
        let now = self.now
        return registrar.withLock { $0.lookup(aor: aor, now: now) }
    }

    /// New users (a reload of the users file); bindings and nonces in flight stay.
    public func replaceUsers(_ users: UserTable) {
        registrar.withLock { $0.replaceUsers(users) }
    }

    /// New users from a reload that may have set or unset `users_file`.
    public func replaceUsers(_ users: UserTable, usersFileConfigured: Bool) {
        registrar.withLock { $0.replaceUsers(users) }
        usersFile.withLock { $0 = usersFileConfigured }
    }

    /// `request` without the Proxy-Authorization fields for Palisade's own realm: credentials
    /// consumed here never travel on to the core (a 407 from the core's own proxy still gets its
    /// credentials through, they name another realm).
    public func withoutOwnCredentials(_ request: SIPMessage) -> SIPMessage {
        let realm = registrar.withLock { $0.authenticator.configuration.realm }
        var edited = request
        var removed = false
        for field in request.fields where field.name == .proxyAuthorization {
            guard let parsed = try? DigestCredentials(parsing: request.value(of: field)), parsed.realm == realm else { continue }
            edited.removeField(field)
            removed = true
        }
        guard removed, let reparsed = try? SIPMessage(parsing: edited.printed) else { return request }
        return reparsed
    }

    /// Proxy authentication of a new INVITE that arrived on `flow` (`Registrar.authenticateCall`):
    /// the same users, nonces and auth-failure throttle as REGISTER.
    public func authenticateCall(_ request: SIPMessage, on flow: Flow, toTag: String) -> CallAuthenticationAnswer {
        let source = RegistrationSource(transport: flow.transport.rawValue, host: flow.remote.ipAddress ?? "?",
                                        port: flow.remote.port ?? 0, realm: flow.realm)
        let now = self.now
        let answer = registrar.withLock {
            $0.authenticateCall(request, source: source, now: now, salt: IdentifierRandom.word(), toTag: toTag)
        }
        let outcome: CallAuthenticationOutcome
        switch answer {
        case .authenticated: outcome = .authenticated
        case .answer(_, _, let o): outcome = o
        }
        counters.withLock { $0.callAuthentications[outcome.result, default: 0] += 1 }
        switch outcome {
        case .failed(let reason):
            logger.notice("call authentication failed", metadata: ["reason": "\(reason.rawValue)", "source": "\(source)"])
            if case .answer(let response, _, _) = answer { banIfRefused(response, host: source.host) }
        case .throttled:
            logger.notice("call refused by the auth-failure throttle", metadata: ["source": "\(source)"])
            if case .answer(let response, _, _) = answer { banIfRefused(response, host: source.host) }
        case .authenticated, .challenged:
            logger.debug("call \(outcome.result)", metadata: ["source": "\(source)"])
        }
        return answer
    }

    /// An authentication answer that is the throttle's 503 (Retry-After: the rest of the
    /// cool-off) bans its source at the firewall for that long, once per refusal.
    private func banIfRefused(_ response: SIPMessage, host: String) {
        guard let banSource, response.statusCode == 503, let seconds = Self.retryAfterSeconds(response),
              seconds > 0 else { return }
        let now = ContinuousClock.now
        let fresh = bannedUntil.withLock { table in
            table = table.filter { $0.value > now }
            guard table[host] == nil else { return false }
            table[host] = now + .seconds(seconds)
            return true
        }
        guard fresh else { return }
        logger.warning("banning a source the auth-failure throttle refuses",
                       metadata: ["source": "\(host)", "seconds": "\(seconds)"])
        banSource(SourceBan(address: host, seconds: seconds, reason: "auth-failure throttle"))
    }

    /// The delta-seconds of a Retry-After field (RFC 3261 §20.33), comment and parameters ignored.
    static func retryAfterSeconds(_ response: SIPMessage) -> Int? {
        guard let field = response.fields.first(where: { $0.name == .retryAfter }) else { return nil }
        let digits = response.value(of: field).drop { $0 == 0x20 || $0 == 0x09 }.prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    public var activeBindings: Int { registrar.withLock { $0.bindings.count } }
    public var counterSnapshot: Counters { counters.withLock { $0 } }

    /// Sweeps expired bindings once a second, and sends the UDP keepalives every interval, until
    /// shutdown. Two loops, so a slow keepalive round never delays expiry.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        self.sweep()
                    }
                }
                if let keepalive = self.udpKeepalive {
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: keepalive.interval)
                            if Task.isCancelled { break }
                            await self.sendKeepalives(keepalive)
                        }
                    }
                }
            }
        }
    }

    /// One keepalive round: a CRLFCRLF to each distinct UDP flow of a live binding, once however
    /// many contacts registered on it. A phone that does not answer is not removed: CRLF over UDP
    /// gets no answer; its binding lives until it expires or is refreshed.
    func sendKeepalives(_ keepalive: UDPKeepalive) async {
        let now = self.now
        var flows = registrar.withLock {
            $0.bindings.keepaliveFlows(now: now) { $0.transport == .udp && $0.connection == nil }
        }
        // Relayed bindings' UDP flows too, each once.
        for flow in relayedFlows(now: now) where flow.transport == .udp && flow.connection == nil && !flows.contains(flow) {
            flows.append(flow)
        }
        var sent = 0, failed = 0
        for flow in flows {
            do {
                try await keepalive.send(flow)
                sent += 1
            } catch {
                failed += 1
                logger.debug("keepalive not sent", metadata: ["flow": "\(flow)", "error": "\(error)"])
            }
        }
        guard !flows.isEmpty else { return }
        counters.withLock {
            $0.keepalivesSent[TransportKind.udp.rawValue, default: 0] += sent
            $0.keepaliveFailures[TransportKind.udp.rawValue, default: 0] += failed
        }
        logger.trace("keepalives sent", metadata: ["sent": "\(sent)", "failed": "\(failed)"])
    }

    func sweep() {
        let now = self.now
        let expired = registrar.withLock { $0.removeExpired(now: now) }
        for binding in expired {
            logger.info("registration expired", metadata: ["aor": "\(binding.aor)", "contact": "\(binding.contact)",
                                                           "flow": "\(binding.flow)"])
        }
    }

    private func log(_ outcome: RegistrationOutcome, source: RegistrationSource, flow: Flow) {
        switch outcome {
        case .registered(let aor, _), .unregistered(let aor, _):
            let bindings = lookup(aor: aor)
            logger.info("\(outcome.result)", metadata: [
                "aor": "\(aor)", "flow": "\(flow)", "bindings": "\(bindings.count)",
                "contacts": "\(bindings.map { "\($0.contact) via \($0.source) nat=\($0.nat) route=\($0.routingURI)" })"])
        case .authenticationFailed(let reason):
            logger.notice("registration authentication failed", metadata: ["reason": "\(reason.rawValue)",
                                                                          "source": "\(source)"])
        case .throttled:
            logger.notice("registration refused by the auth-failure throttle", metadata: ["source": "\(source)"])
        case .refused(let status, let why):
            logger.info("registration refused", metadata: ["status": "\(status)", "why": "\(why)", "source": "\(source)"])
        case .queried, .challenged:
            logger.debug("registration \(outcome.result)", metadata: ["source": "\(source)"])
        }
    }
}

/// The B2BUA's view of the bindings: a request from the core for `user` goes to the binding
/// registered most recently (the latest expiry) on a reachable flow of the realm the call is
/// routed to.
extension RegistrarService: RegistrationLookup {
    public func binding(user: String, domain: String?, realm: String,
                        reachable: (Flow) -> Bool) async -> RegisteredBinding? {
        if let relayed = relayedBinding(token: user, realm: realm) { return reachable(relayed.flow) ? relayed : nil }
        let domain = domain ?? registrar.withLock { $0.policy.domain }
        let live = lookup(aor: "sip:\(user)@\(domain)").filter { $0.flow.realm == realm && reachable($0.flow) }
        guard let latest = live.max(by: { $0.expiresAt < $1.expiresAt }) else { return nil }
        return RegisteredBinding(contact: latest.contact, flow: latest.flow)
    }
}

extension RegistrarService {
    /// Every live binding, by address of record, for `palisadectl registrations list`.
    public func summaries() -> [RegistrationSummary] {
        let now = self.now
        return registrar.withLock { $0.bindings.all }.filter { $0.expiresAt > now }.map { binding in
            RegistrationSummary(
                aor: binding.aor, contact: binding.contact,
                flow: "\(binding.source.transport) \(binding.source.host):\(binding.source.port)",
                realm: binding.source.realm, behindNAT: binding.isBehindNAT,
                expiresInSeconds: Double(binding.expiresAt.milliseconds &- now.milliseconds) / 1000)
        } + relayedSummaries(now: now)
    }
}

extension RegistrarService {
    /// The live bindings of one address of record (a URI or `user@domain`), for
    /// `palisadectl registrations show`.
    public func details(aor: String) -> RegistrationDetail {
        let now = self.now
        let (canonical, bindings) = registrar.withLock { r in
            let canonical = Self.canonical(aor, in: r)
            return (canonical, r.bindings.lookup(aor: canonical, now: now))
        }
        let relayed = relayedDetails(aor: aor, now: now)
        return RegistrationDetail(aor: relayed.isEmpty ? canonical : relayed[0].aor, removed: false,
                                  bindings: bindings.map { Self.detail($0, now: now) } + relayed)
    }

    /// `palisadectl registrations remove AOR [CONTACT]`: removes the bindings and returns them.
    public func remove(aor: String, contact: String?) -> RegistrationDetail {
        let now = self.now
        let (canonical, removed) = registrar.withLock { r in
            let canonical = Self.canonical(aor, in: r)
            return (canonical, r.remove(aor: canonical, contact: contact))
        }
        for binding in removed {
            logger.notice("registration removed by the operator", metadata: ["aor": "\(binding.aor)",
                                                                              "contact": "\(binding.contact)"])
        }
        let relayed = removeRelayed(aor: aor, contact: contact, now: now)
        return RegistrationDetail(aor: relayed.isEmpty ? canonical : relayed[0].aor, removed: true,
                                  bindings: removed.map { Self.detail($0, now: now) } + relayed)
    }

    /// How many live bindings registered on each flow (for `palisadectl flows list`).
    public func bindingsPerFlow() -> [Flow: Int] {
        let now = self.now
        var counts: [Flow: Int] = [:]
        for binding in registrar.withLock({ $0.bindings.all }) where binding.expiresAt > now {
            counts[binding.flow, default: 0] += 1
        }
        for flow in relayedFlows(now: now) { counts[flow, default: 0] += 1 }
        return counts
    }

    /// `alice@example.com` and `sip:alice@example.com` both name `sip:alice@<domain>`.
    private static func canonical(_ aor: String, in registrar: Registrar<Flow>) -> String {
        let uri = aor.hasPrefix("sip:") || aor.hasPrefix("sips:") ? aor : "sip:" + aor
        return registrar.canonicalAOR(uri) ?? uri
    }

    /// A binding's flow for the operator: transport, remote address, and the connection if any.
    static func describe(_ flow: Flow) -> String {
        "\(flow.transport.rawValue) \(flow.remote.ipAddress ?? "?"):\(flow.remote.port ?? 0)"
            + (flow.connection.map { " (\($0))" } ?? "")
    }

    private static func detail(_ binding: Binding<Flow>, now: AuthInstant) -> BindingDetail {
        BindingDetail(
            aor: binding.aor, contact: binding.contact,
            flow: describe(binding.flow),
            transport: binding.source.transport, source: "\(binding.source.host):\(binding.source.port)",
            realm: binding.source.realm, behindNAT: binding.isBehindNAT, nat: "\(binding.nat)",
            expiresInSeconds: Double(Int64(binding.expiresAt.milliseconds) - Int64(now.milliseconds)) / 1000,
            userAgent: binding.userAgent, callID: binding.callID, cseq: binding.cseq)
    }
}
