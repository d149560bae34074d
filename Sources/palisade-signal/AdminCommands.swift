import AdminProtocol
import DaemonSupport
import Logging
import MediaControlProtocol
import PalisadeConfig
import PosixSupport
import Signalling
import SIPTransport

/// palisade-signal's answers on the admin socket, one per `AdminCommand`.
struct AdminCommands: Sendable {
    let link: MediaPlaneLink
    let started: ProcessSnapshot
    let adminSocket: String
    let metricsAddress: String?
    let sipListeners: [SIPListenerReport]
    let timeoutMilliseconds: Int
    let sip: SIPService
    let registrar: RegistrarService
    let reload: ConfigurationReload
    let transport: TransportLayer
    let logger: Logger

    func answer(_ request: AdminRequest) async -> Result<AdminReply.Body, AdminFailure> {
        switch request.command {
        case .status: .success(.status(await report()))
        case .logLevel: Self.logLevel(request.arguments, logger: logger)
        case .configReload: await reload.reload().map(AdminReply.Body.reload)
        case .callsList: await callsList(request.arguments)
        case .callsShow: await callDetail(request.arguments)
        case .registrationsShow: registration(request.arguments, remove: false)
        case .registrationsRemove: registration(request.arguments, remove: true)
        case .flowsList: .success(.flows(await flows()))
        case .mediaSessions: await mediaSessions()
        case .tlsCertificates: .success(.certificates(certificates(now: WallClock.now())))
        case .callsHangup: await hangUp(request.arguments)
        case .registrationsList: .success(.registrations(registrar.summaries()))
        case .mediaStreams: await mediaStreams()
        case .drain, .undrain: drain(request.command == .drain)
        }
    }

    /// `drain` / `undrain`: the new state and what remains.
    func drain(_ draining: Bool) -> Result<AdminReply.Body, AdminFailure> {
        sip.setDraining(draining)
        return .success(.traffic(traffic))
    }

    /// `calls hangup ID`.
    func hangUp(_ arguments: [String]) async -> Result<AdminReply.Body, AdminFailure> {
        guard arguments.count == 1 else {
            return .failure(AdminFailure(.badArgument, "calls hangup takes one call ID (from palisadectl calls list)"))
        }
        guard let call = await sip.hangUp(call: arguments[0]) else {
            return .failure(AdminFailure(.badArgument, "no call \(arguments[0]) in progress; see palisadectl calls list"))
        }
        return .success(.hungUp(call))
    }

    /// `log level [LEVEL]`: the process's level, changed until the next restart or reload.
    static func logLevel(_ arguments: [String], logger: Logger) -> Result<AdminReply.Body, AdminFailure> {
        let previous = PalisadeLogHandler.processLevel
        guard let word = arguments.first else {
            return .success(.logLevel(LogLevelReport(previous: "\(previous)", current: "\(previous)")))
        }
        guard arguments.count == 1, let level = PalisadeConfiguration.LogLevel(rawValue: word) else {
            let known = PalisadeConfiguration.LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(AdminFailure(.badArgument, "log level takes one of \(known); got '\(arguments.joined(separator: " "))'"))
        }
        PalisadeLogHandler.processLevel = Logger.Level(level)
        logger.notice("log level changed", metadata: ["from": "\(previous)", "to": "\(level.rawValue)"])
        return .success(.logLevel(LogLevelReport(previous: "\(previous)", current: level.rawValue)))
    }

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
