import AdminProtocol
import DaemonSupport
import Logging
import PalisadeConfig
import Signalling
import SIPAuth
import SIPTransport

/// `palisadectl config reload` and SIGHUP: the configuration file is read and validated again; an
/// invalid file changes nothing. A valid one is applied where that is possible while running —
/// the log level now, TLS certificates read from disk again (new handshakes get them, established
/// connections keep theirs), the registrar's users file read again (its path may change), and the
/// realms' routing for new calls (route_to, targets, trust, media policy and suites, call limits,
/// call authentication, target probing; calls in progress keep theirs) — and every other changed
/// section is reported as waiting for a restart, the running values staying in force until then:
/// realms added, removed or renamed, their listeners, media interfaces and TLS peer rules.
/// Everything that can fail is read before anything is applied.
actor ConfigurationReload {
    private let path: String?
    private let transport: TransportLayer
    private let registrar: RegistrarService
    private let sip: SIPService
    private let routing: @Sendable ([PalisadeConfiguration.Realm]) -> CallRouting?
    private let logger: Logger
    /// What is in force: the file as last loaded, with only the applied changes taken over.
    private var running: PalisadeConfiguration

    init(path: String?, running: PalisadeConfiguration, transport: TransportLayer, registrar: RegistrarService,
         sip: SIPService, routing: @escaping @Sendable ([PalisadeConfiguration.Realm]) -> CallRouting?, logger: Logger) {
        self.path = path
        self.sip = sip
        self.routing = routing
        self.running = running
        self.transport = transport
        self.registrar = registrar
        self.logger = logger
    }

    func reload() async -> Result<ReloadReport, AdminFailure> {
        guard let path else {
            return .failure(AdminFailure(.unavailable, "palisade-signal runs on built-in defaults (no --config): "
                                         + "there is no file to reload"))
        }
        let new: PalisadeConfiguration
        do {
            new = try ConfigurationLoader.load(path: path)
        } catch {
            logger.error("configuration reload refused; the running configuration stays",
                         metadata: ["file": "\(path)", "errors": "\(error)"])
            return .failure(AdminFailure(.invalidConfiguration, "\(error)"))
        }
        let users: UserTable
        do {
            users = try RegistrarWiring.loadUsers(new.registrar.usersFile)
        } catch {
            logger.error("configuration reload refused; the running configuration stays",
                         metadata: ["file": "\(path)", "error": "\(error)"])
            return .failure(AdminFailure(.invalidConfiguration, "registrar.users_file: \(error)"))
        }
        do {
            try transport.reloadCertificates()
        } catch {
            logger.error("TLS certificates not reloaded; the running configuration stays", metadata: ["error": "\(error)"])
            return .failure(AdminFailure(.invalidConfiguration, "TLS certificates: \(error)"))
        }
        var applied = ["TLS certificates read again"]
        var restartNeeded: [String] = []
        registrar.replaceUsers(users, usersFileConfigured: new.registrar.usersFile != nil)
        applied.append("registrar users read again (\(users.count) line\(users.count == 1 ? "" : "s"))")
        var registrarSettings = new.registrar
        registrarSettings.usersFile = running.registrar.usersFile
        if registrarSettings != running.registrar { restartNeeded.append("[registrar]") }
        running.registrar.usersFile = new.registrar.usersFile
        if new.log.level != running.log.level {
            applied.append("log.level: \(running.log.level.rawValue) → \(new.log.level.rawValue)")
            PalisadeLogHandler.processLevel = Logger.Level(new.log.level)
            running.log.level = new.log.level
        }
        if new.log.format != running.log.format { restartNeeded.append("[log] format") }
        if new.signal != running.signal { restartNeeded.append("[signal]") }
        if new.media != running.media { restartNeeded.append("[media]") }
        if new.metrics != running.metrics { restartNeeded.append("[metrics]") }
        if new.sip != running.sip { restartNeeded.append("[sip]") }
        if new.realms != running.realms {
            // What a running process can change is the routing of new calls; what binds sockets or
            // shapes the media plane's interfaces waits for a restart.
            if Self.restartPart(new.realms) == Self.restartPart(running.realms) {
                await sip.replaceRouting(routing(new.realms))
                applied.append("[[realm]] routes, targets, policies and limits (new calls)")
                if let relay = registrar.relayUpstream, let realm = new.realms.first(where: { $0.name == relay.realm }),
                   registrar.replaceRelayTargets(SIPWiring.targets(of: realm)) {
                    applied.append("registration relay targets (\(relay.realm))")
                }
                running.realms = new.realms
            } else {
                restartNeeded.append("[[realm]] names, listeners, media interfaces or tls_peers")
            }
        }
        let report = ReloadReport(file: path, applied: applied, restartNeeded: restartNeeded)
        logger.notice("configuration reloaded", metadata: [
            "file": "\(path)", "applied": "\(applied.joined(separator: "; "))",
            "restart-needed": "\(restartNeeded.joined(separator: " "))"])
        return .success(report)
    }

    /// The parts of the realms a running process cannot change: which realms there are, their
    /// listeners and media interfaces (sockets, palisade-media's ranges) and TLS peer rules (the
    /// transport's).
    private static func restartPart(_ realms: [PalisadeConfiguration.Realm]) -> [RealmRestartPart] {
        realms.map { RealmRestartPart(name: $0.name, listeners: $0.listeners, media: $0.media, tlsPeers: $0.tlsPeers) }
    }

    private struct RealmRestartPart: Equatable {
        let name: String
        let listeners: [PalisadeConfiguration.Listener]
        let media: PalisadeConfiguration.MediaInterface
        let tlsPeers: [PalisadeConfiguration.Realm.TLSPeer]
    }
}
