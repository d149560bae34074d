import ArgumentParser
import DaemonSupport
import Logging
import MediaControlProtocol
import MediaControlServer
import MediaEngine
import NFTRules
import PalisadeConfig
import PosixSupport
import ServiceLifecycle

@main
struct PalisadeMedia: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "palisade-media",
        abstract: "Palisade media plane: relays RTP for the sessions palisade-signal sets up over the control socket.",
        version: PalisadeVersion.current)

    @OptionGroup var options: DaemonOptions

    func run() async throws {
        guard let (settings, logger) = try options.start(daemon: "palisade-media") else { return }
        DescriptorLimit.raiseToHard()
        let started = ProcessSnapshot.current()
        let identity = Hello(software: PalisadeVersion.current, pid: started.pid, role: "palisade-media")
        let plane: MediaPlane
        do {
            plane = try MediaPlane.start(settings)
        } catch {
            logger.critical("cannot start the relay engine", metadata: ["error": "\(error)"])
            printError("palisade-media: cannot start the relay engine: \(error)")
            throw ExitCode(1)
        }
        let workers = plane.engine.workerCount
        let sessions = plane.sessions
        let engine = plane.engine
        let rates = WorkerRates(startTime: started.startTimeSeconds)
        let server = MediaControlServer(socketPath: settings.media.controlSocket, identity: identity,
                                        logger: logger, watch: plane.watch) { request, ticket in
            switch request.body {
            case .status:
                let wall = WallClock.now()
                return .now(.success(.status(MediaStatus(
                    software: PalisadeVersion.current, pid: started.pid, startTime: started.startTimeSeconds,
                    uptimeSeconds: max(0, wall - started.startTimeSeconds), workers: workers,
                    sessions: sessions.sessionCount,
                    workerPackets: rates.report(engine.workerTotals(), now: wall)))))
            case .processMetrics:
                // Only here: it reads /proc (the descriptor count lists /proc/self/fd, four
                // entries per call), far too dear for every session command.
                let now = ProcessSnapshot.current()
                return .now(.success(.processMetrics(ProcessFigures(
                    startTimeSeconds: now.startTimeSeconds, residentMemoryBytes: now.residentMemoryBytes,
                    virtualMemoryBytes: now.virtualMemoryBytes, openFileDescriptors: now.openFileDescriptors,
                    maxFileDescriptors: now.maxFileDescriptors, cpuSecondsTotal: now.cpuSecondsTotal,
                    relayWorkers: plane.relayFigures(), portPools: plane.portPoolFigures()))))
            case .createSession, .updateSession, .deleteSession, .querySession, .listSessions:
                return sessions.handle(request, ticket: ticket)
            case .banSource(let ban):
                let answer = sessions.handle(request, ticket: ticket)
                if case .now(.success) = answer {
                    logger.notice("source banned at the firewall", metadata: [
                        "address": "\(ban.address)", "seconds": "\(ban.seconds)", "reason": "\(ban.reason)"])
                }
                return answer
            case .hello, .ping:
                return .now(.failure(ControlFailure(.internalError, "handled by the control loop")))
            }
        }
        do {
            try server.start()
        } catch {
            logger.critical("cannot open the control socket", metadata: ["error": "\(error)"])
            printError("palisade-media: \(error)")
            plane.engine.stop()
            throw ExitCode(1)
        }
        logger.notice("palisade-media started", metadata: ["version": "\(PalisadeVersion.current)",
                                                           "pid": "\(started.pid)",
                                                           "fd_limit": "\(started.maxFileDescriptors)"])
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: ControlSocketService(server: server, engine: plane.engine,
                                                           firewallRules: plane.firewallRules, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.notice("palisade-media stopped")
    }
}

/// Keeps the control thread and the relay engine for the life of the service group and stops
/// them on shutdown: the control thread first (it drives the engine), then the workers, then the
/// pinholes.
struct ControlSocketService: Service {
    let server: MediaControlServer
    let engine: MediaEngine
    let firewallRules: NFTRules?
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        server.stop()
        engine.stop()
        guard let firewallRules else { return }
        do {
            try MediaPlane.closeFirewall(firewallRules)
        } catch {
            logger.error("nftables pinholes not closed on the way out", metadata: ["error": "\(error)"])
        }
    }
}

