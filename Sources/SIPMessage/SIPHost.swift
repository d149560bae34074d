/// A host as it appears in a URI or Via sent-by (RFC 3261 §25.1 `host`, RFC 5954 for IPv6).
public enum SIPHostKind: Sendable, Equatable { case name, ipv4, ipv6 }

public typealias SIPHost = SIPHostView<ArraySlice<UInt8>>

public struct SIPHostView<Bytes: SIPByteView>: Equatable {
    public typealias Kind = SIPHostKind
    public let kind: Kind
    /// The host as written; an IPv6 reference keeps its brackets.
    public let raw: Bytes

    public var string: String { ASCII.string(raw) }

    public static func == (lhs: SIPHostView, rhs: SIPHostView) -> Bool {
        lhs.kind == rhs.kind && lhs.raw.elementsEqual(rhs.raw)
    }

    /// Parses `host [":" port]` at the start of `bytes`; returns the host, the port and the index
    /// after them, or nil. Stops at any byte that cannot belong to a host.
    static func parseHostPort(_ bytes: Bytes) -> (host: SIPHostView, port: Int?, end: Int)? {
        var i = bytes.startIndex
        let end = bytes.endIndex
        guard i < end else { return nil }
        let host: SIPHostView
        if bytes[i] == ASCII.leftBracket {
            // RFC 3261 §25.1 IPv6reference = "[" IPv6address "]".
            let start = i
            i += 1
            var colons = 0
            while i < end, bytes[i] != ASCII.rightBracket {
                let b = bytes[i]
                guard ASCII.isHexDigit(b) || b == ASCII.colon || b == ASCII.dot else { return nil }
                if b == ASCII.colon { colons += 1 }
                i += 1
            }
            guard i < end, colons >= 2, isIPv6(bytes[(start + 1)..<i]) else { return nil }
            i += 1
            host = SIPHostView(kind: .ipv6, raw: bytes[start..<i])
        } else {
            let start = i
            var allNumeric = true
            while i < end, ASCII.isAlphanumeric(bytes[i]) || bytes[i] == UInt8(ascii: "-") || bytes[i] == ASCII.dot {
                if !(ASCII.isDigit(bytes[i]) || bytes[i] == ASCII.dot) { allNumeric = false }
                i += 1
            }
            guard i > start else { return nil }
            let raw = bytes[start..<i]
            if allNumeric {
                guard isIPv4(raw) else { return nil }
                host = SIPHostView(kind: .ipv4, raw: raw)
            } else {
                // hostname: labels of alphanum and "-", not starting or ending with "-".
                guard raw.first != UInt8(ascii: "-"), raw.first != ASCII.dot else { return nil }
                host = SIPHostView(kind: .name, raw: raw)
            }
        }
        var port: Int?
        if i < end, bytes[i] == ASCII.colon {
            i += 1
            let start = i
            while i < end, ASCII.isDigit(bytes[i]) { i += 1 }
            guard let p = ASCII.decimal(bytes[start..<i], maxValue: 65535) else { return nil }
            port = Int(p)
        }
        return (host, port, i)
    }

    static func isIPv4(_ raw: Bytes) -> Bool {
        var parts = 0
        var value = 0
        var digits = 0
        for b in raw {
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
    static func isIPv6(_ raw: Bytes) -> Bool {
        guard !raw.isEmpty else { return false }
        var groups = 0
        var doubleColon = false
        var i = raw.startIndex
        let end = raw.endIndex
        if raw[i] == ASCII.colon {
            guard i + 1 < end, raw[i + 1] == ASCII.colon else { return false }
            doubleColon = true
            i += 2
            if i == end { return true }
        }
        while i < end {
            let groupStart = i
            while i < end, ASCII.isHexDigit(raw[i]) { i += 1 }
            if i < end, raw[i] == ASCII.dot {
                // IPv4 tail: must be last.
                guard isIPv4(raw[groupStart..<end]) else { return false }
                groups += 2
                i = end
                break
            }
            let length = i - groupStart
            guard length >= 1, length <= 4 else { return false }
            groups += 1
            if i == end { break }
            guard raw[i] == ASCII.colon else { return false }
            i += 1
            if i < end, raw[i] == ASCII.colon {
                guard !doubleColon else { return false }
                doubleColon = true
                i += 1
                if i == end { break }
            } else if i == end {
                return false
            }
        }
        return doubleColon ? groups <= 7 : groups == 8
    }
}

extension SIPHostView: Sendable where Bytes: Sendable {}
