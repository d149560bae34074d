import DaemonSupport
import Foundation
import Logging
import MediaControlProtocol
import PalisadeConfig
import Registration
import Signalling
import SIPAuth
import SIPTransport

/// The `[registrar]` section as the embedded registrar takes it, and the user-line maker behind
/// `palisade-signal --hash-user`.
enum RegistrarWiring {
    struct UsersFileError: Error, CustomStringConvertible {
        var description: String
    }

    /// The registrar for the SBC's own hosts (and the configured domain), users from the file.
    /// `keepaliveIntervalSeconds` (`sip.keepalive_interval_s`, 0: none): CRLFCRLF keepalives to
    /// every UDP-registered phone through `transport`, from the listener its REGISTER came to.
    /// `banSource` (with `ban_refused_sources`) takes the addresses the throttle starts refusing.
    static func service(_ settings: PalisadeConfiguration.Registrar, ownHosts: Set<String>,
                        realms: [PalisadeConfiguration.Realm] = [],
                        keepaliveIntervalSeconds: Int = 0, transport: TransportLayer? = nil,
                        banSource: (@Sendable (SourceBan) -> Void)? = nil, logger: Logger) throws -> RegistrarService {
        let users = try loadUsers(settings.usersFile)
        let realmUsers = users.entries.filter { $0.realm.elementsEqual(settings.realm.utf8) }.count
        var relay: RelayUpstream?
        if settings.mode == .relay, let realm = realms.first(where: { $0.name == settings.relayRealm }) {
            relay = RelayUpstream(realm: realm.name, targets: SIPWiring.targets(of: realm), policy: .init(
                accessDefaultExpires: settings.defaultExpiresSeconds, accessMinimumExpires: settings.minExpiresSeconds,
                accessMaximumExpires: settings.maxExpiresSeconds, upstreamExpires: settings.relayExpiresSeconds))
            logger.info("registration relay ready", metadata: [
                "realm": "\(realm.name)", "targets": "\(relay?.targets.map(\.description) ?? [])",
                "access-expires": "\(settings.minExpiresSeconds)...\(settings.maxExpiresSeconds)",
                "upstream-expires": "\(settings.relayExpiresSeconds)"])
        }
        // In relay mode REGISTER goes to the core; the users file (if any) only authenticates calls.
        if relay == nil, settings.usersFile == nil {
            logger.warning("registrar: no users_file configured; every REGISTER will be refused after its challenge")
        } else if relay == nil, realmUsers == 0 {
            logger.warning("registrar: the users file has no line for this realm",
                           metadata: ["realm": "\(settings.realm)", "file": "\(settings.usersFile ?? "")"])
        }
        // The canonical domain: the configured one, else one of the SBC's addresses (stable order).
        let domain = settings.domain ?? ownHosts.sorted().first { !$0.hasPrefix("[") && $0 != "0.0.0.0" }
            ?? ownHosts.sorted().first ?? "localhost"
        let policy = RegistrarPolicy(domain: domain, servedHosts: ownHosts,
                                     defaultExpires: settings.defaultExpiresSeconds,
                                     minimumExpires: settings.minExpiresSeconds,
                                     maximumExpires: settings.maxExpiresSeconds)
        var secret = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in secret.indices { secret[index] = generator.next() }
        let algorithms: [DigestAlgorithm] = settings.algorithms.compactMap {
            switch $0 {
            case "SHA-256": .sha256
            case "MD5": .md5
            default: nil
            }
        }
        let authenticator = DigestAuthenticator(
            configuration: .init(realm: settings.realm, algorithms: algorithms,
                                 nonceLifetime: .seconds(settings.nonceLifetimeSeconds)),
            users: users, nonceSecret: secret)
        let throttle = AuthFailureThrottle<String>.Policy(
            delayAfterFailures: settings.authDelayAfterFailures,
            refuseAfterFailures: settings.authRefuseAfterFailures,
            coolOff: .seconds(settings.authRefuseSeconds))
        logger.info("registrar ready", metadata: [
            "domain": "\(domain)", "realm": "\(settings.realm)", "users": "\(realmUsers)",
            "algorithms": "\(settings.algorithms.joined(separator: ","))",
            "expires": "\(settings.minExpiresSeconds)...\(settings.maxExpiresSeconds) (default \(settings.defaultExpiresSeconds))"])
        var keepalive: RegistrarService.UDPKeepalive?
        if keepaliveIntervalSeconds > 0, let transport {
            keepalive = .init(interval: .seconds(keepaliveIntervalSeconds)) { try await transport.keepalive($0) }
        }
        return RegistrarService(registrar: Registrar(policy: policy, authenticator: authenticator, throttle: throttle),
                                usersFileConfigured: settings.usersFile != nil, udpKeepalive: keepalive,
                                banSource: settings.banRefusedSources ? banSource : nil, relay: relay, logger: logger)
    }

    /// The user table from the file; an error names `file:line` and what is wrong.
    static func loadUsers(_ path: String?) throws -> UserTable {
        guard let path else { return UserTable() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsersFileError(description: "\(path): cannot read the registrar's users file")
        }
        do {
            return try UserTable(parsing: [UInt8](data))
        } catch {
            throw UsersFileError(description: "\(path):\(error.line): \(error.code) (expected 'username realm algorithm:HA1')")
        }
    }

    /// `palisade-signal --hash-user USER REALM`: the user-file lines (SHA-256, then MD5) for the
    /// password on stdin's first line. The password itself is never printed or stored.
    static func hashUser(_ arguments: [String]) throws {
        guard arguments.count == 2, !arguments[0].isEmpty, !arguments[1].isEmpty,
              !(arguments[0] + arguments[1]).contains(where: { $0 == " " || $0 == "\t" || $0.isNewline }) else {
            printError("palisade-signal: --hash-user takes USER REALM (no spaces); the password is read from stdin")
            throw UsersFileError(description: "usage")
        }
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            printError("palisade-signal: --hash-user: no password on stdin")
            throw UsersFileError(description: "no password")
        }
        for entry in UserEntry.entries(username: arguments[0], realm: arguments[1], password: password) {
            print(entry.line, terminator: "")
        }
    }
}
