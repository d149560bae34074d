import AdminProtocol
import DaemonSupport
import MediaControlProtocol
import PosixSupport
import Signalling

/// Builds the answer to `palisadectl status` from the link state and the media plane's own status.
struct StatusCommand: Sendable {
    let link: MediaPlaneLink
    let started: ProcessSnapshot
    let adminSocket: String
    let metricsAddress: String?
    let sipListeners: [SIPListenerReport]
    let timeoutMilliseconds: Int
    let sip: SIPService
    let registrar: RegistrarService

    /// `media streams`: palisade-media's statistics of every session, one row per leg.
    func mediaStreams() async -> Result<AdminReply.Body, AdminFailure> {
        guard link.state.isConnected else {
            return .failure(AdminFailure(.unavailable, "palisade-media is not connected"))
        }
        do {
            guard case .listed(let list) = try await link.request(.listSessions, timeoutMilliseconds: timeoutMilliseconds)
            else { return .failure(AdminFailure(.unavailable, "palisade-media answered list-sessions oddly")) }
            let now = WallClock.now()
            return .success(.mediaStreams(list.sessions.flatMap { session in
                session.streams.flatMap { stream in
                    [("a", stream.a), ("b", stream.b)].map { leg, figures in
                        MediaLegSummary(session: session.session, stream: stream.index, leg: leg,
                                        latched: figures.latched?.description, latchReason: figures.latchReason,
                                        packets: figures.packets, bytes: figures.bytes, lost: figures.lost,
                                        jitterMilliseconds: figures.jitterMilliseconds, drops: figures.drops,
                                        idleSeconds: figures.lastPacketTime.map { max(0, now - $0) })
                    }
                }
            }))
        } catch {
            return .failure(AdminFailure(.unavailable, "palisade-media: \(error)"))
        }
    }

    var traffic: TrafficReport {
        TrafficReport(draining: sip.isDraining, activeCalls: sip.callCounters.active,
                      registrations: registrar.activeBindings)
    }

    func report() async -> StatusReport {
        let now = WallClock.now()
        var media: ProcessReport?
        var lastError: String?
        var workers: [MediaWorkerReport]?
        if link.state.isConnected {
            do {
                if case .status(let status) = try await link.request(.status, timeoutMilliseconds: timeoutMilliseconds) {
                    media = ProcessReport(software: status.software, pid: status.pid, startTime: status.startTime,
                                          uptimeSeconds: status.uptimeSeconds)
                    workers = status.workerPackets?.map {
                        MediaWorkerReport(worker: $0.worker, streams: $0.streams, receivedPackets: $0.receivedPackets,
                                          relayedPackets: $0.relayedPackets, droppedPackets: $0.droppedPackets,
                                          relayedPerSecond: $0.relayedPerSecond,
                                          rateIntervalSeconds: $0.rateIntervalSeconds)
                    }
                }
            } catch {
                lastError = "\(error)"
            }
        }
        let state = link.state
        return StatusReport(
            signal: ProcessReport(software: PalisadeVersion.current, pid: started.pid,
                                  startTime: started.startTimeSeconds,
                                  uptimeSeconds: max(0, now - started.startTimeSeconds)),
            media: MediaPlaneReport(connected: state.isConnected, since: state.since,
                                    controlSocket: link.configuration.socketPath, process: media,
                                    lastError: state.lastError ?? lastError, reconnects: state.reconnects,
                                    workers: workers),
            adminSocket: adminSocket, metricsAddress: metricsAddress, sipListeners: sipListeners, traffic: traffic)
    }
}
