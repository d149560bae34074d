/// The grammar of SIP values (RFC 3261 §25.1) once, as index arithmetic over one contiguous
/// buffer. Each rule reads `p[lo..<hi]` and answers with ranges of indices into `p`, never
/// with views: validation runs these directly over the whole message (so a fault's index is the
/// byte offset an answer names), and the typed views (`SIPURIView`, `SIPViaView`,
/// `SIPNameAddressView`, …) run them over their own bytes and slice the result.
///
/// Invariant for every function here: it reads `p[i]` only for `lo <= i < hi`, and callers pass
/// `0 <= lo <= hi <= p.count`. Every loop tests `i < hi` before it reads.
enum SIPGrammar {
    typealias Buffer = UnsafeBufferPointer<UInt8>

    // MARK: Small pieces

    @inline(__always)
    static func skipLWS(_ p: Buffer, _ i: Int, _ hi: Int) -> Int {
        var i = i
        while i < hi, ASCII.isLWS(p[i]) { i += 1 }
        return i
    }

    /// Removes leading and trailing LWS (including folds).
    @inline(__always)
    static func trimmed(_ p: Buffer, _ lo: Int, _ hi: Int) -> Range<Int> {
        var lo = lo
        var hi = hi
        while lo < hi, ASCII.isLWS(p[lo]) { lo += 1 }
        while hi > lo, ASCII.isLWS(p[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    /// Index just past the closing quote of the quoted string opening at `open`, honouring
    /// `\` escapes (RFC 3261 §25.1 quoted-pair); nil when it never closes before `hi`.
    @inline(__always)
    static func indexAfterQuotedString(_ p: Buffer, at open: Int, _ hi: Int) -> Int? {
        var i = open + 1
        while true {
            i = firstIndex(p, i, hi, ASCII.quote, ASCII.backslash)
            guard i < hi else { return nil }
            if p[i] == ASCII.quote { return i + 1 }
            i += 2
        }
    }

    // MARK: Searching eight bytes at a time

    /// A word with every byte equal to `b`.
    @inline(__always)
    static func splat(_ b: UInt8) -> UInt64 { UInt64(b) &* 0x0101_0101_0101_0101 }

    /// The high bit of each zero byte of `x` set: exact for the lowest zero byte (a borrow only
    /// moves upwards), which is all a search needs.
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 { (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 }

    /// Index of the first byte in `i..<hi` equal to `a` or `b`, or `hi`. Reads whole words only
    /// while eight bytes remain below `hi`.
    @inline(__always)
    static func firstIndex(_ p: Buffer, _ i: Int, _ hi: Int, _ a: UInt8, _ b: UInt8) -> Int {
        var i = i
        if let base = p.baseAddress {
            let raw = UnsafeRawPointer(base)
            let wa = splat(a), wb = splat(b)
            while i + 8 <= hi {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let found = zeroBytes(w ^ wa) | zeroBytes(w ^ wb)
                if found != 0 { return i + (found.trailingZeroBitCount >> 3) }
                i += 8
            }
        }
        while i < hi, p[i] != a, p[i] != b { i += 1 }
        return i
    }

    /// Index of the first byte in `i..<hi` equal to `a`, or `hi`.
    @inline(__always)
    static func firstIndex(_ p: Buffer, _ i: Int, _ hi: Int, _ a: UInt8) -> Int {
        var i = i
        if let base = p.baseAddress {
            let raw = UnsafeRawPointer(base)
            let wa = splat(a)
            while i + 8 <= hi {
                let found = zeroBytes(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ wa)
                if found != 0 { return i + (found.trailingZeroBitCount >> 3) }
                i += 8
            }
        }
        while i < hi, p[i] != a { i += 1 }
        return i
    }

    /// Index of the first byte in `i..<hi` that is `,` `"` `<` or `>`, or `hi`.
    @inline(__always)
    static func firstListDelimiter(_ p: Buffer, _ i: Int, _ hi: Int) -> Int {
        var i = i
        if let base = p.baseAddress {
            let raw = UnsafeRawPointer(base)
            let comma = splat(ASCII.comma), quote = splat(ASCII.quote)
            let less = splat(ASCII.lessThan), greater = splat(ASCII.greaterThan)
            while i + 8 <= hi {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let found = zeroBytes(w ^ comma) | zeroBytes(w ^ quote) | zeroBytes(w ^ less) | zeroBytes(w ^ greater)
                if found != 0 { return i + (found.trailingZeroBitCount >> 3) }
                i += 8
            }
        }
        while i < hi {
            let b = p[i]
            if b == ASCII.comma || b == ASCII.quote || b == ASCII.lessThan || b == ASCII.greaterThan { break }
            i += 1
        }
        return i
    }

    /// An unsigned decimal of at most `maxValue` filling `lo..<hi`; nil if empty, non-digit or too large.
    @inline(__always)
    static func decimal(_ p: Buffer, _ lo: Int, _ hi: Int, maxValue: UInt64) -> UInt64? {
        guard hi > lo, hi - lo <= 20 else { return nil }
        var value: UInt64 = 0
        var i = lo
        while i < hi {
            let d = p[i] &- ASCII.zero
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        return value <= maxValue ? value : nil
    }

    /// Whether `lo..<hi` is unreserved / escaped / the extras of a URI component (RFC 3261 §25.1),
    /// the allowed bytes given as the masks of `ASCII.inMask`.
    @inline(__always)
    static func isValidEscaped(_ p: Buffer, _ lo: Int, _ hi: Int, low: UInt64, high: UInt64) -> Bool {
        var i = lo
        while i < hi {
            let b = p[i]
            if b == ASCII.percent {
                guard i + 2 < hi, ASCII.isHexDigit(p[i + 1]), ASCII.isHexDigit(p[i + 2]) else { return false }
                i += 3
                continue
            }
            if !ASCII.inMask(b, low: low, high: high) { return false }
            i += 1
        }
        return true
    }

    // MARK: Lists and parameters

    /// The next comma-separated value of a field at or after `index` (RFC 3261 §7.3.1), split
    /// only outside quoted strings and `<…>`; trimmed. Sets `unbalanced` when a quote or angle
    /// bracket is left open.
    @inline(__always)
    static func nextValue(_ p: Buffer, _ index: inout Int, _ hi: Int, unbalanced: inout Bool) -> Range<Int>? {
        guard index < hi else { return nil }
        let start = index
        var angle = false
        var i = index
        while true {
            i = firstListDelimiter(p, i, hi)
            guard i < hi else { break }
            let b = p[i]
            if b == ASCII.quote {
                guard let after = indexAfterQuotedString(p, at: i, hi) else {
                    unbalanced = true
                    i = hi
                    break
                }
                i = after
                continue
            }
            if b == ASCII.comma, !angle { break }
            if b == ASCII.lessThan { angle = true } else if b == ASCII.greaterThan { angle = false }
            i += 1
        }
        if angle { unbalanced = true }
        index = i + 1
        return trimmed(p, start, Swift.min(i, hi))
    }

    struct Parameter {
        var name: Range<Int>
        /// nil for a flag parameter such as `;lr`.
        var value: Range<Int>?
    }

    /// The next `;name[=value]` at or after `index`; values keep their quotes and are trimmed.
    @inline(__always)
    static func nextParameter(_ p: Buffer, _ index: inout Int, _ hi: Int) -> Parameter? {
        var i = index
        // Skip the separator and surrounding LWS.
        while i < hi, p[i] == ASCII.semicolon || ASCII.isLWS(p[i]) { i += 1 }
        guard i < hi else {
            index = i
            return nil
        }
        let nameStart = i
        while i < hi {
            let b = p[i]
            if b == ASCII.semicolon || b == ASCII.equals || ASCII.isLWS(b) { break }
            i += 1
        }
        let name = nameStart..<i
        i = skipLWS(p, i, hi)
        guard i < hi, p[i] == ASCII.equals else {
            index = i
            return Parameter(name: name, value: nil)
        }
        i = skipLWS(p, i + 1, hi)
        let valueStart = i
        while i < hi {
            let b = p[i]
            if b == ASCII.semicolon { break }
            if b == ASCII.quote {
                i = indexAfterQuotedString(p, at: i, hi) ?? hi
                continue
            }
            i += 1
        }
        index = i
        return Parameter(name: name, value: trimmed(p, valueStart, i))
    }

    /// A parameter that passed the generic-param grammar, or the first fault found in it.
    enum CheckedParameter {
        case parameter(Parameter)
        case fault(SIPMessageError.Code)
    }

    /// `nextParameter` and the generic-param grammar (RFC 3261 §25.1) in one pass: a token
    /// name, and a value that is a token, a host (IPv6 references included) or a quoted string.
    /// Answers exactly as checking the parameter `nextParameter` finds would: the first byte
    /// that breaks the grammar decides the code.
    @inline(__always)
    static func nextCheckedParameter(_ p: Buffer, _ index: inout Int, _ hi: Int) -> CheckedParameter? {
        var i = index
        while i < hi, p[i] == ASCII.semicolon || ASCII.isLWS(p[i]) { i += 1 }
        guard i < hi else {
            index = i
            return nil
        }
        let nameStart = i
        while i < hi, ASCII.isTokenChar(p[i]) { i += 1 }
        // The name runs to ";", "=", LWS or the end: any other byte before them is not a token byte.
        if i < hi {
            let b = p[i]
            if !(b == ASCII.semicolon || b == ASCII.equals || ASCII.isLWS(b)) { return .fault(.badHeaderValue) }
        }
        if i == nameStart { return .fault(.badHeaderValue) }
        let name = nameStart..<i
        i = skipLWS(p, i, hi)
        guard i < hi, p[i] == ASCII.equals else {
            index = i
            return .parameter(Parameter(name: name, value: nil))
        }
        i = skipLWS(p, i + 1, hi)
        let valueStart = i
        if i < hi, p[i] == ASCII.quote {
            // quoted-string: up to the next ";" outside quotes, and it must end with its quote.
            while i < hi {
                let b = p[i]
                if b == ASCII.semicolon { break }
                if b == ASCII.quote {
                    i = indexAfterQuotedString(p, at: i, hi) ?? hi
                    continue
                }
                i += 1
            }
            let v = trimmed(p, valueStart, i)
            if v.count < 2 || p[v.upperBound - 1] != ASCII.quote { return .fault(.unbalancedQuote) }
            index = i
            return .parameter(Parameter(name: name, value: v))
        }
        // token / host: token bytes plus ":" "[" "]".
        while i < hi, ASCII.inMask(p[i], low: 0x07FF_6CA2_0000_0000, high: 0x47FF_FFFF_AFFF_FFFE) { i += 1 }
        let valueEnd = i
        // Only LWS may follow before the next ";" or the end; otherwise the byte at `valueEnd` is
        // the first inside the value that breaks the grammar.
        let k = skipLWS(p, i, hi)
        if k < hi, p[k] != ASCII.semicolon { return .fault(p[valueEnd] == ASCII.quote ? .unbalancedQuote : .badHeaderValue) }
        if valueEnd == valueStart { return .fault(.badHeaderValue) }
        index = k
        return .parameter(Parameter(name: name, value: valueStart..<valueEnd))
    }

    /// Every parameter of `lo..<hi` against the generic-param grammar.
    @inline(__always)
    static func checkParameters(_ p: Buffer, _ lo: Int, _ hi: Int) -> SIPMessageError.Code? {
        var i = lo
        while let checked = nextCheckedParameter(p, &i, hi) {
            if case .fault(let code) = checked { return code }
        }
        return nil
    }

    // MARK: Hosts

    // The results below are kept small (no optionals: an absent part is an empty range or
    // -1), so they travel in registers or inline copies rather than through memcpy.

    struct HostPort {
        var kind: SIPHostKind
        /// The host as written; an IPv6 reference keeps its brackets.
        var host: Range<Int>
        /// -1 when absent.
        var port: Int
        /// Index just past the host and port.
        var end: Int
    }

    /// `host [":" port]` at the start of `lo..<hi` (RFC 3261 §25.1 hostport); stops at any byte
    /// that cannot belong to a host.
    @inline(__always)
    static func hostPort(_ p: Buffer, _ lo: Int, _ hi: Int) -> HostPort? {
        var i = lo
        guard i < hi else { return nil }
        let kind: SIPHostKind
        if p[i] == ASCII.leftBracket {
            // RFC 3261 §25.1 IPv6reference = "[" IPv6address "]".
            i += 1
            var colons = 0
            while i < hi, p[i] != ASCII.rightBracket {
                let b = p[i]
                guard ASCII.isHexDigit(b) || b == ASCII.colon || b == ASCII.dot else { return nil }
                if b == ASCII.colon { colons += 1 }
                i += 1
            }
            guard i < hi, colons >= 2, isIPv6(p, lo + 1, i) else { return nil }
            i += 1
            kind = .ipv6
        } else {
            // Digits and dots first (an IPv4 address); a letter or "-" makes it a host name, which
            // runs on over alphanumerics, "-" and ".".
            var allNumeric = true
            while i < hi, ASCII.isDigit(p[i]) || p[i] == ASCII.dot { i += 1 }
            if i < hi, ASCII.isAlpha(p[i]) || p[i] == UInt8(ascii: "-") {
                allNumeric = false
                i += 1
                while i < hi, ASCII.inMask(p[i], low: 0x03FF_6000_0000_0000, high: 0x07FF_FFFE_07FF_FFFE) { i += 1 }
            }
            guard i > lo else { return nil }
            if allNumeric {
                guard isIPv4(p, lo, i) else { return nil }
                kind = .ipv4
            } else {
                // hostname: labels of alphanum and "-", not starting with "-" or ".".
                guard p[lo] != UInt8(ascii: "-"), p[lo] != ASCII.dot else { return nil }
                kind = .name
            }
        }
        let hostEnd = i
        var port = -1
        if i < hi, p[i] == ASCII.colon {
            i += 1
            let start = i
            while i < hi, ASCII.isDigit(p[i]) { i += 1 }
            guard let n = decimal(p, start, i, maxValue: 65535) else { return nil }
            port = Int(n)
        }
        return HostPort(kind: kind, host: lo..<hostEnd, port: port, end: i)
    }

    /// Dotted-quad IPv4address filling `lo..<hi`.
    static func isIPv4(_ p: Buffer, _ lo: Int, _ hi: Int) -> Bool {
        var parts = 0
        var value = 0
        var digits = 0
        var i = lo
        while i < hi {
            let b = p[i]
            i += 1
            if b == ASCII.dot {
                guard digits > 0 else { return false }
                parts += 1
                value = 0
                digits = 0
            } else {
                value = value * 10 + Int(b &- ASCII.zero)
                digits += 1
                guard value <= 255, digits <= 3 else { return false }
            }
        }
        return digits > 0 && parts == 3
    }

    /// RFC 3261 §25.1 IPv6address as corrected by RFC 5954 §4.1: at most eight 16-bit groups,
    /// one "::" at most, an optional dotted IPv4 tail counting as two groups.
    static func isIPv6(_ p: Buffer, _ lo: Int, _ hi: Int) -> Bool {
        guard hi > lo else { return false }
        var groups = 0
        var doubleColon = false
        var i = lo
        if p[i] == ASCII.colon {
            guard i + 1 < hi, p[i + 1] == ASCII.colon else { return false }
            doubleColon = true
            i += 2
            if i == hi { return true }
        }
        while i < hi {
            let groupStart = i
            while i < hi, ASCII.isHexDigit(p[i]) { i += 1 }
            if i < hi, p[i] == ASCII.dot {
                // IPv4 tail: must be last.
                guard isIPv4(p, groupStart, hi) else { return false }
                groups += 2
                i = hi
                break
            }
            let length = i - groupStart
            guard length >= 1, length <= 4 else { return false }
            groups += 1
            if i == hi { break }
            guard p[i] == ASCII.colon else { return false }
            i += 1
            if i < hi, p[i] == ASCII.colon {
                guard !doubleColon else { return false }
                doubleColon = true
                i += 1
                if i == hi { break }
            } else if i == hi {
                return false
            }
        }
        return doubleColon ? groups <= 7 : groups == 8
    }

    // MARK: URIs

    struct URI {
        /// A placeholder for `nameAddress` to write into.
        static var empty: URI {
            URI(scheme: .other, hostKind: .name, hasPassword: false, user: 0..<0, password: 0..<0, host: 0..<0,
                port: -1, parameters: 0..<0, headers: 0..<0)
        }

        var scheme: SIPURIScheme
        var hostKind: SIPHostKind
        /// A password may be empty (`sip:alice:@host`), so its presence is a flag.
        var hasPassword: Bool
        /// Empty when absent (a user present is never empty).
        var user: Range<Int>
        var password: Range<Int>
        /// Empty for tel: and opaque URIs.
        var host: Range<Int>
        /// -1 when absent.
        var port: Int
        /// From the first `;` up to `?` or the end.
        var parameters: Range<Int>
        /// Without the `?`; empty when absent (headers present are never empty).
        var headers: Range<Int>
    }

    /// A sip:, sips:, tel: or other absolute URI filling `lo..<hi` (RFC 3261 §19.1, §25.1;
    /// RFC 3966); nil when it does not follow the grammar.
    @inline(__always)
    static func uri(_ p: Buffer, _ lo: Int, _ hi: Int) -> URI? {
        var i = lo
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        guard i < hi, ASCII.isAlpha(p[i]) else { return nil }
        while i < hi, p[i] != ASCII.colon {
            // alphanumerics, "+", "-", ".".
            guard ASCII.inMask(p[i], low: 0x03FF_6800_0000_0000, high: 0x07FF_FFFE_07FF_FFFE) else { return nil }
            i += 1
        }
        guard i < hi else { return nil }
        let scheme: SIPURIScheme
        switch i - lo {
        case 3:
            let s0 = p[lo] | 0x20, s1 = p[lo + 1] | 0x20, s2 = p[lo + 2] | 0x20
            if s0 == UInt8(ascii: "s"), s1 == UInt8(ascii: "i"), s2 == UInt8(ascii: "p") {
                scheme = .sip
            } else if s0 == UInt8(ascii: "t"), s1 == UInt8(ascii: "e"), s2 == UInt8(ascii: "l") {
                scheme = .tel
            } else {
                scheme = .other
            }
        case 4:
            let sips = p[lo] | 0x20 == UInt8(ascii: "s") && p[lo + 1] | 0x20 == UInt8(ascii: "i")
                && p[lo + 2] | 0x20 == UInt8(ascii: "p") && p[lo + 3] | 0x20 == UInt8(ascii: "s")
            scheme = sips ? .sips : .other
        default:
            scheme = .other
        }
        i += 1
        switch scheme {
        case .other, .tel:
            // sip and sips are checked component by component below.
            var k = i
            while k < hi {
                if !ASCII.isURIChar(p[k]) { return nil }
                k += 1
            }
            if scheme == .other {
                guard i < hi else { return nil }
                return URI(scheme: .other, hostKind: .name, hasPassword: false, user: hi..<hi, password: hi..<hi, host: hi..<hi,
                           port: -1, parameters: hi..<hi, headers: hi..<hi)
            }
            // RFC 3966: telephone-subscriber then ;parameters.
            var j = i
            while j < hi, p[j] != ASCII.semicolon { j += 1 }
            guard j > i else { return nil }
            return URI(scheme: .tel, hostKind: .name, hasPassword: false, user: i..<j, password: hi..<hi, host: hi..<hi,
                       port: -1, parameters: j..<hi, headers: hi..<hi)
        case .sip, .sips:
            // userinfo ends at the only "@" a SIP URI can hold (params and headers exclude it);
            // the password starts after the first ":" before it.
            var at = -1
            var colon = -1
            var j = firstIndex(p, i, hi, ASCII.at, ASCII.colon)
            if j < hi, p[j] == ASCII.colon {
                colon = j
                j = firstIndex(p, j + 1, hi, ASCII.at)
            }
            if j < hi { at = j }
            var user = i..<i
            var password = i..<i
            var hasPassword = false
            if at >= 0 {
                let userEnd = colon >= 0 ? colon : at
                guard userEnd > i, isValidEscaped(p, i, userEnd, low: 0xABFF_FFD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE) else { return nil }
                user = i..<userEnd
                if colon >= 0 {
                    guard isValidEscaped(p, colon + 1, at, low: 0x23FF_7FD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE) else { return nil }
                    password = (colon + 1)..<at
                    hasPassword = true
                }
                i = at + 1
            }
            guard let hp = hostPort(p, i, hi) else { return nil }
            i = hp.end
            let q = firstIndex(p, i, hi, ASCII.question)
            guard i == q || p[i] == ASCII.semicolon else { return nil }
            var k = i
            while let param = nextParameter(p, &k, q) {
                guard !param.name.isEmpty,
                      isValidEscaped(p, param.name.lowerBound, param.name.upperBound, low: 0x07FF_EFD2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE)
                else { return nil }
                if let v = param.value, !isValidEscaped(p, v.lowerBound, v.upperBound, low: 0x07FF_EFD2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE) {
                    return nil
                }
            }
            var headers = hi..<hi
            if q < hi {
                guard q + 1 < hi, isValidEscaped(p, q + 1, hi, low: 0xA7FF_EFD2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE) else { return nil }
                headers = (q + 1)..<hi
            }
            return URI(scheme: scheme, hostKind: hp.kind, hasPassword: hasPassword, user: user, password: password, host: hp.host,
                       port: hp.port, parameters: i..<q, headers: headers)
        }
    }

    // MARK: Header values

    struct NameAddress {
        /// As written: a quoted string keeps its quotes and escapes. Empty when absent (a
        /// display name present is never empty: a quoted one has its quotes).
        var displayName: Range<Int>
        /// Where the URI lies (inside `<>` for a name-addr).
        var uriRange: Range<Int>
        /// Header parameters after the URI.
        var parameters: Range<Int>
    }

    /// `name-addr` or `addr-spec` with header parameters (RFC 3261 §20.10, §25.1). The URI's
    /// parts go to `uri`, written in place: the result stays small enough to need no memcpy.
    @inline(__always)
    static func nameAddress(_ p: Buffer, _ lo: Int, _ hi: Int, uri: inout URI) -> Result<NameAddress, SIPFault> {
        let value = trimmed(p, lo, hi)
        var i = value.lowerBound
        let end = value.upperBound
        guard i < end else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        var display = lo..<lo
        var angle = -1
        if p[i] == ASCII.quote {
            // quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (RFC 3261 §25.1).
            let start = i
            i += 1
            var closed = false
            while i < end {
                let b = p[i]
                if b == ASCII.backslash {
                    i += 2
                    continue
                }
                if b == ASCII.quote {
                    closed = true
                    break
                }
                i += 1
            }
            guard closed else { return .failure(SIPFault(.unbalancedQuote, at: start)) }
            display = start..<(i + 1)
            i = skipLWS(p, i + 1, end)
            guard i < end, p[i] == ASCII.lessThan else { return .failure(SIPFault(.badHeaderValue, at: i)) }
            angle = i
        } else {
            // Either *(token LWS) "<" or an addr-spec.
            var j = i
            while j < end, ASCII.isTokenChar(p[j]) || ASCII.isLWS(p[j]) { j += 1 }
            if j < end, p[j] == ASCII.lessThan {
                if j > i { display = trimmed(p, i, j) }
                angle = j
            } else if j < end, p[j] == ASCII.quote {
                return .failure(SIPFault(.unbalancedQuote, at: j))
            }
        }
        let uriRange: Range<Int>
        var rest: Int
        if angle >= 0 {
            let close = firstIndex(p, angle + 1, end, ASCII.greaterThan)
            guard close < end else { return .failure(SIPFault(.badHeaderValue, at: angle)) }
            guard let u = SIPGrammar.uri(p, angle + 1, close) else { return .failure(SIPFault(.badHeaderValue, at: angle + 1)) }
            uri = u
            uriRange = (angle + 1)..<close
            rest = close + 1
        } else {
            // addr-spec: its parameters belong to the header (RFC 3261 §20.10).
            var j = i
            while j < end, p[j] != ASCII.semicolon, !ASCII.isLWS(p[j]) { j += 1 }
            // RFC 3261 §20.10: a URI with "?" (or "," or ";") must be enclosed in "<>".
            guard let u = SIPGrammar.uri(p, i, j), u.headers.isEmpty else { return .failure(SIPFault(.badHeaderValue, at: i)) }
            uri = u
            uriRange = i..<j
            rest = j
        }
        rest = skipLWS(p, rest, end)
        guard rest == end || p[rest] == ASCII.semicolon else { return .failure(SIPFault(.badHeaderValue, at: rest)) }
        if let code = checkParameters(p, rest, end) { return .failure(SIPFault(code, at: rest)) }
        return .success(NameAddress(displayName: display, uriRange: uriRange, parameters: rest..<end))
    }

    struct Via {
        var protocolName: Range<Int>
        var protocolVersion: Range<Int>
        var transport: Range<Int>
        var host: HostPort
        var parameters: Range<Int>
    }

    /// One Via value (RFC 3261 §20.42, §25.1 via-parm).
    @inline(__always)
    static func via(_ p: Buffer, _ lo: Int, _ hi: Int) -> Result<Via, SIPFault> {
        let value = trimmed(p, lo, hi)
        var i = value.lowerBound
        let end = value.upperBound
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS.
        @inline(__always) func token() -> Range<Int> {
            i = skipLWS(p, i, end)
            let s = i
            while i < end, ASCII.isTokenChar(p[i]) { i += 1 }
            return s..<i
        }
        @inline(__always) func slash() -> Bool {
            i = skipLWS(p, i, end)
            guard i < end, p[i] == ASCII.slash else { return false }
            i += 1
            return true
        }
        let name = token()
        guard !name.isEmpty, slash() else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        let version = token()
        guard !version.isEmpty, slash() else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        let transport = token()
        guard !transport.isEmpty, i < end, ASCII.isLWS(p[i]) else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        i = skipLWS(p, i, end)
        guard let hp = hostPort(p, i, end) else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        i = skipLWS(p, hp.end, end)
        guard i == end || p[i] == ASCII.semicolon else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        // One pass: the generic-param grammar, and via-ttl = 1*3DIGIT in 0-255 (RFC 3261 §25.1).
        var k = i
        while let checked = nextCheckedParameter(p, &k, end) {
            switch checked {
            case .fault(let code):
                return .failure(SIPFault(code, at: i))
            case .parameter(let param):
                let n = param.name
                if n.count == 3, p[n.lowerBound] | 0x20 == UInt8(ascii: "t"), p[n.lowerBound + 1] | 0x20 == UInt8(ascii: "t"),
                   p[n.lowerBound + 2] | 0x20 == UInt8(ascii: "l") {
                    guard let v = param.value, decimal(p, v.lowerBound, v.upperBound, maxValue: 255) != nil else {
                        return .failure(SIPFault(.badScalar, at: i))
                    }
                }
            }
        }
        return .success(Via(protocolName: name, protocolVersion: version, transport: transport, host: hp, parameters: i..<end))
    }

    /// CSeq (RFC 3261 §20.16): the sequence number and where the method lies.
    @inline(__always)
    static func cseq(_ p: Buffer, _ lo: Int, _ hi: Int) -> Result<(sequence: UInt32, method: Range<Int>), SIPFault> {
        let value = trimmed(p, lo, hi)
        var i = value.lowerBound
        let end = value.upperBound
        while i < end, ASCII.isDigit(p[i]) { i += 1 }
        guard let n = decimal(p, value.lowerBound, i, maxValue: 0x7FFF_FFFF) else {
            return .failure(SIPFault(.badScalar, at: value.lowerBound))
        }
        guard i < end, ASCII.isLWS(p[i]) else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        i = skipLWS(p, i, end)
        guard i < end else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        var k = i
        while k < end {
            guard ASCII.isTokenChar(p[k]) else { return .failure(SIPFault(.badHeaderValue, at: i)) }
            k += 1
        }
        return .success((UInt32(n), i..<end))
    }
}

extension SIPByteView {
    /// Runs `body` over this view's bytes as one buffer whose index 0 is `startIndex`. Both
    /// views Palisade uses are contiguous; any other conformer is copied once.
    @inline(__always)
    func withGrammarBuffer<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = withContiguousStorageIfAvailable(body) { return r }
        return Array(self).withUnsafeBufferPointer(body)
    }

    /// The sub-view at `r`, a range of buffer indices from `withGrammarBuffer`.
    @inline(__always)
    func view(_ r: Range<Int>) -> Self {
        self[(startIndex + r.lowerBound)..<(startIndex + r.upperBound)]
    }
}
