/// Why a credentials header could not be read: a code, the byte offset in the header value and, where
/// one is to blame, the parameter's name. Errors are equal on their code.
public struct DigestParseError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The scheme is not `Digest` (for example `Basic`, which Palisade never accepts).
        case notDigestScheme
        case malformedParameter
        case unterminatedQuotedString
        case duplicateParameter
        case missingParameter
        case unsupportedAlgorithm
        /// `qop=auth-int` or anything else but `auth`: Palisade does not hash bodies.
        case unsupportedQop
        /// `nc` is not eight hex digits (RFC 7616 §3.4: nc-value = 8LHEX).
        case invalidNonceCount
        /// RFC 7616 §3.4: when qop is present, cnonce and nc must be too.
        case qopWithoutNonceCount
    }

    public let code: Code
    public let offset: Int
    public let parameter: String?

    public init(_ code: Code, offset: Int, parameter: String? = nil) {
        self.code = code
        self.offset = offset
        self.parameter = parameter
    }

    public var description: String {
        if let parameter {
            return "\(code) at byte \(offset) (parameter \(parameter))"
        }
        return "\(code) at byte \(offset)"
    }
}

extension DigestParseError: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
}
