import DaemonSupport
import MediaControlProtocol
import MetricsExposition
import PosixSupport
import Signalling
import SIPTransport

/// One /metrics scrape: this process's figures, the link's, and palisade-media's when it answers.
struct Scrape: Sendable {
    let link: MediaPlaneLink
    let transport: TransportLayer
    let sip: SIPService
    let timeoutMilliseconds: Int
    var registrar: RegistrarService?

    func render() async -> String {
        var exposition = Exposition()
        let own = ProcessSnapshot.current()
        exposition.addProcess(.signal, version: PalisadeVersion.current, startTimeSeconds: own.startTimeSeconds,
                              cpuSecondsTotal: own.cpuSecondsTotal, residentMemoryBytes: own.residentMemoryBytes,
                              virtualMemoryBytes: own.virtualMemoryBytes,
                              openFileDescriptors: own.openFileDescriptors,
                              maxFileDescriptors: own.maxFileDescriptors)
        let state = link.state
        if state.isConnected,
           case .processMetrics(let media)? = try? await link.request(.processMetrics,
                                                                    timeoutMilliseconds: timeoutMilliseconds) {
            exposition.addProcess(.media, version: state.peer?.software ?? "unknown",
                                  startTimeSeconds: media.startTimeSeconds, cpuSecondsTotal: media.cpuSecondsTotal,
                                  residentMemoryBytes: media.residentMemoryBytes,
                                  virtualMemoryBytes: media.virtualMemoryBytes,
                                  openFileDescriptors: media.openFileDescriptors,
                                  maxFileDescriptors: media.maxFileDescriptors)
            for worker in media.relayWorkers ?? [] {
                let label = String(worker.worker)
                exposition.add(.mediaStreams, [label], Double(worker.streams))
                exposition.add(.mediaPacketsReceived, [label], Double(worker.receivedPackets))
                exposition.add(.mediaPacketsRelayed, [label], Double(worker.relayedPackets))
                if let bytes = worker.receivedBytes { exposition.add(.mediaBytesReceived, [label], Double(bytes)) }
                if let bytes = worker.relayedBytes { exposition.add(.mediaBytesRelayed, [label], Double(bytes)) }
                for (reason, count) in worker.drops.sorted(by: { $0.key < $1.key }) {
                    exposition.add(.mediaPacketsDropped, [label, reason], Double(count))
                }
            }
            for pool in media.portPools ?? [] {
                exposition.add(.mediaPortPairsInUse, [pool.interface], Double(pool.pairsInUse))
                exposition.add(.mediaPortPairs, [pool.interface], Double(pool.pairsTotal))
            }
        }
        exposition.add(.mediaPlaneConnected, [], state.isConnected ? 1 : 0)
        exposition.add(.mediaPlaneConnections, [], Double(state.connections))
        addTransport(transport.counterSnapshot(), to: &exposition)
        let traffic = sip.trafficCounts.sorted {
            ($0.key.direction, $0.key.realm, $0.key.transport, $0.key.kind)
                < ($1.key.direction, $1.key.realm, $1.key.transport, $1.key.kind)
        }
        for (key, count) in traffic {
            exposition.add(key.isRequest ? .sipRequests : .sipResponses,
                           [key.direction, key.realm, key.transport, key.kind], Double(count))
        }
        for (timer, count) in sip.transactionTimeouts.sorted(by: { $0.key < $1.key }) {
            exposition.add(.sipTransactionTimeouts, [timer], Double(count))
        }
        let calls = sip.callCounters
        exposition.add(.callsActive, [], Double(calls.active))
        for (realm, count) in calls.attempted.sorted(by: { $0.key < $1.key }) {
            exposition.add(.callsAttempted, [realm], Double(count))
        }
        for (realm, count) in calls.answered.sorted(by: { $0.key < $1.key }) {
            exposition.add(.callsAnswered, [realm], Double(count))
        }
        for (key, count) in calls.failed.sorted(by: { ($0.key.realm, $0.key.cause) < ($1.key.realm, $1.key.cause) }) {
            exposition.add(.callsFailed, [key.realm, key.cause], Double(count))
        }
        let timings = sip.callTimingSnapshot
        for (key, histogram) in timings.setup.sorted(by: { ($0.key.realm, $0.key.outcome) < ($1.key.realm, $1.key.outcome) }) {
            exposition.add(.callSetupSeconds, [key.realm, key.outcome], histogram)
        }
        for (realm, histogram) in timings.postDialDelay.sorted(by: { $0.key < $1.key }) {
            exposition.add(.callPostDialDelaySeconds, [realm], histogram)
        }
        for (realm, histogram) in timings.jitter.sorted(by: { $0.key < $1.key }) {
            exposition.add(.mediaJitterSeconds, [realm], histogram)
        }
        for (realm, histogram) in timings.loss.sorted(by: { $0.key < $1.key }) {
            exposition.add(.mediaLossRatio, [realm], histogram)
        }
        for (key, count) in calls.admissionRejected.sorted(by: { ($0.key.realm, $0.key.reason.rawValue) < ($1.key.realm, $1.key.reason.rawValue) }) {
            exposition.add(.admissionRejections, [key.realm, key.reason.rawValue], Double(count))
        }
        let carried = sip.activeCallsByRealm
        for realm in sip.realmNames {
            exposition.add(.callsActiveByRealm, [realm], Double(carried[realm] ?? 0))
        }
        for (target, up) in sip.targetsUp {
            exposition.add(.targetUp, [target.realm, target.description], up ? 1 : 0)
        }
        if let registrar { RegistrarMetrics.add(registrar, to: &exposition) }
        return exposition.render()
    }

    /// Counters are listed for every listener's realm and transport, zero included, so a rate
    /// can be taken from the first scrape on.
    private func addTransport(_ counters: TransportCounters, to exposition: inout Exposition) {
        var traffic = Set(transport.listeners.map { TrafficKey(realm: $0.id.realm, transport: $0.id.transport) })
        traffic.formUnion(counters.messagesIn.keys)
        traffic.formUnion(counters.messagesOut.keys)
        for key in traffic.sorted(by: { ($0.realm, $0.transport.rawValue) < ($1.realm, $1.transport.rawValue) }) {
            let labels = [key.realm, key.transport.rawValue]
            exposition.add(.sipMessagesReceived, labels, Double(counters.messagesIn[key] ?? 0))
            exposition.add(.sipMessagesSent, labels, Double(counters.messagesOut[key] ?? 0))
        }
        for (reason, count) in counters.parseErrors.sorted(by: { $0.key < $1.key }) {
            exposition.add(.sipParseErrors, [reason], Double(count))
        }
        exposition.add(.sipResponsesDropped, [], Double(counters.droppedResponses))
        for kind in TransportKind.allCases where kind.isStream {
            exposition.add(.sipConnectionsOpen, [kind.rawValue], Double(counters.openConnections[kind] ?? 0))
        }
        for reason in ConnectionRefusal.allCases {
            exposition.add(.sipConnectionsRefused, [reason.rawValue], Double(counters.refusedConnections[reason] ?? 0))
        }
        for reason in DeadFlowReason.allCases {
            exposition.add(.sipDeadFlows, [reason.rawValue], Double(counters.deadFlows[reason] ?? 0))
        }
        exposition.add(.sipKeepalivesAnswered, [], Double(counters.keepalivesAnswered))
        for result in TLSHandshakeResult.allCases {
            exposition.add(.tlsHandshakes, [result.rawValue], Double(counters.tlsHandshakes[result] ?? 0))
        }
    }
}
