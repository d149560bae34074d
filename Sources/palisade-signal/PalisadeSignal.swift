import AdminProtocol
import AdminServer
import ArgumentParser
import DaemonSupport
import Logging
import MediaControlProtocol
import MetricsExposition
import MetricsServer
import NIOPosix
import PalisadeConfig
import PosixSupport
import ServiceLifecycle
import Signalling
import SIPCore
import SIPTransport
import NIOCore

@main
struct PalisadeSignal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "palisade-signal",
        abstract: "Palisade signalling: SIP over UDP, TCP and TLS, admin socket and /metrics; drives palisade-media.",
        version: PalisadeVersion.current)

    @OptionGroup var options: DaemonOptions

    @Option(name: .customLong("hash-user"), parsing: .upToNextOption,
            help: ArgumentHelp("Print the registrar users-file lines for USER REALM, the password read from stdin, and exit.",
                               valueName: "USER REALM"))
    var hashUser: [String] = []

    func run() async throws {
        if !hashUser.isEmpty {
            do { try RegistrarWiring.hashUser(hashUser) } catch { throw ExitCode(2) }
            return
        }
        guard let (settings, logger) = try options.start(daemon: "palisade-signal") else { return }
        DescriptorLimit.raiseToHard()
        let started = ProcessSnapshot.current()
        let group = MultiThreadedEventLoopGroup.singleton
        // SIPService's loop, which the UDP listeners and the media control connection share: a
        // datagram, the call's requests to the media plane and their replies stay on one thread.
        let sipLoop = group.next()

        let link = MediaPlaneLink(
            configuration: .init(
                socketPath: settings.media.controlSocket,
                reconnectMinimumMilliseconds: settings.signal.mediaReconnectMinMilliseconds,
                reconnectMaximumMilliseconds: settings.signal.mediaReconnectMaxMilliseconds,
                pingIntervalMilliseconds: settings.signal.mediaPingIntervalMilliseconds,
                pingTimeoutMilliseconds: settings.signal.mediaPingTimeoutMilliseconds,
                identity: Hello(software: PalisadeVersion.current, pid: started.pid, role: "palisade-signal")),
            group: sipLoop, logger: logger)
        let transport = TransportLayer(listeners: SIPWiring.listeners(settings.realms),
                                       settings: SIPWiring.settings(settings.sip, realms: settings.realms), group: group,
                                       datagramLoop: sipLoop)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: link)]
        var metricsAddress: String?
        do {
            // SIP first: a listener that cannot bind stops start-up before the admin socket exists.
            try await transport.start()
            for listener in transport.listeners {
                logger.info("SIP listening", metadata: [
                    "realm": "\(listener.id.realm)", "transport": "\(listener.id.transport.rawValue)",
                    "address": "\(listener.localAddress)", "advertised": "\(listener.advertised)"])
            }
            let ownHosts = SIPWiring.ownHosts(transport.listeners)
            let timeout = settings.signal.mediaPingTimeoutMilliseconds
            let registrar = try RegistrarWiring.service(
                settings.registrar, ownHosts: ownHosts, realms: settings.realms, keepaliveIntervalSeconds: settings.sip.keepaliveIntervalSeconds,
                transport: transport, banSource: { ban in
                    Task {
                        do {
                            _ = try await link.request(.banSource(ban), timeoutMilliseconds: timeout)
                        } catch {
                            // media.firewall off, or the media plane away: the throttle's 503 still holds.
                            logger.info("the media plane did not ban the source",
                                        metadata: ["source": "\(ban.address)", "error": "\(error)"])
                        }
                    }
                }, logger: logger)
            // The B2BUA's view of a configuration's realms; a reload makes it again from the new file.
            let callRecords = settings.signal.callRecords.map { CallRecordFile(path: $0, logger: logger) }
            let routing: @Sendable ([PalisadeConfiguration.Realm]) -> CallRouting? = { realms in
                SIPWiring.calls(realms, media: link, registrations: registrar,
                                timeoutMilliseconds: settings.signal.mediaPingTimeoutMilliseconds, callRecords: callRecords)
            }
            let sip = SIPService(transport: transport, timers: SIPWiring.timers(settings.sip), capacity: settings.sip.maxTransactions,
                                 policy: LocalRequestPolicy(ownHosts: ownHosts,
                                                            allow: [.invite, .ack, .cancel, .bye, .options, .update,
                                                                    .info, .refer, .notify, .register]),
                                 calls: routing(settings.realms),
                                 registrar: registrar, drainGrace: .seconds(settings.signal.drainGraceSeconds),
                                 loop: sipLoop, logger: logger)
            services.append(.init(service: registrar))
            let reload = ConfigurationReload(path: options.config, running: settings, transport: transport,
                                             registrar: registrar, sip: sip, routing: routing, logger: logger)
            services.append(.init(service: HangupReload(reload: reload)))
            let scrape = Scrape(link: link, transport: transport, sip: sip,
                                timeoutMilliseconds: settings.signal.mediaPingTimeoutMilliseconds,
                                registrar: registrar)
            if settings.metrics.enabled {
                let metrics = try await MetricsServer.bind(
                    host: settings.metrics.listen.host, port: settings.metrics.listen.port, group: group,
                    logger: logger, render: scrape.render)
                metricsAddress = metrics.boundAddress
                services.append(.init(service: metrics))
            }
            let commands = AdminCommands(link: link, started: started, adminSocket: settings.signal.adminSocket,
                                         metricsAddress: metricsAddress, sipListeners: transport.listeners.map {
                                             SIPListenerReport(realm: $0.id.realm, transport: $0.id.transport.rawValue,
                                                               address: Self.text($0.localAddress),
                                                               advertised: "\($0.advertised)")
                                         },
                                         timeoutMilliseconds: settings.signal.mediaPingTimeoutMilliseconds,
                                         sip: sip, registrar: registrar, reload: reload, transport: transport,
                                         logger: logger)
            let admin = try await AdminServer.bind(socketPath: settings.signal.adminSocket, group: group,
                                                   logger: logger) { request in await commands.answer(request) }
            services.append(.init(service: admin))
            // Last in the group, so first to be told on SIGTERM: it drains (signal.drain_grace_s)
            // while the admin socket, /metrics, the registrar and the media plane link still run.
            services.append(.init(service: sip))
        } catch {
            await transport.shutdown()
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            printError("palisade-signal: \(error)")
            throw ExitCode(1)
        }
        logger.notice("palisade-signal started", metadata: ["version": "\(PalisadeVersion.current)",
                                                            "pid": "\(started.pid)",
                                                            "fd_limit": "\(started.maxFileDescriptors)"])
        let serviceGroup = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await serviceGroup.run()
        logger.notice("palisade-signal stopped")
    }
}

extension PalisadeSignal {
    /// "127.0.0.1:5060" or "[::1]:5060".
    static func text(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "?"
        return ip.contains(":") ? "[\(ip)]:\(address.port ?? 0)" : "\(ip):\(address.port ?? 0)"
    }
}

