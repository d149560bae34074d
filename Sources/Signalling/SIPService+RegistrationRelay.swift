import B2BUA
import PosixSupport
import Registration
import SIPCore
import SIPMessage
import SIPTransport

/// The registration relay's transactions (issue 6 item 4): a phone's REGISTER is answered from
/// the relay's table or sent on, as Palisade's own REGISTER from its face in the relay realm, to
/// the first usable target of that realm; the core's final answer is mapped onto the phone's
/// REGISTER. Once a second, bindings the phone let expire are dropped and unregistered upstream.
extension SIPService {
    func relayRegister(_ request: SIPMessage, key: TransactionKey, flow: Flow, registrar: RegistrarService,
                       upstream: RelayUpstream) {
        let ordered = RoutePlan.order(upstream.targets) { IdentifierRandom.value(in: 0...$0) }
        relayRegister(request, key: key, flow: flow, registrar: registrar, upstream: upstream,
                      targets: targetHealth.withLock { $0.usable(ordered) })
    }

    /// Relays `request` to the first of `targets`; the others are the failover order.
    private func relayRegister(_ request: SIPMessage, key: TransactionKey, flow: Flow, registrar: RegistrarService,
                               upstream: RelayUpstream, targets: [RouteTarget]) {
        guard let target = targets.first,
              let face = relayFace(realm: upstream.realm, transport: Self.kind(target.transport)) else {
            registrar.relayUnreachable()
            logger.warning("no target or listener for the registration relay", metadata: ["realm": "\(upstream.realm)"])
            respond(SIPResponseBuilder.response(to: request, status: 503, toTag: Self.makeTag(),
                                                headers: [("Retry-After", "30")]), on: key)
            return
        }
        let fresh = RegistrationRelay<Flow>.Identifiers(token: "r" + Self.makeTag() + Self.makeTag(),
                                                        callID: Self.makeTag() + Self.makeTag() + Self.makeTag(),
                                                        fromTag: Self.makeTag())
        switch registrar.relay(request, on: flow, face: face, fresh: fresh, toTag: Self.makeTag()) {
        case .answer(let response, _)?:
            respond(response, on: key)
        case .forward(let upstreamRequest, let exchange)?:
            let kind = Self.kind(target.transport)
            let hop = Hop.destination(OutboundDestination(realm: target.realm, transport: kind,
                                                          address: HostPort(target.host, target.port)))
            if startClient(upstreamRequest, hop: hop, transport: kind,
                           purpose: .registerRelay(server: key, request: request, exchange: exchange,
                                                   remaining: Array(targets.dropFirst()))) == nil {
                respond(SIPResponseBuilder.response(to: request, status: 500, toTag: Self.makeTag()), on: key)
            }
        case nil:
            respond(SIPResponseBuilder.response(to: request, status: 500, toTag: Self.makeTag()), on: key)
        }
    }

    /// Palisade's face in the relay realm on `transport`: a fresh top Via and the address its
    /// per-binding Contacts name.
    func relayFace(realm: String, transport kind: TransportKind) -> RegistrationRelay<Flow>.Face? {
        guard let via = via(realm: realm, transport: kind),
              let advertised = transport.advertised(realm: realm, transport: kind) else { return nil }
        return RegistrationRelay<Flow>.Face(via: via, hostPort: "\(advertised)", transport: kind.rawValue)
    }

    /// The core's answer to a relayed REGISTER. Provisional answers stay here (the phone's server
    /// transaction already sent its own 100 over unreliable transports, or needs none).
    func relayAnswered(_ response: SIPMessage, server: TransactionKey, request: SIPMessage,
                       exchange: RelayExchange<Flow>, remaining: [RouteTarget]) {
        guard let status = response.statusCode, status >= 200, let registrar else { return }
        // A timeout, a transport error or a 503: the phone's REGISTER goes through the relay again
        // toward the next target (the binding's next CSeq on the same Call-ID; nothing committed).
        if RoutePlan.failsOver(status: status), !remaining.isEmpty, let upstream = registrar.relayUpstream,
           case .flow(let flow)? = hops[server] {
            registrar.countRelayFailure(status: status)
            logger.info("relayed REGISTER failing over to the next registrar target",
                        metadata: ["status": "\(status)", "next": "\(remaining[0])", "aor": "\(exchange.aor)"])
            relayRegister(request, key: server, flow: flow, registrar: registrar, upstream: upstream, targets: remaining)
            return
        }
        let mapped = registrar.relayAnswered(response, exchange: exchange, phoneRequest: request, toTag: Self.makeTag())
        respond(mapped, on: server)
    }

    /// Once a second: drops relayed bindings that expired and unregisters upstream those the core
    /// still holds.
    func startRelaySweep() {
        guard let registrar, registrar.relayUpstream != nil, relaySweepTask == nil else { return }
        relaySweepTask = Task { [weak self] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                guard let self else { return }
                await self.sweepRelayed(registrar)
            }
        }
    }

    private func sweepRelayed(_ registrar: RegistrarService) {
        guard let upstream = registrar.relayUpstream else { return }
        let expired = registrar.removeExpiredRelayed()
        guard !expired.isEmpty else { return }
        let ordered = RoutePlan.order(upstream.targets) { IdentifierRandom.value(in: 0...$0) }
        guard let target = targetHealth.withLock({ $0.usable(ordered) }).first else { return }
        let kind = Self.kind(target.transport)
        let hop = Hop.destination(OutboundDestination(realm: target.realm, transport: kind,
                                                      address: HostPort(target.host, target.port)))
        for binding in expired {
            guard let face = relayFace(realm: upstream.realm, transport: kind) else { return }
            let unregister = RegistrationRelay<Flow>.unregisterRequest(for: binding, face: face)
            startClient(unregister, hop: hop, transport: kind, purpose: .relayCleanup(token: binding.token))
        }
    }
}
