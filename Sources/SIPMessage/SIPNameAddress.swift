/// `name-addr` or `addr-spec` with header parameters, as in From, To, Contact, Route,
/// Record-Route, Reply-To, P-Asserted-Identity (RFC 3261 §20.10, §25.1).
public typealias SIPNameAddress = SIPNameAddressView<ArraySlice<UInt8>>

public struct SIPNameAddressView<Bytes: SIPByteView> {
    /// The display name as written: a quoted string keeps its quotes and escapes.
    public let displayName: Bytes?
    public let uri: SIPURIView<Bytes>
    /// Header parameters after the URI (`;tag=…`, `;expires=…`).
    public let parameters: SIPParametersView<Bytes>

    /// The `tag` parameter (RFC 3261 §19.3).
    public var tag: String? { parameters.string("tag") }

    /// The display name without quotes, with `\x` escapes resolved.
    public var displayNameString: String? {
        guard let d = displayName else { return nil }
        guard d.first == ASCII.quote, d.count >= 2 else { return ASCII.string(d) }
        var out: [UInt8] = []
        var i = d.startIndex + 1
        while i < d.endIndex - 1 {
            if d[i] == ASCII.backslash, i + 1 < d.endIndex - 1 { i += 1 }
            out.append(d[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses one value; fails with the error code and the offset (index into the bytes) at fault.
    @inline(__always)
    public static func parse(_ value: Bytes) -> Result<SIPNameAddressView, SIPFault> {
        var uri = SIPGrammar.URI.empty
        switch value.withGrammarBuffer({ SIPGrammar.nameAddress($0, 0, $0.count, uri: &uri) }) {
        case .success(let n):
            return .success(SIPNameAddressView(displayName: n.displayName.isEmpty ? nil : value.view(n.displayName),
                                               uri: SIPURIView(value.view(n.uriRange), uri, within: value),
                                               parameters: SIPParametersView(raw: value.view(n.parameters))))
        case .failure(let f):
            return .failure(SIPFault(f.code, at: value.startIndex + f.index))
        }
    }
}

/// A fault found inside a value: what, and the index into the message bytes.
public struct SIPFault: Error, Sendable {
    public let code: SIPMessageError.Code
    public let index: Int
    init(_ code: SIPMessageError.Code, at index: Int) {
        self.code = code
        self.index = index
    }
}

extension SIPNameAddressView: Sendable where Bytes: Sendable {}
