import AdminProtocol
import B2BUA
import Registration
import SIPAuth
import SIPCore
import SIPMessage
import SIPTransport

/// Where the registration relay sends REGISTER (`registrar.mode = "relay"`): the targets of the
/// realm `registrar.relay_realm`, in priority/weight order, those OPTIONS probes found down
/// skipped; and the relay's expiry policy.
public struct RelayUpstream: Sendable {
    public var realm: String
    public var targets: [RouteTarget]
    public var policy: RegistrationRelay<Flow>.Policy

    public init(realm: String, targets: [RouteTarget], policy: RegistrationRelay<Flow>.Policy) {
        self.realm = realm
        self.targets = targets
        self.policy = policy
    }
}

/// The registration relay's half of the shell: the table lives here beside the embedded
/// registrar (so `registrations list|show|remove`, `flows list`, keepalives and routing from the
/// core see both); SIPService runs the upstream transactions (`SIPService+RegistrationRelay.swift`).
extension RegistrarService {
    /// The relay realm's targets after a configuration reload, for REGISTERs relayed from now on
    /// (an exchange under way keeps the failover order it started with). False in embedded mode.
    @discardableResult
    public func replaceRelayTargets(_ targets: [RouteTarget]) -> Bool {
        upstream.withLock { upstream in
            guard upstream != nil else { return false }
            upstream?.targets = targets
            return true
        }
    }

    /// A phone's REGISTER that arrived on `flow`: answered here, or a REGISTER for the core.
    public func relay(_ request: SIPMessage, on flow: Flow, face: RegistrationRelay<Flow>.Face,
                      fresh: RegistrationRelay<Flow>.Identifiers, toTag: String) -> RelayDecision<Flow>? {
        let source = RegistrationSource(transport: flow.transport.rawValue, host: flow.remote.ipAddress ?? "?",
                                        port: flow.remote.port ?? 0, realm: flow.realm)
        let now = self.now
        guard let decision = relay.withLock({
            $0?.handle(request, flow: flow, source: source, now: now, fresh: fresh, face: face, toTag: toTag)
        }) else { return nil }
        switch decision {
        case .answer(_, let outcome):
            count(outcome)
            logger.debug("relayed registration answered here", metadata: ["result": "\(outcome.result)",
                                                                           "source": "\(source)"])
        case .forward(_, let exchange):
            counters.withLock { $0.relayUpstream[exchange.kind.rawValue, default: 0] += 1 }
            logger.debug("registration relayed to the core", metadata: ["kind": "\(exchange.kind.rawValue)",
                                                                         "aor": "\(exchange.aor)", "source": "\(source)"])
        }
        return decision
    }

    /// The core's final answer to a relayed REGISTER, mapped for the phone.
    public func relayAnswered(_ response: SIPMessage, exchange: RelayExchange<Flow>, phoneRequest: SIPMessage,
                              toTag: String) -> SIPMessage {
        let now = self.now
        guard let (mapped, outcome) = relay.withLock({
            $0?.answered(response, exchange: exchange, phoneRequest: phoneRequest, now: now, toTag: toTag)
        }) else {
            return SIPResponseBuilder.response(to: phoneRequest, status: 500, toTag: toTag)
        }
        count(outcome)
        switch outcome {
        case .registered(let aor, let token):
            let binding = relay.withLock { $0?.binding(token: token, now: now) }
            logger.info("registered through the relay", metadata: [
                "aor": "\(aor)", "contact": "\(binding?.contact ?? "?")", "as": "\(binding?.upstreamContact ?? "?")",
                "flow": "\(binding.map { "\($0.flow)" } ?? "?")",
                "upstream-expires": "\(binding?.upstreamSecondsLeft(at: now) ?? 0)"])
        case .unregistered(let aor):
            logger.info("unregistered through the relay", metadata: ["aor": "\(aor)"])
        case .failed(let status):
            countRelayFailure(status: status)
            logger.notice("the core registrar refused a relayed registration",
                          metadata: ["aor": "\(exchange.aor)", "status": "\(status)"])
        case .cached, .queried, .challenged, .refused:
            logger.debug("relayed registration \(outcome.result)", metadata: ["aor": "\(exchange.aor)"])
        }
        return mapped
    }

    /// No upstream target at all (none configured is refused by the configuration check; this is
    /// a transport that cannot reach one).
    public func relayUnreachable() {
        counters.withLock { $0.relayFailures["no-target", default: 0] += 1 }
    }

    /// Palisade's own unregister of an expired binding got this final answer.
    public func relayCleanupAnswered(_ response: SIPMessage, token: String) {
        let status = response.statusCode ?? 500
        guard !(200..<300).contains(status) else { return }
        counters.withLock { $0.relayFailures["cleanup-refused", default: 0] += 1 }
        logger.info("the core registrar did not take Palisade's unregister; its binding lives until its own expiry",
                    metadata: ["token": "\(token)", "status": "\(status)"])
    }

    /// Removes the relayed bindings expired at `now`; returns those the core still holds, and
    /// those the operator removed since the last call, for Palisade's own unregister.
    public func removeExpiredRelayed() -> [RelayedBinding<Flow>] {
        let now = self.now
        let expired = relay.withLock { $0?.removeExpired(now: now) } ?? []
        for binding in expired {
            logger.info("relayed registration expired", metadata: [
                "aor": "\(binding.aor)", "contact": "\(binding.contact)", "as": "\(binding.upstreamContact)",
                "access-left": "\(binding.accessSecondsLeft(at: now))",
                "upstream-left": "\(binding.upstreamSecondsLeft(at: now))"])
        }
        let removed = removedRelayed.withLock { removed in
            defer { removed = [] }
            return removed
        }
        let toUnregister = (expired + removed).filter { $0.isRegisteredUpstream(at: now) }
        if !toUnregister.isEmpty {
            counters.withLock { $0.relayUpstream["cleanup", default: 0] += toUnregister.count }
        }
        return toUnregister
    }

    public var activeRelayedBindings: Int {
        let now = self.now
        return relay.withLock { $0?.all.filter { $0.isLive(at: now) }.count } ?? 0
    }

    private func count(_ outcome: RelayOutcome) {
        counters.withLock { $0.relayResults[outcome.result, default: 0] += 1 }
    }

    func countRelayFailure(status: Int) {
        let reason = status == 408 ? "timeout" : "\(status / 100)xx"
        counters.withLock { $0.relayFailures[reason, default: 0] += 1 }
    }

    /// Every reason of `Counters.relayFailures`, for metrics that list zeros.
    public static let relayFailureReasons = ["4xx", "5xx", "6xx", "timeout", "no-target", "cleanup-refused"]
    /// Every kind of `Counters.relayUpstream`.
    public static let relayUpstreamKinds = RelayExchange<Flow>.Kind.allCases.map(\.rawValue) + ["cleanup"]

    // MARK: - Views for routing and palisadectl

    func relayedBinding(token: String, realm: String) -> RegisteredBinding? {
        let now = self.now
        guard let binding = relay.withLock({ $0?.binding(token: token, now: now) }), binding.flow.realm == realm
        else { return nil }
        return RegisteredBinding(contact: binding.contact, flow: binding.flow)
    }

    func relayedFlows(now: AuthInstant) -> [Flow] {
        relay.withLock { $0?.all.filter { $0.isLive(at: now) }.map(\.flow) } ?? []
    }

    func relayedSummaries(now: AuthInstant) -> [RegistrationSummary] {
        let live = relay.withLock { $0?.all.filter { $0.isLive(at: now) } } ?? []
        return live.map { binding in
            RegistrationSummary(aor: binding.aor, contact: binding.contact,
                                flow: "\(binding.source.transport) \(binding.source.host):\(binding.source.port)",
                                realm: binding.source.realm, behindNAT: binding.isBehindNAT,
                                expiresInSeconds: Double(binding.accessExpiresAt.milliseconds &- now.milliseconds) / 1000,
                                relayedAs: binding.upstreamContact)
        }
    }

    func relayedDetails(aor: String, now: AuthInstant) -> [BindingDetail] {
        (relay.withLock { $0?.bindings(aor: aor, now: now) } ?? []).map { Self.detail($0, now: now) }
    }

    func removeRelayed(aor: String, contact: String?, now: AuthInstant) -> [BindingDetail] {
        let removed = relay.withLock { $0?.remove(aor: aor, contact: contact) } ?? []
        for binding in removed {
            logger.notice("relayed registration removed by the operator; unregistering it at the core",
                          metadata: ["aor": "\(binding.aor)", "contact": "\(binding.contact)"])
        }
        removedRelayed.withLock { $0 += removed }
        return removed.map { Self.detail($0, now: now) }
    }

    private static func detail(_ binding: RelayedBinding<Flow>, now: AuthInstant) -> BindingDetail {
        BindingDetail(
            aor: binding.aor, contact: binding.contact,
            flow: describe(binding.flow),
            transport: binding.source.transport, source: "\(binding.source.host):\(binding.source.port)",
            realm: binding.source.realm, behindNAT: binding.isBehindNAT, nat: "\(binding.nat)",
            expiresInSeconds: Double(Int64(binding.accessExpiresAt.milliseconds) - Int64(now.milliseconds)) / 1000,
            userAgent: binding.userAgent, callID: binding.phoneCallID, cseq: binding.phoneCSeq,
            relayedAs: binding.upstreamContact,
            upstreamExpiresInSeconds: Double(binding.upstreamSecondsLeft(at: now)))
    }
}
