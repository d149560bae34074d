import B2BUA
import SIPCore
import SIPMessage
import SIPTransport

/// OPTIONS probing of configured targets (issue 6, item 3): every `target_probe_interval_s`
/// each target of a realm gets an OPTIONS from Palisade's own face in that realm, through an
/// ordinary client transaction; `B2BUA.TargetHealth` turns the answers into up and down, and
/// new calls skip targets that are down.
extension SIPService {
    /// Starts one probe loop per target of a realm with probing on; the first probe goes out at
    /// once, so a dead target is known before the first call needs it.
    func startProbing() {
        guard let calls, probeTasks.isEmpty else { return }
        for target in calls.targets {
            guard let interval = calls.realms[target.realm]?.targetProbeInterval else { continue }
            probeTasks.append(Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { return }
                    await self.probe(target)
                    do { try await Task.sleep(for: interval) } catch { return }
                }
            })
        }
    }

    /// Sends one OPTIONS to `target` unless one is still outstanding. RFC 3261 §11.1: an
    /// out-of-dialog OPTIONS like any request, with Palisade's Via, From and Contact in the
    /// target's realm only (nothing of another realm), Max-Forwards 70.
    func probe(_ target: RouteTarget) {
        guard !probesInFlight.contains(target) else { return }
        let kind = Self.kind(target.transport)
        guard let via = via(realm: target.realm, transport: kind),
              let contact = transport.uri(realm: target.realm, transport: kind),
              let face = transport.advertised(realm: target.realm, transport: kind) else {
            logger.debug("no listener to probe a target from", metadata: ["realm": "\(target.realm)", "target": "\(target)"])
            return
        }
        let uri = target.requestURI(user: nil)
        let scheme = kind == .tls ? "sips" : "sip"
        let request = SIPMessage.request(.options, uri: uri, headers: [
            ("Via", via),
            ("Max-Forwards", "70"),
            ("From", "<\(scheme):palisade@\(face.uriHost)>;tag=\(Self.makeTag())"),
            ("To", "<\(uri)>"),
            ("Call-ID", Self.makeTag() + Self.makeTag()),
            ("CSeq", "1 OPTIONS"),
            ("Contact", "<\(contact)>"),
            ("Accept", "application/sdp"),
        ])
        let hop = Hop.destination(OutboundDestination(realm: target.realm, transport: kind,
                                                      address: HostPort(target.host, target.port)))
        guard startClient(request, hop: hop, transport: kind, purpose: .probe(target)) != nil else { return }
        probesInFlight.insert(target)
    }

    /// A final answer to a probe (408 on Timer F, 503 on a transport error): the target's
    /// health, and each change logged once.
    func probeAnswered(_ target: RouteTarget, response: SIPMessage) {
        guard let status = response.statusCode, status >= 200 else { return }
        guard let change = targetHealth.withLock({ $0.probed(target, status: status) }) else { return }
        switch change {
        case .down(let status):
            logger.warning("target down: new calls skip it until it answers a probe", metadata: [
                "realm": "\(target.realm)", "target": "\(target)",
                "cause": "\(status == 408 ? "no answer (408 timeout)" : "\(status)")"])
        case .up(let status):
            logger.notice("target up", metadata: ["realm": "\(target.realm)", "target": "\(target)",
                                                  "status": "\(status)"])
        }
    }

    /// Every configured target and whether it is up, for /metrics (`palisade_target_up`).
    public nonisolated var targetsUp: [(target: RouteTarget, up: Bool)] {
        let targets = calls?.targets ?? []
        return targetHealth.withLock { health in targets.map { ($0, health.isUp($0)) } }
    }
}
