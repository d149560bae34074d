/// What is wrong with a message, with the answer an edge device gives for it.
///
/// Equal on `code` alone (like swift-certificates' errors): the header and offset are context.
/// `status` and `reasonPhrase` are what Palisade answers to a faulty request; a faulty response is
/// dropped and counted, never answered (RFC 3261 §8.1.3.3 leaves a UAC nothing to answer).
public struct SIPMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The bytes end before the header section does.
        case truncated
        /// Request-Line or Status-Line does not follow RFC 3261 §7.1 / §7.2.
        case badStartLine
        /// The Request-URI is not a valid URI (RFC 3261 §19.1.1, §25.1).
        case badRequestURI
        /// The SIP-Version is not SIP/2.0 (RFC 3261 §8.2.2.1 … §21.5.16: 505).
        case unsupportedVersion
        /// A header line without a colon, or with a name that is not a token.
        case badHeaderLine
        /// One of Via, To, From, Call-ID, CSeq, Max-Forwards is missing (RFC 3261 §8.1.1).
        case missingHeader
        /// A single-value header appears more than once (RFC 3261 §7.3.1).
        case duplicateHeader
        /// The CSeq method differs from the request method (RFC 3261 §8.1.1.5).
        case cseqMethodMismatch
        /// Content-Length disagrees with the body (RFC 3261 §18.3, §20.14).
        case contentLengthMismatch
        /// Content-Length is missing on a stream transport (RFC 3261 §18.3).
        case missingContentLength
        /// A numeric value that is not a number or is out of range (RFC 3261 §25.1).
        case badScalar
        /// A quoted string without its closing quote (RFC 3261 §25.1).
        case unbalancedQuote
        /// A header value that does not follow its grammar.
        case badHeaderValue
        /// The Request-URI scheme is neither sip, sips nor tel (RFC 3261 §8.2.2.1: 416).
        case unsupportedURIScheme
        /// Max-Forwards reached zero (RFC 3261 §16.3 item 2: 483).
        case tooManyHops
        /// Proxy-Require names an extension Palisade does not support (RFC 3261 §16.3 item 4: 420).
        case badExtension
        /// A session body Palisade cannot anchor (RFC 3261 §21.4.13: 415).
        case unsupportedMediaType
        /// Larger than the configured maximum message size (RFC 3261 §21.4.12: 513).
        case messageTooLarge
        /// More header fields than the configured maximum.
        case tooManyHeaders

        /// The status code Palisade answers with.
        public var status: Int {
            switch self {
            case .unsupportedVersion: 505
            case .unsupportedURIScheme: 416
            case .tooManyHops: 483
            case .badExtension: 420
            case .unsupportedMediaType: 415
            case .messageTooLarge: 513
            case .truncated, .badStartLine, .badRequestURI, .badHeaderLine, .missingHeader,
                 .duplicateHeader, .cseqMethodMismatch, .contentLengthMismatch, .missingContentLength,
                 .badScalar, .unbalancedQuote, .badHeaderValue, .tooManyHeaders:
                400
            }
        }

        /// The reason phrase of that answer. For 400 it names the fault, so an operator reading a
        /// trace sees why (RFC 3261 §21.4.1 allows any phrase).
        public var reasonPhrase: String {
            switch self {
            case .truncated: "Bad Request - Truncated Message"
            case .badStartLine: "Bad Request - Malformed Start Line"
            case .badRequestURI: "Bad Request - Malformed Request-URI"
            case .unsupportedVersion: "Version Not Supported"
            case .badHeaderLine: "Bad Request - Malformed Header Line"
            case .missingHeader: "Bad Request - Missing Mandatory Header"
            case .duplicateHeader: "Bad Request - Duplicate Header"
            case .cseqMethodMismatch: "Bad Request - CSeq Method Mismatch"
            case .contentLengthMismatch: "Bad Request - Content-Length Mismatch"
            case .missingContentLength: "Bad Request - Missing Content-Length"
            case .badScalar: "Bad Request - Invalid Number"
            case .unbalancedQuote: "Bad Request - Unbalanced Quote"
            case .badHeaderValue: "Bad Request - Malformed Header Value"
            case .unsupportedURIScheme: "Unsupported URI Scheme"
            case .tooManyHops: "Too Many Hops"
            case .badExtension: "Bad Extension"
            case .unsupportedMediaType: "Unsupported Media Type"
            case .messageTooLarge: "Message Too Large"
            case .tooManyHeaders: "Bad Request - Too Many Headers"
            }
        }
    }

    public let code: Code
    /// The header at fault, in its canonical spelling (or as written, for an unknown header).
    public let header: String?
    /// Byte offset from the start of the message where the fault lies.
    public let offset: Int?

    public init(_ code: Code, header: String? = nil, offset: Int? = nil) {
        self.code = code
        self.header = header
        self.offset = offset
    }

    public var status: Int { code.status }
    public var reasonPhrase: String { code.reasonPhrase }

    public static func == (lhs: SIPMessageError, rhs: SIPMessageError) -> Bool { lhs.code == rhs.code }

    public var description: String {
        var text = "\(status) \(reasonPhrase) (\(code.rawValue)"
        if let header { text += ", header \(header)" }
        if let offset { text += ", offset \(offset)" }
        return text + ")"
    }
}
