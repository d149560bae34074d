/// The checked configuration of both daemons, read from `palisade.toml`.
/// The keys, their rules and defaults are the catalogue `ConfigKey`.
public struct PalisadeConfiguration: Sendable, Equatable {
    public var log: Log
    public var media: Media
    public var signal: Signal
    public var metrics: Metrics
    public var sip: SIP
    public var registrar: Registrar
    /// The realms, in file order; never empty. A file without `[[realm]]` gets `Realm.defaults`.
    public var realms: [Realm]

    public init(log: Log, media: Media, signal: Signal, metrics: Metrics, sip: SIP, registrar: Registrar? = nil,
                realms: [Realm]) {
        self.log = log
        self.media = media
        self.signal = signal
        self.metrics = metrics
        self.sip = sip
        self.registrar = registrar ?? PalisadeConfiguration.defaults.registrar
        self.realms = realms
    }

    /// The four original sections; `sip` and `realms` at their defaults.
    public init(log: Log, media: Media, signal: Signal, metrics: Metrics) {
        self.init(
            log: log, media: media, signal: signal, metrics: metrics,
            sip: PalisadeConfiguration.defaults.sip, realms: Realm.defaults)
    }

    /// Every key at its catalogue default: what an empty file gives.
    public static let defaults: PalisadeConfiguration = {
        // Start from placeholders and set every key from the catalogue, so defaults live in one place.
        var configuration = PalisadeConfiguration(
            log: Log(level: .info, format: .text),
            media: Media(controlSocket: "", workers: 0, timeoutSeconds: 0, holdTimeoutSeconds: 0, firewall: false,
                         socketBufferBytes: 0, pinWorkers: false),
            signal: Signal(
                adminSocket: "", mediaReconnectMinMilliseconds: 0, mediaReconnectMaxMilliseconds: 0,
                mediaPingIntervalMilliseconds: 0, mediaPingTimeoutMilliseconds: 0, drainGraceSeconds: 0,
                callRecords: nil),
            metrics: Metrics(enabled: false, listen: ListenAddress(host: "", port: 0)),
            sip: SIP(
                t1Milliseconds: 0, t2Milliseconds: 0, t4Milliseconds: 0, maxMessageBytes: 0, maxHeaders: 0,
                tcpIdleTimeoutSeconds: 0, maxConnections: 0, maxConnectionsPerAddress: 0, keepaliveIntervalSeconds: 0),
            registrar: Registrar(), realms: Realm.defaults)
        for key in ConfigKey.allCases where key.section.parent == nil && !key.section.isRepeated {
            configuration.set(key, to: key.defaultValue)
        }
        return configuration
    }()

    /// Parses and validates. `source` is the file name used in messages. Collects ALL errors, not just the first.
    public static func parse(_ text: String, source: String) throws(ConfigurationErrors) -> PalisadeConfiguration {
        try ConfigurationValidator(source: source).validate(text)
    }

    /// `[log]`
    public struct Log: Sendable, Equatable {
        public var level: LogLevel
        public var format: LogFormat

        public init(level: LogLevel, format: LogFormat) {
            self.level = level
            self.format = format
        }
    }

    public enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    public enum LogFormat: String, Sendable, CaseIterable {
        case text, json
    }

    /// `[media]`
    public struct Media: Sendable, Equatable {
        public var controlSocket: String
        /// Worker threads; 0 means one per CPU core.
        public var workers: Int
        public var timeoutSeconds: Int
        public var holdTimeoutSeconds: Int
        /// Whether palisade-media programs its nftables table of pinholes.
        public var firewall: Bool
        /// SO_RCVBUF/SO_SNDBUF of each media socket; 0 keeps the kernel's default.
        public var socketBufferBytes: Int
        /// Whether worker n is pinned to core n.
        public var pinWorkers: Bool

        public init(controlSocket: String, workers: Int, timeoutSeconds: Int, holdTimeoutSeconds: Int,
                    firewall: Bool = false, socketBufferBytes: Int = 1_048_576, pinWorkers: Bool = false) {
            self.controlSocket = controlSocket
            self.workers = workers
            self.timeoutSeconds = timeoutSeconds
            self.holdTimeoutSeconds = holdTimeoutSeconds
            self.firewall = firewall
            self.socketBufferBytes = socketBufferBytes
            self.pinWorkers = pinWorkers
        }

        /// The control socket; the other keys at their defaults.
        public init(controlSocket: String) {
            let defaults = PalisadeConfiguration.defaults.media
            self.init(
                controlSocket: controlSocket, workers: defaults.workers, timeoutSeconds: defaults.timeoutSeconds,
                holdTimeoutSeconds: defaults.holdTimeoutSeconds, firewall: defaults.firewall,
                socketBufferBytes: defaults.socketBufferBytes, pinWorkers: defaults.pinWorkers)
        }
    }

    /// `[signal]`
    public struct Signal: Sendable, Equatable {
        public var adminSocket: String
        public var mediaReconnectMinMilliseconds: Int
        public var mediaReconnectMaxMilliseconds: Int
        public var mediaPingIntervalMilliseconds: Int
        public var mediaPingTimeoutMilliseconds: Int
        /// SIGTERM's drain period before stopping.
        public var drainGraceSeconds: Int
        /// The call-record file (one JSON line per finished call); nil: none.
        public var callRecords: String?

        public init(
            adminSocket: String, mediaReconnectMinMilliseconds: Int, mediaReconnectMaxMilliseconds: Int,
            mediaPingIntervalMilliseconds: Int, mediaPingTimeoutMilliseconds: Int, drainGraceSeconds: Int = 30,
            callRecords: String? = nil
        ) {
            self.callRecords = callRecords
            self.drainGraceSeconds = drainGraceSeconds
            self.adminSocket = adminSocket
            self.mediaReconnectMinMilliseconds = mediaReconnectMinMilliseconds
            self.mediaReconnectMaxMilliseconds = mediaReconnectMaxMilliseconds
            self.mediaPingIntervalMilliseconds = mediaPingIntervalMilliseconds
            self.mediaPingTimeoutMilliseconds = mediaPingTimeoutMilliseconds
        }
    }

    /// `[sip]`
    public struct SIP: Sendable, Equatable {
        public var t1Milliseconds: Int
        public var t2Milliseconds: Int
        public var t4Milliseconds: Int
        public var maxMessageBytes: Int
        public var maxHeaders: Int
        public var tcpIdleTimeoutSeconds: Int
        public var maxConnections: Int
        public var maxConnectionsPerAddress: Int
        /// Live transactions at most (the transaction table's capacity).
        public var maxTransactions: Int
        /// 0: no keepalives.
        public var keepaliveIntervalSeconds: Int
        /// RFC 5626 pings on connections Palisade opened; 0: none.
        public var tcpPingIntervalSeconds: Int
        public var tcpPongTimeoutSeconds: Int

        public init(
            t1Milliseconds: Int, t2Milliseconds: Int, t4Milliseconds: Int, maxMessageBytes: Int, maxHeaders: Int,
            tcpIdleTimeoutSeconds: Int, maxConnections: Int, maxConnectionsPerAddress: Int, keepaliveIntervalSeconds: Int,
            tcpPingIntervalSeconds: Int = 0, tcpPongTimeoutSeconds: Int = 10, maxTransactions: Int = 400_000
        ) {
            self.t1Milliseconds = t1Milliseconds
            self.t2Milliseconds = t2Milliseconds
            self.t4Milliseconds = t4Milliseconds
            self.maxMessageBytes = maxMessageBytes
            self.maxHeaders = maxHeaders
            self.tcpIdleTimeoutSeconds = tcpIdleTimeoutSeconds
            self.maxConnections = maxConnections
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.maxTransactions = maxTransactions
            self.keepaliveIntervalSeconds = keepaliveIntervalSeconds
            self.tcpPingIntervalSeconds = tcpPingIntervalSeconds
            self.tcpPongTimeoutSeconds = tcpPongTimeoutSeconds
        }
    }

    /// `[registrar]`
    public struct Registrar: Sendable, Equatable {
        /// nil: only the SBC's own addresses.
        public var domain: String?
        public var realm: String
        /// nil: no users.
        public var usersFile: String?
        /// `algorithmNames`, in order of preference.
        public var algorithms: [String]
        public var defaultExpiresSeconds: Int
        public var minExpiresSeconds: Int
        public var maxExpiresSeconds: Int
        public var nonceLifetimeSeconds: Int
        public var authDelayAfterFailures: Int
        public var authRefuseAfterFailures: Int
        public var authRefuseSeconds: Int
        /// Whether addresses the throttle refuses are also banned at palisade-media's firewall.
        public var banRefusedSources: Bool
        /// Embedded registrar or registration relay (`mode`).
        public var mode: Mode
        /// relay: the realm whose targets are the core registrar.
        public var relayRealm: String
        /// relay: the expiry asked of the core registrar.
        public var relayExpiresSeconds: Int

        public enum Mode: String, Sendable, CaseIterable {
            case embedded
            case relay
        }

        /// The digest algorithms `algorithms` may name (RFC 7616 tokens).
        public static let algorithmNames = ["SHA-256", "MD5"]

        /// Placeholders; `PalisadeConfiguration.defaults.registrar` has the catalogue's defaults.
        public init(domain: String? = nil, realm: String = "", usersFile: String? = nil, algorithms: [String] = [],
                    defaultExpiresSeconds: Int = 0,
                    minExpiresSeconds: Int = 0, maxExpiresSeconds: Int = 0, nonceLifetimeSeconds: Int = 0,
                    authDelayAfterFailures: Int = 0, authRefuseAfterFailures: Int = 0, authRefuseSeconds: Int = 0,
                    banRefusedSources: Bool = false, mode: Mode = .embedded, relayRealm: String = "",
                    relayExpiresSeconds: Int = 0) {
            self.mode = mode
            self.relayRealm = relayRealm
            self.relayExpiresSeconds = relayExpiresSeconds
            self.banRefusedSources = banRefusedSources
            self.domain = domain
            self.realm = realm
            self.usersFile = usersFile
            self.algorithms = algorithms
            self.defaultExpiresSeconds = defaultExpiresSeconds
            self.minExpiresSeconds = minExpiresSeconds
            self.maxExpiresSeconds = maxExpiresSeconds
            self.nonceLifetimeSeconds = nonceLifetimeSeconds
            self.authDelayAfterFailures = authDelayAfterFailures
            self.authRefuseAfterFailures = authRefuseAfterFailures
            self.authRefuseSeconds = authRefuseSeconds
        }
    }

    /// `[metrics]`
    public struct Metrics: Sendable, Equatable {
        public var enabled: Bool
        public var listen: ListenAddress

        public init(enabled: Bool, listen: ListenAddress) {
            self.enabled = enabled
            self.listen = listen
        }
    }
}

extension PalisadeConfiguration {
    /// The value of a key, as it would be written in the file. For a key of a realm, its listeners
    /// or its media interface: an array with the value in each realm (for a listener key, an array
    /// per realm of the value in each listener).
    public subscript(key: ConfigKey) -> ConfigValue {
        switch key.section {
        case .realm, .realmMedia: return .array(realms.map { $0[key] })
        case .realmListener: return .array(realms.map { realm in .array(realm.listeners.map { $0[key] }) })
        case .realmTarget: return .array(realms.map { $0[key] })
        case .log, .media, .signal, .metrics, .sip, .registrar: break
        }
        return switch key {
        case .logLevel: .string(log.level.rawValue)
        case .logFormat: .string(log.format.rawValue)
        case .mediaControlSocket: .string(media.controlSocket)
        case .mediaWorkers: .integer(media.workers)
        case .mediaTimeoutSeconds: .integer(media.timeoutSeconds)
        case .mediaHoldTimeoutSeconds: .integer(media.holdTimeoutSeconds)
        case .mediaFirewall: .boolean(media.firewall)
        case .mediaSocketBufferBytes: .integer(media.socketBufferBytes)
        case .mediaPinWorkers: .boolean(media.pinWorkers)
        case .signalAdminSocket: .string(signal.adminSocket)
        case .signalMediaReconnectMinMilliseconds: .integer(signal.mediaReconnectMinMilliseconds)
        case .signalMediaReconnectMaxMilliseconds: .integer(signal.mediaReconnectMaxMilliseconds)
        case .signalMediaPingIntervalMilliseconds: .integer(signal.mediaPingIntervalMilliseconds)
        case .signalMediaPingTimeoutMilliseconds: .integer(signal.mediaPingTimeoutMilliseconds)
        case .signalDrainGraceSeconds: .integer(signal.drainGraceSeconds)
        case .signalCallRecords: signal.callRecords.map(ConfigValue.string) ?? .unset
        case .metricsEnabled: .boolean(metrics.enabled)
        case .metricsListen: .string(metrics.listen.description)
        case .sipT1Milliseconds: .integer(sip.t1Milliseconds)
        case .sipT2Milliseconds: .integer(sip.t2Milliseconds)
        case .sipT4Milliseconds: .integer(sip.t4Milliseconds)
        case .sipMaxMessageBytes: .integer(sip.maxMessageBytes)
        case .sipMaxHeaders: .integer(sip.maxHeaders)
        case .sipTCPIdleTimeoutSeconds: .integer(sip.tcpIdleTimeoutSeconds)
        case .sipMaxConnections: .integer(sip.maxConnections)
        case .sipMaxConnectionsPerAddress: .integer(sip.maxConnectionsPerAddress)
        case .sipMaxTransactions: .integer(sip.maxTransactions)
        case .sipKeepaliveIntervalSeconds: .integer(sip.keepaliveIntervalSeconds)
        case .sipTCPPingIntervalSeconds: .integer(sip.tcpPingIntervalSeconds)
        case .sipTCPPongTimeoutSeconds: .integer(sip.tcpPongTimeoutSeconds)
        case .registrarDomain: registrar.domain.map(ConfigValue.string) ?? .unset
        case .registrarRealm: .string(registrar.realm)
        case .registrarUsersFile: registrar.usersFile.map(ConfigValue.string) ?? .unset
        case .registrarAlgorithms: .array(registrar.algorithms.map(ConfigValue.string))
        case .registrarDefaultExpiresSeconds: .integer(registrar.defaultExpiresSeconds)
        case .registrarMinExpiresSeconds: .integer(registrar.minExpiresSeconds)
        case .registrarMaxExpiresSeconds: .integer(registrar.maxExpiresSeconds)
        case .registrarNonceLifetimeSeconds: .integer(registrar.nonceLifetimeSeconds)
        case .registrarAuthDelayAfterFailures: .integer(registrar.authDelayAfterFailures)
        case .registrarAuthRefuseAfterFailures: .integer(registrar.authRefuseAfterFailures)
        case .registrarAuthRefuseSeconds: .integer(registrar.authRefuseSeconds)
        case .registrarBanRefusedSources: .boolean(registrar.banRefusedSources)
        case .registrarMode: .string(registrar.mode.rawValue)
        case .registrarRelayRealm: .string(registrar.relayRealm)
        case .registrarRelayExpiresSeconds: .integer(registrar.relayExpiresSeconds)
        case .realmName, .realmTrust, .realmMediaPolicy, .realmSRTPSuites, .realmTLSPeers, .listenerTransport, .listenerListen,
             .listenerAdvertise, .listenerCertificates, .listenerClientCertificates, .listenerCABundle,
             .listenerMinimumTLSVersion, .realmMediaAddress, .realmMediaAdvertise, .realmMediaPortMin, .realmMediaPortMax, .realmRouteTo,
             .realmMaxCalls, .realmMaxCallsPerSource, .realmAuthenticateCalls, .realmTargetProbeIntervalSeconds,
             .targetAddress, .targetTransport, .targetPriority, .targetWeight:
            preconditionFailure("handled above by section")
        }
    }

    /// Stores a value that has passed `key.rule`, for a key of a single top-level section (the
    /// realms are built by `RealmBuilder`). The rule guarantees the conversions below; a failure
    /// means the catalogue and this switch disagree, which the tests of every key catch.
    mutating func set(_ key: ConfigKey, to value: ConfigValue) {
        switch key {
        case .logLevel: log.level = LogLevel(rawValue: string(key, value)) ?? mismatch(key, value)
        case .logFormat: log.format = LogFormat(rawValue: string(key, value)) ?? mismatch(key, value)
        case .mediaControlSocket: media.controlSocket = string(key, value)
        case .mediaWorkers: media.workers = integer(key, value)
        case .mediaTimeoutSeconds: media.timeoutSeconds = integer(key, value)
        case .mediaHoldTimeoutSeconds: media.holdTimeoutSeconds = integer(key, value)
        case .mediaFirewall: media.firewall = boolean(key, value)
        case .mediaSocketBufferBytes: media.socketBufferBytes = integer(key, value)
        case .mediaPinWorkers: media.pinWorkers = boolean(key, value)
        case .signalAdminSocket: signal.adminSocket = string(key, value)
        case .signalMediaReconnectMinMilliseconds: signal.mediaReconnectMinMilliseconds = integer(key, value)
        case .signalMediaReconnectMaxMilliseconds: signal.mediaReconnectMaxMilliseconds = integer(key, value)
        case .signalMediaPingIntervalMilliseconds: signal.mediaPingIntervalMilliseconds = integer(key, value)
        case .signalMediaPingTimeoutMilliseconds: signal.mediaPingTimeoutMilliseconds = integer(key, value)
        case .signalDrainGraceSeconds: signal.drainGraceSeconds = integer(key, value)
        case .signalCallRecords: signal.callRecords = value == .unset ? nil : string(key, value)
        case .metricsEnabled: metrics.enabled = boolean(key, value)
        case .metricsListen: metrics.listen = ListenAddress(string(key, value)) ?? mismatch(key, value)
        case .sipT1Milliseconds: sip.t1Milliseconds = integer(key, value)
        case .sipT2Milliseconds: sip.t2Milliseconds = integer(key, value)
        case .sipT4Milliseconds: sip.t4Milliseconds = integer(key, value)
        case .sipMaxMessageBytes: sip.maxMessageBytes = integer(key, value)
        case .sipMaxHeaders: sip.maxHeaders = integer(key, value)
        case .sipTCPIdleTimeoutSeconds: sip.tcpIdleTimeoutSeconds = integer(key, value)
        case .sipMaxConnections: sip.maxConnections = integer(key, value)
        case .sipMaxConnectionsPerAddress: sip.maxConnectionsPerAddress = integer(key, value)
        case .sipMaxTransactions: sip.maxTransactions = integer(key, value)
        case .sipKeepaliveIntervalSeconds: sip.keepaliveIntervalSeconds = integer(key, value)
        case .sipTCPPingIntervalSeconds: sip.tcpPingIntervalSeconds = integer(key, value)
        case .sipTCPPongTimeoutSeconds: sip.tcpPongTimeoutSeconds = integer(key, value)
        case .registrarDomain: registrar.domain = value == .unset ? nil : string(key, value)
        case .registrarRealm: registrar.realm = string(key, value)
        case .registrarUsersFile: registrar.usersFile = value == .unset ? nil : string(key, value)
        case .registrarAlgorithms: registrar.algorithms = strings(key, value)
        case .registrarDefaultExpiresSeconds: registrar.defaultExpiresSeconds = integer(key, value)
        case .registrarMinExpiresSeconds: registrar.minExpiresSeconds = integer(key, value)
        case .registrarMaxExpiresSeconds: registrar.maxExpiresSeconds = integer(key, value)
        case .registrarNonceLifetimeSeconds: registrar.nonceLifetimeSeconds = integer(key, value)
        case .registrarAuthDelayAfterFailures: registrar.authDelayAfterFailures = integer(key, value)
        case .registrarAuthRefuseAfterFailures: registrar.authRefuseAfterFailures = integer(key, value)
        case .registrarAuthRefuseSeconds: registrar.authRefuseSeconds = integer(key, value)
        case .registrarBanRefusedSources: registrar.banRefusedSources = boolean(key, value)
        case .registrarMode: registrar.mode = Registrar.Mode(rawValue: string(key, value)) ?? mismatch(key, value)
        case .registrarRelayRealm: registrar.relayRealm = string(key, value)
        case .registrarRelayExpiresSeconds: registrar.relayExpiresSeconds = integer(key, value)
        case .realmName, .realmTrust, .realmMediaPolicy, .realmSRTPSuites, .realmTLSPeers, .listenerTransport, .listenerListen,
             .listenerAdvertise, .listenerCertificates, .listenerClientCertificates, .listenerCABundle,
             .listenerMinimumTLSVersion, .realmMediaAddress, .realmMediaAdvertise, .realmMediaPortMin, .realmMediaPortMax, .realmRouteTo,
             .realmMaxCalls, .realmMaxCallsPerSource, .realmAuthenticateCalls, .realmTargetProbeIntervalSeconds,
             .targetAddress, .targetTransport, .targetPriority, .targetWeight:
            preconditionFailure("\(key.rawValue) belongs to a realm, which RealmBuilder builds")
        }
    }

    private func string(_ key: ConfigKey, _ value: ConfigValue) -> String {
        if case .string(let text) = value { return text }
        return mismatch(key, value)
    }

    private func strings(_ key: ConfigKey, _ value: ConfigValue) -> [String] {
        guard case .array(let items) = value else { return mismatch(key, value) }
        return items.map { string(key, $0) }
    }

    private func integer(_ key: ConfigKey, _ value: ConfigValue) -> Int {
        if case .integer(let number) = value { return number }
        return mismatch(key, value)
    }

    private func boolean(_ key: ConfigKey, _ value: ConfigValue) -> Bool {
        if case .boolean(let flag) = value { return flag }
        return mismatch(key, value)
    }

    private func mismatch<Impossible>(_ key: ConfigKey, _ value: ConfigValue) -> Impossible {
        preconditionFailure("catalogue rule for \(key.rawValue) let through \(value), which the model cannot hold")
    }
}
