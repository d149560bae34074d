import AdminProtocol
import MediaControlProtocol
import NIOCore
import PosixSupport
import Signalling
import SIPTransport

/// The inspection commands: `calls list` filters, `calls show`, `registrations show|remove`,
/// `flows list`, `media sessions`, `tls certificates`.
extension AdminCommands {
    /// `calls list [--realm R] [--user U] [--min-age SECONDS]`.
    func callsList(_ arguments: [String]) async -> Result<AdminReply.Body, AdminFailure> {
        let filter: CallFilter
        do { filter = try CallFilter(arguments: arguments) } catch { return .failure(error) }
        return .success(.calls(await sip.callSummaries().filter(filter.matches)))
    }

    /// `calls show ID`: the call from the signalling side, its streams from palisade-media.
    func callDetail(_ arguments: [String]) async -> Result<AdminReply.Body, AdminFailure> {
        guard arguments.count == 1 else {
            return .failure(AdminFailure(.badArgument, "calls show takes one call ID (from palisadectl calls list)"))
        }
        guard var detail = await sip.callDetail(arguments[0]) else {
            return .failure(AdminFailure(.badArgument, "no call \(arguments[0]) in progress; see palisadectl calls list"))
        }
        let hasMedia = detail.legs.contains { !$0.sdp.isEmpty }
        guard hasMedia else { return .success(.callDetail(detail)) }
        guard link.state.isConnected else {
            detail.mediaError = "palisade-media is not connected"
            return .success(.callDetail(detail))
        }
        do {
            let reply = try await link.request(.querySession(SessionReference(session: detail.call.id)),
                                               timeoutMilliseconds: timeoutMilliseconds)
            guard case .queried(let session) = reply else {
                detail.mediaError = "palisade-media answered query-session oddly"
                return .success(.callDetail(detail))
            }
            let advertised = Dictionary(detail.legs.flatMap { leg in leg.sdp.map { ("\(leg.leg)\($0.stream)", $0.media) } },
                                        uniquingKeysWith: { first, _ in first })
            detail.streams = Self.legs(session, now: WallClock.now()).map { leg in
                var leg = leg
                leg.advertised = advertised["\(leg.leg)\(leg.stream)"] ?? nil
                return leg
            }
        } catch {
            detail.mediaError = "palisade-media: \(error)"
        }
        return .success(.callDetail(detail))
    }

    /// One row per leg of every stream of `session`.
    static func legs(_ session: SessionStatistics, now: Double) -> [MediaLegSummary] {
        session.streams.flatMap { stream in
            [("a", stream.a), ("b", stream.b)].map { leg, figures in
                MediaLegSummary(session: session.session, stream: stream.index, leg: leg,
                                latched: figures.latched?.description, latchReason: figures.latchReason,
                                packets: figures.packets, bytes: figures.bytes, lost: figures.lost,
                                jitterMilliseconds: figures.jitterMilliseconds, drops: figures.drops,
                                idleSeconds: figures.lastPacketTime.map { max(0, now - $0) })
            }
        }
    }

    /// `registrations show AOR` and `registrations remove AOR [CONTACT]`.
    func registration(_ arguments: [String], remove: Bool) -> Result<AdminReply.Body, AdminFailure> {
        let usage = remove ? "registrations remove takes an address of record and optionally one contact"
            : "registrations show takes one address of record (sip:alice@example.com)"
        guard let aor = arguments.first, arguments.count <= (remove ? 2 : 1) else {
            return .failure(AdminFailure(.badArgument, usage))
        }
        if !remove { return .success(.registration(registrar.details(aor: aor))) }
        let detail = registrar.remove(aor: aor, contact: arguments.count == 2 ? arguments[1] : nil)
        guard !detail.bindings.isEmpty else {
            let what = arguments.count == 2 ? "no binding \(arguments[1]) of \(detail.aor)" : "no bindings of \(detail.aor)"
            return .failure(AdminFailure(.badArgument, "\(what); see palisadectl registrations show \(detail.aor)"))
        }
        return .success(.registration(detail))
    }

    /// `flows list`: every open connection, then the UDP peers that calls or bindings use.
    func flows() async -> [FlowSummary] {
        let calls = await sip.callsPerFlow()
        let bindings = registrar.bindingsPerFlow()
        func key(_ flow: Flow) -> String { "\(flow.transport.rawValue) \(PalisadeSignal.text(flow.remote)) \(flow.realm)" }
        // A connection's flow may carry a peer identity or a listener the binding's copy lacks:
        // match connections on their id, UDP flows on transport, peer and realm.
        func count(_ table: [Flow: Int], _ flow: Flow) -> Int {
            table.reduce(0) { sum, entry in
                let same = flow.connection != nil ? entry.key.connection == flow.connection
                    : entry.key.connection == nil && key(entry.key) == key(flow)
                return sum + (same ? entry.value : 0)
            }
        }
        var rows = transport.connections().map { connection in
            let flow = connection.flow
            return FlowSummary(id: flow.connection?.description, transport: flow.transport.rawValue, realm: flow.realm,
                               peer: PalisadeSignal.text(flow.remote), local: PalisadeSignal.text(flow.local),
                               tlsPeerIdentity: flow.peerIdentity.map { $0.dnsNames + $0.uris },
                               ageSeconds: connection.ageSeconds, registrations: count(bindings, flow),
                               calls: count(calls, flow))
        }
        var seen: Set<String> = []
        for flow in Array(bindings.keys) + Array(calls.keys) where flow.connection == nil {
            guard seen.insert(key(flow)).inserted else { continue }
            rows.append(FlowSummary(id: nil, transport: flow.transport.rawValue, realm: flow.realm,
                                    peer: PalisadeSignal.text(flow.remote), local: PalisadeSignal.text(flow.local), tlsPeerIdentity: nil,
                                    ageSeconds: nil, registrations: count(bindings, flow), calls: count(calls, flow)))
        }
        return rows
    }

    /// `media sessions`: palisade-media's sessions with their streams, ports, workers and totals.
    func mediaSessions() async -> Result<AdminReply.Body, AdminFailure> {
        guard link.state.isConnected else {
            return .failure(AdminFailure(.unavailable, "palisade-media is not connected"))
        }
        do {
            guard case .listed(let list) = try await link.request(.listSessions, timeoutMilliseconds: timeoutMilliseconds)
            else { return .failure(AdminFailure(.unavailable, "palisade-media answered list-sessions oddly")) }
            let now = WallClock.now()
            return .success(.mediaSessions(list.sessions.map { session in
                let legs = session.streams.flatMap { [$0.a, $0.b] }
                return MediaSessionSummary(
                    session: session.session, ageSeconds: max(0, now - session.created), streams: session.streams.count,
                    packets: legs.reduce(0) { $0 + $1.packets }, bytes: legs.reduce(0) { $0 + $1.bytes },
                    drops: legs.reduce(0) { $0 + $1.drops.values.reduce(0, +) },
                    ports: (session.local ?? []).map { stream in
                        "\(stream.index): a \(Endpoint(address: stream.a.address, port: stream.a.rtpPort)), "
                            + "b \(Endpoint(address: stream.b.address, port: stream.b.rtpPort))"
                    }, workers: session.workers ?? [])
            }))
        } catch {
            return .failure(AdminFailure(.unavailable, "palisade-media: \(error)"))
        }
    }

    /// `tls certificates`: every TLS listener's certificates as loaded now.
    func certificates(now: Double) -> [TLSCertificateReport] {
        transport.certificates().map { snapshot in
            TLSCertificateReport(
                realm: snapshot.listener.spec.realm, listener: PalisadeSignal.text(snapshot.listener.localAddress),
                file: snapshot.files.chainPath, serverNames: snapshot.files.serverNames, subject: snapshot.subject,
                issuer: snapshot.issuer, subjectAlternativeNames: snapshot.subjectAlternativeNames,
                notAfter: snapshot.notAfter, daysLeft: Int(((snapshot.notAfter - now) / 86_400).rounded(.down)))
        }
    }
}
