/// Errors are values with a code and the context that names what was wrong; equal on the code.
public struct MediaEngineError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: Equatable, Sendable {
        case invalidConfiguration
        case unknownInterface
        case portsExhausted
        case duplicateStream
        case unknownStream
        /// Every worker's stream table is full.
        case streamCapacity
        /// The worker's command queue is full; try again.
        case workerBusy
        case socket
        case notRunning
        /// libsrtp2 refused a key (an SRTP context could not be made).
        case srtp
    }

    public let code: Code
    public let context: String

    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public static func == (lhs: MediaEngineError, rhs: MediaEngineError) -> Bool { lhs.code == rhs.code }
    public var description: String { "\(code): \(context)" }
}
