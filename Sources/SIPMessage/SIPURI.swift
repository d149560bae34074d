/// A sip:, sips: or tel: URI, or any other absolute URI kept opaque (RFC 3261 §19.1, §25.1;
/// RFC 3966 for tel). Components are views into the message bytes: parsing copies nothing.
/// User and password stay escaped as written (RFC 3261 §19.1.4 compares them unescaped).
public enum SIPURIScheme: Sendable, Equatable { case sip, sips, tel, other }

public typealias SIPURI = SIPURIView<ArraySlice<UInt8>>

public struct SIPURIView<Bytes: SIPByteView> {
    public typealias Scheme = SIPURIScheme

    public let scheme: Scheme
    /// The whole URI as written.
    public let raw: Bytes
    /// User part (sip/sips) or the subscriber number (tel), still escaped.
    public let user: Bytes?
    public let password: Bytes?
    /// nil for tel: and opaque URIs.
    public let host: SIPHostView<Bytes>?
    public let port: Int?
    /// uri-parameters, from the first `;` up to `?` or the end.
    public let parameters: SIPParametersView<Bytes>
    /// The `?`-headers without the `?` (RFC 3261 §19.1.1), nil when absent.
    public let headers: Bytes?

    public var string: String { ASCII.string(raw) }

    /// Parses a URI occupying all of `bytes`; nil when it does not follow the grammar.
    @inline(__always)
    public init?(_ bytes: Bytes) {
        guard let u = bytes.withGrammarBuffer({ SIPGrammar.uri($0, 0, $0.count) }) else { return nil }
        self.init(bytes, u)
    }

    /// The view of a URI the grammar found in `bytes` (buffer indices from `withGrammarBuffer`).
    @inline(__always)
    /// `raw` is the URI's own bytes; `u` indexes the buffer of `within` (which holds them).
    init(_ raw: Bytes, _ u: SIPGrammar.URI, within bytes: Bytes? = nil) {
        let bytes = bytes ?? raw
        self.raw = raw
        scheme = u.scheme
        user = u.user.isEmpty ? nil : bytes.view(u.user)
        password = u.hasPassword ? bytes.view(u.password) : nil
        host = u.host.isEmpty ? nil : SIPHostView(kind: u.hostKind, raw: bytes.view(u.host))
        port = u.port < 0 ? nil : u.port
        parameters = SIPParametersView(raw: bytes.view(u.parameters))
        headers = u.headers.isEmpty ? nil : bytes.view(u.headers)
    }
}

extension SIPURIView: Sendable where Bytes: Sendable {}
