/// The catalogue of configuration keys: every key of `palisade.toml`, with its section, rule,
/// default and summary. Validation, `PalisadeConfiguration.defaults`, the reference in
/// `docs/CONFIGURATION.md` and the documented default file `deploy/palisade.toml` all derive from
/// it, so adding a key is one case here and one line in `PalisadeConfiguration.subscript(key:)`.
///
/// The raw value is the dotted path of the key: its section's path, then its name.
public enum ConfigKey: String, CaseIterable, Sendable {
    case logLevel = "log.level"
    case logFormat = "log.format"
    case mediaControlSocket = "media.control_socket"
    case signalAdminSocket = "signal.admin_socket"
    case signalMediaReconnectMinMilliseconds = "signal.media_reconnect_min_ms"
    case signalMediaReconnectMaxMilliseconds = "signal.media_reconnect_max_ms"
    case signalMediaPingIntervalMilliseconds = "signal.media_ping_interval_ms"
    case signalMediaPingTimeoutMilliseconds = "signal.media_ping_timeout_ms"
    case metricsEnabled = "metrics.enabled"
    case metricsListen = "metrics.listen"

    public var section: ConfigSection {
        switch self {
        case .logLevel, .logFormat: .log
        case .mediaControlSocket: .media
        case .signalAdminSocket, .signalMediaReconnectMinMilliseconds, .signalMediaReconnectMaxMilliseconds,
             .signalMediaPingIntervalMilliseconds, .signalMediaPingTimeoutMilliseconds: .signal
        case .metricsEnabled, .metricsListen: .metrics
        }
    }

    /// The key within its section: `admin_socket` for `signal.admin_socket`.
    public var name: String {
        String(rawValue.dropFirst(section.rawValue.count + 1))
    }

    public var rule: ConfigValueRule {
        switch self {
        case .logLevel: .choice(PalisadeConfiguration.LogLevel.allCases.map(\.rawValue))
        case .logFormat: .choice(PalisadeConfiguration.LogFormat.allCases.map(\.rawValue))
        case .mediaControlSocket, .signalAdminSocket: .socketPath
        case .signalMediaReconnectMinMilliseconds: .integer(10...10_000)
        case .signalMediaReconnectMaxMilliseconds: .integer(10...60_000)
        case .signalMediaPingIntervalMilliseconds: .integer(100...60_000)
        case .signalMediaPingTimeoutMilliseconds: .integer(100...60_000)
        case .metricsEnabled: .boolean
        case .metricsListen: .listenAddress
        }
    }

    public var defaultValue: ConfigValue {
        switch self {
        case .logLevel: .string("info")
        case .logFormat: .string("text")
        case .mediaControlSocket: .string("/run/palisade/media.sock")
        case .signalAdminSocket: .string("/run/palisade/admin.sock")
        case .signalMediaReconnectMinMilliseconds: .integer(50)
        case .signalMediaReconnectMaxMilliseconds: .integer(1000)
        case .signalMediaPingIntervalMilliseconds: .integer(500)
        case .signalMediaPingTimeoutMilliseconds: .integer(1500)
        case .metricsEnabled: .boolean(true)
        case .metricsListen: .string("127.0.0.1:9477")
        }
    }

    /// One line for the reference and the default file.
    public var summary: String {
        switch self {
        case .logLevel: "Least severe level that is logged."
        case .logFormat: "Log line format: human-readable text or one JSON object per line."
        case .mediaControlSocket: "Unix socket where palisade-media accepts the control connection from palisade-signal."
        case .signalAdminSocket: "Unix socket where palisade-signal serves palisadectl."
        case .signalMediaReconnectMinMilliseconds: "Shortest delay between attempts of palisade-signal to reconnect to the media plane."
        case .signalMediaReconnectMaxMilliseconds: "Longest delay between attempts to reconnect to the media plane; at least media_reconnect_min_ms."
        case .signalMediaPingIntervalMilliseconds: "How often palisade-signal pings the media plane over the control connection."
        case .signalMediaPingTimeoutMilliseconds: "How long palisade-signal waits for a ping reply before it takes the media plane for lost."
        case .metricsEnabled: "Serve Prometheus metrics over HTTP at /metrics."
        case .metricsListen: "Address of the /metrics endpoint; port 0 picks a free port."
        }
    }

    /// Rules that involve more than one key, checked after each key has passed its own rule.
    static let crossFieldRules: [ConfigCrossFieldRule] = [
        .atLeast(.signalMediaReconnectMaxMilliseconds, .signalMediaReconnectMinMilliseconds),
    ]
}

/// A section of the file. Today every section is a single table (`[log]`). A repeated section
/// (`[[realm]]`, and `[[realm.listener]]` inside it) becomes a case whose `path` has dots and
/// whose elements the validator checks with the same per-table function, one element at a time.
public enum ConfigSection: String, CaseIterable, Sendable {
    case log
    case media
    case signal
    case metrics

    public var summary: String {
        switch self {
        case .log: "Logging, for both daemons."
        case .media: "palisade-media, the media relay."
        case .signal: "palisade-signal, the SIP side, and its connection to the media plane."
        case .metrics: "The Prometheus /metrics endpoint."
        }
    }

    public var keys: [ConfigKey] {
        ConfigKey.allCases.filter { $0.section == self }
    }
}

/// What a key accepts.
public enum ConfigValueRule: Sendable, Equatable {
    case boolean
    case integer(ClosedRange<Int>)
    /// A string, one of these.
    case choice([String])
    /// An absolute path that fits in `sockaddr_un.sun_path`.
    case socketPath
    /// `host:port`; see `ListenAddress`.
    case listenAddress

    /// The longest Unix socket path: `sun_path` is 108 bytes on Linux, one of them the NUL.
    public static let maximumSocketPathBytes = 107

    /// "integer", "string", … for the reference.
    public var typeName: String {
        switch self {
        case .boolean: "boolean"
        case .integer: "integer"
        case .choice, .socketPath, .listenAddress: "string"
        }
    }

    /// The allowed values in words, for the reference and for error messages.
    public var allowedDescription: String {
        switch self {
        case .boolean: "true or false"
        case .integer(let range): "\(range.lowerBound)...\(range.upperBound)"
        case .choice(let names): names.joined(separator: ", ")
        case .socketPath: "absolute path, at most \(Self.maximumSocketPathBytes) bytes (sun_path limit)"
        case .listenAddress: "host:port; host is an IPv4 address, a bracketed IPv6 address or localhost; port 0...65535 (0: any free port)"
        }
    }
}

/// A checked configuration value, in TOML terms.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case boolean(Bool)
    case integer(Int)
    case string(String)

    /// The value as TOML source: `true`, `50`, `"info"`.
    public var description: String {
        switch self {
        case .boolean(let value): String(value)
        case .integer(let value): String(value)
        case .string(let value): TOMLRendering.basicString(value)
        }
    }
}

/// A rule across keys. Only applied when every key it names passed its own rule.
enum ConfigCrossFieldRule: Sendable {
    /// The first key's integer must be at least the second's.
    case atLeast(ConfigKey, ConfigKey)
}
