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
        raw = bytes
        var i = bytes.startIndex
        let end = bytes.endIndex
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        guard i < end, ASCII.isAlpha(bytes[i]) else { return nil }
        while i < end, bytes[i] != ASCII.colon {
            let b = bytes[i]
            guard ASCII.isAlphanumeric(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == ASCII.dot else { return nil }
            i += 1
        }
        guard i < end else { return nil }
        let schemeBytes = bytes[bytes.startIndex..<i]
        i += 1
        if ASCII.equalsLowercase(schemeBytes, "sip") {
            scheme = .sip
        } else if ASCII.equalsLowercase(schemeBytes, "sips") {
            scheme = .sips
        } else if ASCII.equalsLowercase(schemeBytes, "tel") {
            scheme = .tel
        } else {
            scheme = .other
        }
        if scheme == .tel || scheme == .other {
            // sip and sips are checked component by component below.
            for b in bytes[i...] where !ASCII.isURIChar(b) { return nil }
        }
        switch scheme {
        case .other:
            guard i < end else { return nil }
            user = nil; password = nil; host = nil; port = nil
            parameters = SIPParametersView(raw: bytes[end...]); headers = nil
        case .tel:
            // RFC 3966: telephone-subscriber then ;parameters.
            var j = i
            while j < end, bytes[j] != ASCII.semicolon { j += 1 }
            guard j > i else { return nil }
            user = bytes[i..<j]; password = nil; host = nil; port = nil
            parameters = SIPParametersView(raw: bytes[j...]); headers = nil
        case .sip, .sips:
            // userinfo ends at the only "@" a SIP URI can hold (params and headers exclude it).
            var at: Int?
            for j in i..<end where bytes[j] == ASCII.at { at = j; break }
            if let at {
                var colon: Int?
                for j in i..<at where bytes[j] == ASCII.colon { colon = j; break }
                let userEnd = colon ?? at
                guard userEnd > i, SIPURIView.isValidEscaped(bytes[i..<userEnd], low: 0xABFF_FFD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE) else { return nil }
                user = bytes[i..<userEnd]
                if let colon {
                    guard SIPURIView.isValidEscaped(bytes[(colon + 1)..<at], low: 0x23FF_7FD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE) else { return nil }
                    password = bytes[(colon + 1)..<at]
                } else {
                    password = nil
                }
                i = at + 1
            } else {
                user = nil; password = nil
            }
            guard let hp = SIPHostView<Bytes>.parseHostPort(bytes[i...]) else { return nil }
            host = hp.host; port = hp.port
            i = hp.end
            var q = i
            while q < end, bytes[q] != ASCII.question { q += 1 }
            guard i == q || bytes[i] == ASCII.semicolon else { return nil }
            let params = SIPParametersView(raw: bytes[i..<q])
            for p in params {
                guard !p.name.isEmpty, SIPURIView.isValidEscaped(p.name, low: 0x07FF_EFD2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE) else { return nil }
                if let v = p.value, !SIPURIView.isValidEscaped(v, low: 0x07FF_EFD2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE) { return nil }
            }
            parameters = params
            if q < end {
                guard q + 1 < end, SIPURIView.isValidEscaped(bytes[(q + 1)...], low: 0xA7FF_EFD2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE) else { return nil }
                headers = bytes[(q + 1)...]
            } else {
                headers = nil
            }
        }
    }

    /// unreserved / escaped / the extra bytes a component allows (RFC 3261 §25.1), given as
    /// the byte-class masks of `ASCII.inMask` (unreserved plus the component's extras).
    static func isValidEscaped(_ bytes: Bytes, low: UInt64, high: UInt64) -> Bool {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == ASCII.percent {
                guard i + 2 < bytes.endIndex, ASCII.isHexDigit(bytes[i + 1]), ASCII.isHexDigit(bytes[i + 2]) else { return false }
                i += 3
                continue
            }
            if !ASCII.inMask(b, low: low, high: high) { return false }
            i += 1
        }
        return true
    }
}

extension SIPURIView: Sendable where Bytes: Sendable {}
