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
/// connections keep theirs), the registrar's users file read again (its path may change) — and
/// every other changed section is reported as waiting for a restart, the running values staying
/// in force until then. Everything that can fail is read before anything is applied.
actor ConfigurationReload {
    private let path: String?
    private let transport: TransportLayer
    private let registrar: RegistrarService
    private let logger: Logger
    /// What is in force: the file as last loaded, with only the applied changes taken over.
    private var running: PalisadeConfiguration

    init(path: String?, running: PalisadeConfiguration, transport: TransportLayer, registrar: RegistrarService,
         logger: Logger) {
        self.path = path
        self.running = running
        self.transport = transport
        self.registrar = registrar
        self.logger = logger
    }

    func reload() -> Result<ReloadReport, AdminFailure> {
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
        if new.realms != running.realms { restartNeeded.append("[[realm]]") }
        let report = ReloadReport(file: path, applied: applied, restartNeeded: restartNeeded)
        logger.notice("configuration reloaded", metadata: [
            "file": "\(path)", "applied": "\(applied.joined(separator: "; "))",
            "restart-needed": "\(restartNeeded.joined(separator: " "))"])
        return .success(report)
    }
}
