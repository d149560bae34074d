// STAND-IN until the config branch merges: same public API, defaults only.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable { case syntax, unknownKey, wrongType, outOfRange, invalidValue, duplicateKey, unsupported }
    public var code: Code; public var key: String?; public var line: Int?; public var message: String; public var source: String
    public var description: String { "\(source):\(line ?? 0): \(message)" }
}
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigurationError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
public struct PalisadeConfiguration: Sendable, Equatable {
    public var log: Log
    public var media: Media
    public var signal: Signal
    public var metrics: Metrics
    public static let defaults = PalisadeConfiguration(
        log: Log(level: .info, format: .text), media: Media(controlSocket: "/run/palisade/media.sock"),
        signal: Signal(adminSocket: "/run/palisade/admin.sock", mediaReconnectMinMilliseconds: 50,
                       mediaReconnectMaxMilliseconds: 1000, mediaPingIntervalMilliseconds: 500,
                       mediaPingTimeoutMilliseconds: 1500),
        metrics: Metrics(enabled: true, listen: ListenAddress(host: "127.0.0.1", port: 9477)))
    public static func parse(_ text: String, source: String) throws(ConfigurationErrors) -> PalisadeConfiguration {
        if text.isEmpty { return defaults }
        throw ConfigurationErrors(errors: [ConfigurationError(code: .unsupported, key: nil, line: 1, message: "stand-in", source: source)])
    }
    public struct Log: Sendable, Equatable { public var level: LogLevel; public var format: LogFormat }
    public enum LogLevel: String, Sendable, CaseIterable { case trace, debug, info, notice, warning, error, critical }
    public enum LogFormat: String, Sendable, CaseIterable { case text, json }
    public struct Media: Sendable, Equatable { public var controlSocket: String }
    public struct Signal: Sendable, Equatable {
        public var adminSocket: String
        public var mediaReconnectMinMilliseconds: Int
        public var mediaReconnectMaxMilliseconds: Int
        public var mediaPingIntervalMilliseconds: Int
        public var mediaPingTimeoutMilliseconds: Int
    }
    public struct Metrics: Sendable, Equatable { public var enabled: Bool; public var listen: ListenAddress }
}
