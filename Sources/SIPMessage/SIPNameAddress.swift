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

    /// Parses one value; throws the error code and the offset (index into the bytes) at fault.
    @inline(__always)
    public static func parse(_ value: Bytes) -> Result<SIPNameAddressView, SIPFault> {
        let bytes = ASCII.trimmed(value)
        var i = bytes.startIndex
        let end = bytes.endIndex
        guard i < end else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        var display: Bytes?
        var angle: Int?
        if bytes[i] == ASCII.quote {
            // quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (RFC 3261 §25.1).
            let start = i
            i += 1
            var closed = false
            while i < end {
                if bytes[i] == ASCII.backslash {
                    i += 2
                    continue
                }
                if bytes[i] == ASCII.quote { closed = true; break }
                i += 1
            }
            guard closed else { return .failure(SIPFault(.unbalancedQuote, at: start)) }
            display = bytes[start...i]
            i += 1
            while i < end, ASCII.isLWS(bytes[i]) { i += 1 }
            guard i < end, bytes[i] == ASCII.lessThan else { return .failure(SIPFault(.badHeaderValue, at: i)) }
            angle = i
        } else {
            // Either *(token LWS) "<" or an addr-spec.
            var j = i
            while j < end, ASCII.isTokenChar(bytes[j]) || ASCII.isLWS(bytes[j]) { j += 1 }
            if j < end, bytes[j] == ASCII.lessThan {
                if j > i { display = ASCII.trimmed(bytes[i..<j]) }
                angle = j
            } else if j < end, bytes[j] == ASCII.quote {
                return .failure(SIPFault(.unbalancedQuote, at: j))
            }
        }
        let uri: SIPURIView<Bytes>
        var rest: Int
        if let angle {
            var close = angle + 1
            while close < end, bytes[close] != ASCII.greaterThan { close += 1 }
            guard close < end else { return .failure(SIPFault(.badHeaderValue, at: angle)) }
            guard let u = SIPURIView<Bytes>(bytes[(angle + 1)..<close]) else {
                return .failure(SIPFault(.badHeaderValue, at: angle + 1))
            }
            uri = u
            rest = close + 1
        } else {
            // addr-spec: its parameters belong to the header (RFC 3261 §20.10).
            var j = i
            while j < end, bytes[j] != ASCII.semicolon, !ASCII.isLWS(bytes[j]) { j += 1 }
            // RFC 3261 §20.10: a URI with "?" (or "," or ";") must be enclosed in "<>".
            guard let u = SIPURIView<Bytes>(bytes[i..<j]), u.headers == nil else { return .failure(SIPFault(.badHeaderValue, at: i)) }
            uri = u
            rest = j
        }
        while rest < end, ASCII.isLWS(bytes[rest]) { rest += 1 }
        guard rest == end || bytes[rest] == ASCII.semicolon else { return .failure(SIPFault(.badHeaderValue, at: rest)) }
        let parameters = SIPParametersView(raw: bytes[rest...])
        if let code = parameters.validate() { return .failure(SIPFault(code, at: rest)) }
        return .success(SIPNameAddressView(displayName: display, uri: uri, parameters: parameters))
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
