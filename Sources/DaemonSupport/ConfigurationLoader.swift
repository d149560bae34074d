import PalisadeConfig
import PosixSupport

/// How a daemon obtains its configuration: built-in defaults without `--config`, else the
/// file, parsed and validated before anything binds a socket.
public enum ConfigurationLoader {
    public enum Failure: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(ConfigurationErrors)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "cannot read configuration \(path): \(reason)"
            case .invalid(let errors): errors.errors.map(\.description).joined(separator: "\n")
            }
        }
    }

    public static func load(path: String?) throws(Failure) -> PalisadeConfiguration {
        guard let path else { return .defaults }
        let text: String
        do {
            text = try TextFile.read(path)
        } catch {
            throw .unreadable(path: path, reason: error.message)
        }
        do {
            return try PalisadeConfiguration.parse(text, source: path)
        } catch {
            throw .invalid(error)
        }
    }

    /// `--check-config PATH`: prints the verdict (errors on stderr); true when the file is valid.
    public static func check(path: String) -> Bool {
        do {
            _ = try load(path: path)
            print("\(path): configuration is valid")
            return true
        } catch {
            printError("\(error)")
            return false
        }
    }
}
