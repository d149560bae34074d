import SDP

/// Lists every IP literal and host name written anywhere in a session description, so a test
/// (or a paranoid shell) can check that nothing of one realm reaches the other (topology
/// hiding, issue 6 item 2; RFC 5853 §3.1.2).
///
/// It is a lexical scan, not a parser: every line value is cut at spaces and `/ @ ; = , | [ ]`,
/// and each piece is tested as an IPv6 literal (RFC 4291 §2.2), then cut again at `:` and each
/// part tested as a dotted-quad IPv4 literal or a host name (RFC 1123 §2.1, with a final label
/// that is not all digits). It errs on the side of reporting.
public enum SDPAddressScan {
    public enum Kind: String, Sendable { case ipv4, ipv6, host }

    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public var kind: Kind
        public var value: String
        /// The line type letter and its 1-based number in the printed description.
        public var lineType: Character
        public var line: Int
        public var description: String { "\(kind.rawValue) \(value) (\(lineType)= line \(line))" }
    }

    public static func findings(in sdp: SessionDescription) -> [Finding] {
        var out: [Finding] = []
        var number = 0
        let all = sdp.sessionLines + sdp.media.flatMap(\.lines)
        for line in all {
            number += 1
            for value in scan(line.value) {
                out.append(Finding(kind: value.kind, value: value.value, lineType: line.typeCharacter, line: number))
            }
        }
        return out
    }

    /// The distinct values found, lowercased.
    public static func values(in sdp: SessionDescription) -> Set<String> {
        Set(findings(in: sdp).map { $0.value.lowercased() })
    }

    /// The addresses and host names in a line's value, as received.
    static func scan(_ value: ArraySlice<UInt8>) -> [(kind: Kind, value: String)] {
        // Every finding needs a dot (IPv4, a host name) or two colons (IPv6): most SDP lines
        // (rtpmap, fmtp, ptime, a direction) have neither, and are passed over in one byte loop,
        // without making a String.
        guard mayHoldAddress(value) else { return [] }
        let text = String(decoding: value, as: UTF8.self)
        var out: [(kind: Kind, value: String)] = []
        for piece in text.split(whereSeparator: isSeparator) {
            // Most pieces of a line that has an address ("IN", "IP4", a port) cannot be one.
            guard mayHoldAddress(piece.utf8) else { continue }
            if isIPv6(piece) {
                out.append((.ipv6, String(piece)))
                continue
            }
            for part in piece.split(separator: ":") {
                if isIPv4(part) {
                    out.append((.ipv4, String(part)))
                } else if isHostName(part) {
                    out.append((.host, String(part)))
                }
            }
        }
        return out
    }

    /// A dot, or two colons: what every finding has.
    private static func mayHoldAddress(_ bytes: some Collection<UInt8>) -> Bool {
        var colons = 0
        return bytes.contains { byte in
            if byte == UInt8(ascii: ":") { colons += 1 }
            return byte == UInt8(ascii: ".") || colons == 2
        }
    }

    private static func isSeparator(_ c: Character) -> Bool {
        switch c {
        case " ", "/", "@", ";", "=", ",", "|", "[", "]", "\t", "<", ">", "\"", "'": true
        default: false
        }
    }

    /// RFC 791 dotted quad: four decimal octets of one to three ASCII digits, each at most 255.
    public static func isIPv4(_ s: Substring) -> Bool {
        var dots = 0
        var digits = 0
        var octet = 0
        for byte in s.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return false }
                dots += 1
                digits = 0
                octet = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                digits += 1
                octet = octet * 10 + Int(byte - UInt8(ascii: "0"))
                guard digits <= 3, octet <= 255 else { return false }
            } else {
                return false
            }
        }
        return dots == 3 && digits > 0
    }

    /// RFC 4291 §2.2 text forms, including `::` and a trailing dotted quad.
    public static func isIPv6(_ s: Substring) -> Bool {
        guard s.contains(":"), s.count >= 2, !s.contains(":::") else { return false }
        var groups = s.split(separator: ":", omittingEmptySubsequences: false)
        let compressed = s.contains("::")
        if compressed {
            guard s.components("::") == 2 else { return false }
        }
        var limit = 8
        if let last = groups.last, last.contains(".") {
            guard isIPv4(last) else { return false }
            groups.removeLast()
            limit = 6
        }
        let nonEmpty = groups.filter { !$0.isEmpty }
        guard nonEmpty.allSatisfy({ $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return false }
        if compressed { return nonEmpty.count < limit }
        return nonEmpty.count == limit && groups.count == limit
    }

    /// RFC 1123 §2.1 labels, at least two, the last alphabetic (so `4.4.0` and `0.5` are not hosts).
    public static func isHostName(_ s: Substring) -> Bool {
        let labels = s.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let last = labels.last, last.count >= 2, last.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return false
        }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// Whether `address` is an IP literal Palisade can hand to the media plane.
    public static func isIPLiteral(_ address: String) -> Bool {
        isIPv4(address[...]) || isIPv6(address[...])
    }
}

extension Substring {
    /// How many pieces `separator` cuts this into (1 when absent).
    fileprivate func components(_ separator: String) -> Int {
        var count = 1
        var rest = self[...]
        while let r = rest.firstRange(of: separator) {
            count += 1
            rest = rest[r.upperBound...]
        }
        return count
    }
}
