/// A fault in a session description, naming the line (1-based) and the byte offset.
/// Equal on `code` alone.
public struct SDPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A line that is not `<letter>=<value>` (RFC 8866 §5).
        case badLine
        /// The first line is not `v=0` (RFC 8866 §5.1).
        case badVersion
        case badOrigin
        case badConnection
        case badMedia
        case badAttribute
        /// An a=crypto line that breaks RFC 4568 §9.1.
        case badCrypto
    }

    public let code: Code
    public let line: Int?
    public let offset: Int?

    public init(_ code: Code, line: Int? = nil, offset: Int? = nil) {
        self.code = code
        self.line = line
        self.offset = offset
    }

    public static func == (lhs: SDPError, rhs: SDPError) -> Bool { lhs.code == rhs.code }

    public var description: String {
        "SDP \(code.rawValue)" + (line.map { " at line \($0)" } ?? "") + (offset.map { ", offset \($0)" } ?? "")
    }
}
