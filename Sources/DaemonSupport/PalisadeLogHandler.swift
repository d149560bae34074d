import Logging
import PalisadeConfig
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One line per record on stderr: readable text for a terminal, or JSON lines for a collector.
///
/// Text:  `2026-11-22T11:03:00.123Z info palisade-signal: media plane connected pid=42`
/// JSON:  `{"ts":"2026-11-22T11:03:00.123Z","level":"info","logger":"palisade-signal","msg":"…","pid":"42"}`
///
/// The level is the process's, shared by every logger: `palisadectl log level` and a reload change
/// it for all of them at once (a handler made with `shared: false`, as tests do, keeps its own).
public struct PalisadeLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public let label: String
    public let format: PalisadeConfiguration.LogFormat
    private var ownLevel: Logger.Level?

    public var logLevel: Logger.Level {
        get { ownLevel ?? Self.processLevel }
        set { if ownLevel != nil { ownLevel = newValue } else { Self.processLevel = newValue } }
    }

    public init(label: String, format: PalisadeConfiguration.LogFormat, level: Logger.Level, shared: Bool = false) {
        self.label = label
        self.format = format
        if shared { Self.processLevel = level } else { ownLevel = level }
    }

    /// Installs this handler for every Logger of the process.
    public static func bootstrap(format: PalisadeConfiguration.LogFormat, level: PalisadeConfiguration.LogLevel) {
        processLevel = Logger.Level(level)
        LoggingSystem.bootstrap { label in
            PalisadeLogHandler(label: label, format: format, level: Logger.Level(level), shared: true)
        }
    }

    private static let level = Atomic<UInt8>(UInt8(Logger.Level.info.index))

    /// The level of every logger bootstrapped here; read on every log call, so one relaxed atomic.
    public static var processLevel: Logger.Level {
        get { Logger.Level.allCases[Int(level.load(ordering: .relaxed))] }
        set { level.store(UInt8(newValue.index), ordering: .relaxed) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = format == .json
            ? Self.jsonLine(time: Self.timestamp(), level: event.level, label: label, message: "\(event.message)", metadata: merged)
            : Self.textLine(time: Self.timestamp(), level: event.level, label: label, message: "\(event.message)", metadata: merged)
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        // One write per record keeps lines from several threads whole.
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    static func textLine(time: String, level: Logger.Level, label: String, message: String,
                         metadata: Logger.Metadata) -> String {
        var line = "\(time) \(level) \(label): \(message)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        return line
    }

    static func jsonLine(time: String, level: Logger.Level, label: String, message: String,
                         metadata: Logger.Metadata) -> String {
        var line = "{\"ts\":\(jsonString(time)),\"level\":\(jsonString("\(level)")),\"logger\":\(jsonString(label))"
        line += ",\"msg\":\(jsonString(message))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key })
        where !["ts", "level", "logger", "msg"].contains(key) {
            line += ",\(jsonString(key)):\(jsonString("\(value)"))"
        }
        return line + "}"
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}

extension Logger.Level {
    fileprivate var index: Int { Logger.Level.allCases.firstIndex(of: self) ?? 0 }

    public init(_ level: PalisadeConfiguration.LogLevel) {
        self = switch level {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}
