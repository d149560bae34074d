/// Why the transaction layer refused a message or an event. Equal on the code (STYLE 6); the
/// context names what was wrong.
public struct TransactionLayerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The table holds `capacity` transactions; a request refused so should get a stateless
        /// 503 (RFC 3261 §21.5.4) from the shell.
        case tableFull
        /// No parseable top Via.
        case missingVia
        /// The top Via has no RFC 3261 branch (magic cookie `z9hG4bK`); the RFC 2543 fallback of
        /// §17.2.3 is not implemented.
        case missingBranch
        /// A response without a parseable CSeq cannot be matched (§17.1.3).
        case missingCSeq
        /// A request was expected.
        case notARequest
        /// A client transaction with this key exists already (the TU reused a branch).
        case duplicateTransaction
        /// No transaction has this key (it has terminated).
        case unknownTransaction
    }

    public let code: Code
    public let context: String

    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public static func == (lhs: TransactionLayerError, rhs: TransactionLayerError) -> Bool { lhs.code == rhs.code }

    public var description: String { "\(code): \(context)" }
}
