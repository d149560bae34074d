/// Byte classes of the SIP grammar (RFC 3261 §25.1), as tables over single bytes.
///
/// Parsing works on `UInt8` throughout; nothing here allocates.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let lessThan: UInt8 = 0x3C
    static let greaterThan: UInt8 = 0x3E
    static let at: UInt8 = 0x40
    static let equals: UInt8 = 0x3D
    static let question: UInt8 = 0x3F
    static let ampersand: UInt8 = 0x26
    static let percent: UInt8 = 0x25
    static let slash: UInt8 = 0x2F
    static let dot: UInt8 = 0x2E
    static let leftBracket: UInt8 = 0x5B
    static let rightBracket: UInt8 = 0x5D
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39

    /// SP / HTAB, and CR / LF because a folded line (RFC 3261 §7.3.1) leaves them inside a value.
    @inline(__always) static func isLWS(_ b: UInt8) -> Bool {
        b == space || b == tab || b == cr || b == lf
    }

    @inline(__always) static func isWSP(_ b: UInt8) -> Bool { b == space || b == tab }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }

    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    @inline(__always) static func isAlphanumeric(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }

    @inline(__always) static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b | 0x20) &- 0x61 < 6
    }

    @inline(__always) static func lowercased(_ b: UInt8) -> UInt8 {
        (b &- 0x41 < 26) ? b | 0x20 : b
    }

    /// RFC 3261 §25.1 `token`: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
    @inline(__always) static func isTokenChar(_ b: UInt8) -> Bool {
        inMask(b, low: 0x03FF_6CA2_0000_0000, high: 0x47FF_FFFF_87FF_FFFE)
    }

    /// RFC 3261 §25.1 `unreserved` = alphanum / mark.
    @inline(__always) static func isUnreserved(_ b: UInt8) -> Bool {
        inMask(b, low: 0x03FF_6782_0000_0000, high: 0x47FF_FFFE_87FF_FFFE)
    }

    /// Bytes that may appear literally inside a URI we keep raw: unreserved, reserved, escapes
    /// ("-_.!~*'()%&=+$,;?/:[]#@" and alphanumerics).
    @inline(__always) static func isURIChar(_ b: UInt8) -> Bool {
        inMask(b, low: 0xAFFF_FFFA_0000_0000, high: 0x47FF_FFFE_AFFF_FFFF)
    }

    /// Byte classes as two 64-bit masks (bytes 0-63 and 64-127): no table, no lazy global.
    @inline(__always) static func inMask(_ b: UInt8, low: UInt64, high: UInt64) -> Bool {
        if b < 64 { return low & (1 << UInt64(b)) != 0 }
        if b < 128 { return high & (1 << UInt64(b - 64)) != 0 }
        return false
    }

    /// Case-insensitive comparison of a byte slice with a lowercase ASCII literal.
    @inline(__always) static func equalsLowercase<B: SIPByteView>(_ bytes: B, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        return lower.withUTF8Buffer { literal in
            var i = bytes.startIndex
            for l in literal {
                if lowercased(bytes[i]) != l { return false }
                i += 1
            }
            return true
        }
    }

    /// Parses an unsigned decimal of at most `maxValue`; nil if empty, non-digit or too large.
    static func decimal<B: SIPByteView>(_ bytes: B, maxValue: UInt64) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var value: UInt64 = 0
        for b in bytes {
            guard isDigit(b) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(b &- zero))
            if o1 || o2 { return nil }
            value = s
        }
        return value <= maxValue ? value : nil
    }

    /// Removes leading and trailing LWS (including folds).
    @inline(__always) static func trimmed<B: SIPByteView>(_ bytes: B) -> B {
        var lo = bytes.startIndex
        var hi = bytes.endIndex
        while lo < hi, isLWS(bytes[lo]) { lo += 1 }
        while hi > lo, isLWS(bytes[hi - 1]) { hi -= 1 }
        return bytes[lo..<hi]
    }

    static func string<B: Collection<UInt8>>(_ bytes: B) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
