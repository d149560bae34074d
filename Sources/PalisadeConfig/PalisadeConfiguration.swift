/// The checked configuration of both daemons, read from `palisade.toml`.
/// The keys, their rules and defaults are the catalogue `ConfigKey`.
public struct PalisadeConfiguration: Sendable, Equatable {
    public var log: Log
    public var media: Media
    public var signal: Signal
    public var metrics: Metrics

    public init(log: Log, media: Media, signal: Signal, metrics: Metrics) {
        self.log = log
        self.media = media
        self.signal = signal
        self.metrics = metrics
    }

    /// Every key at its catalogue default: what an empty file gives.
    public static let defaults: PalisadeConfiguration = {
        // Start from placeholders and set every key from the catalogue, so defaults live in one place.
        var configuration = PalisadeConfiguration(
            log: Log(level: .info, format: .text),
            media: Media(controlSocket: ""),
            signal: Signal(
                adminSocket: "", mediaReconnectMinMilliseconds: 0, mediaReconnectMaxMilliseconds: 0,
                mediaPingIntervalMilliseconds: 0, mediaPingTimeoutMilliseconds: 0),
            metrics: Metrics(enabled: false, listen: ListenAddress(host: "", port: 0)))
        for key in ConfigKey.allCases {
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

        public init(controlSocket: String) {
            self.controlSocket = controlSocket
        }
    }

    /// `[signal]`
    public struct Signal: Sendable, Equatable {
        public var adminSocket: String
        public var mediaReconnectMinMilliseconds: Int
        public var mediaReconnectMaxMilliseconds: Int
        public var mediaPingIntervalMilliseconds: Int
        public var mediaPingTimeoutMilliseconds: Int

        public init(
            adminSocket: String, mediaReconnectMinMilliseconds: Int, mediaReconnectMaxMilliseconds: Int,
            mediaPingIntervalMilliseconds: Int, mediaPingTimeoutMilliseconds: Int
        ) {
            self.adminSocket = adminSocket
            self.mediaReconnectMinMilliseconds = mediaReconnectMinMilliseconds
            self.mediaReconnectMaxMilliseconds = mediaReconnectMaxMilliseconds
            self.mediaPingIntervalMilliseconds = mediaPingIntervalMilliseconds
            self.mediaPingTimeoutMilliseconds = mediaPingTimeoutMilliseconds
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
    /// The value of a key, as it would be written in the file.
    public subscript(key: ConfigKey) -> ConfigValue {
        switch key {
        case .logLevel: .string(log.level.rawValue)
        case .logFormat: .string(log.format.rawValue)
        case .mediaControlSocket: .string(media.controlSocket)
        case .signalAdminSocket: .string(signal.adminSocket)
        case .signalMediaReconnectMinMilliseconds: .integer(signal.mediaReconnectMinMilliseconds)
        case .signalMediaReconnectMaxMilliseconds: .integer(signal.mediaReconnectMaxMilliseconds)
        case .signalMediaPingIntervalMilliseconds: .integer(signal.mediaPingIntervalMilliseconds)
        case .signalMediaPingTimeoutMilliseconds: .integer(signal.mediaPingTimeoutMilliseconds)
        case .metricsEnabled: .boolean(metrics.enabled)
        case .metricsListen: .string(metrics.listen.description)
        }
    }

    /// Stores a value that has passed `key.rule`. The rule guarantees the conversions below; a
    /// failure means the catalogue and this switch disagree, which the tests of every key catch.
    mutating func set(_ key: ConfigKey, to value: ConfigValue) {
        switch key {
        case .logLevel: log.level = LogLevel(rawValue: string(key, value)) ?? mismatch(key, value)
        case .logFormat: log.format = LogFormat(rawValue: string(key, value)) ?? mismatch(key, value)
        case .mediaControlSocket: media.controlSocket = string(key, value)
        case .signalAdminSocket: signal.adminSocket = string(key, value)
        case .signalMediaReconnectMinMilliseconds: signal.mediaReconnectMinMilliseconds = integer(key, value)
        case .signalMediaReconnectMaxMilliseconds: signal.mediaReconnectMaxMilliseconds = integer(key, value)
        case .signalMediaPingIntervalMilliseconds: signal.mediaPingIntervalMilliseconds = integer(key, value)
        case .signalMediaPingTimeoutMilliseconds: signal.mediaPingTimeoutMilliseconds = integer(key, value)
        case .metricsEnabled: metrics.enabled = boolean(key, value)
        case .metricsListen: metrics.listen = ListenAddress(string(key, value)) ?? mismatch(key, value)
        }
    }

    private func string(_ key: ConfigKey, _ value: ConfigValue) -> String {
        if case .string(let text) = value { return text }
        return mismatch(key, value)
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
