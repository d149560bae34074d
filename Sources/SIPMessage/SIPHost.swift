/// A host as it appears in a URI or Via sent-by (RFC 3261 §25.1 `host`, RFC 5954 for IPv6).
public enum SIPHostKind: Sendable, Equatable { case name, ipv4, ipv6 }

public typealias SIPHost = SIPHostView<ArraySlice<UInt8>>

/// Found by `SIPGrammar.hostPort`.
public struct SIPHostView<Bytes: SIPByteView>: Equatable {
    public typealias Kind = SIPHostKind
    public let kind: Kind
    /// The host as written; an IPv6 reference keeps its brackets.
    public let raw: Bytes

    public var string: String { ASCII.string(raw) }

    public static func == (lhs: SIPHostView, rhs: SIPHostView) -> Bool {
        lhs.kind == rhs.kind && lhs.raw.elementsEqual(rhs.raw)
    }
}

extension SIPHostView: Sendable where Bytes: Sendable {}
