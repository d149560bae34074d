/// A transport failure, equal on its code; `context` names what was involved.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notStarted = "not_started"
        case unknownRealm = "unknown_realm"
        case noListener = "no_listener"
        case flowClosed = "flow_closed"
        case connectionLimit = "connection_limit"
        case tlsConfiguration = "tls_configuration"
        case handshakeFailed = "handshake_failed"
        case badAddress = "bad_address"
    }

    public let code: Code
    public let context: String

    public init(_ code: Code, _ context: String = "") {
        self.code = code
        self.context = context
    }

    public static func == (lhs: TransportError, rhs: TransportError) -> Bool { lhs.code == rhs.code }

    public var description: String { context.isEmpty ? code.rawValue : "\(code.rawValue): \(context)" }
}
