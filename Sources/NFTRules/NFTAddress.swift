/// A source or peer address as the kernel compares it: the raw bytes in network order.
public enum NFTAddress: Hashable, Sendable {
    case ipv4(UInt32)
    /// Sixteen bytes, network order.
    case ipv6([UInt8])

    public enum Family: Hashable, Sendable, CaseIterable {
        case ipv4
        case ipv6
    }

    public var family: Family {
        switch self {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        }
    }

    /// The bytes the kernel loads from the IP header (`ip saddr` is 4 bytes, `ip6 saddr` 16).
    public var bytes: [UInt8] {
        switch self {
        case .ipv4(let value):
            [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
             UInt8(truncatingIfNeeded: value)]
        case .ipv6(let bytes):
            bytes
        }
    }

    /// Parses dotted-quad IPv4 or RFC 4291 §2.2 IPv6 text (with `::`, and a trailing dotted quad).
    public init?(_ text: some StringProtocol) {
        if let v4 = Self.parseIPv4(Substring(text)) {
            self = .ipv4(v4)
        } else if let v6 = Self.parseIPv6(Substring(text)) {
            self = .ipv6(v6)
        } else {
            return nil
        }
    }

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let octet = UInt8(part) else {
                return nil
            }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        var halves = [text]
        if let gap = text.firstRange(of: "::") {
            halves = [text[..<gap.lowerBound], text[gap.upperBound...]]
            guard halves[1].firstRange(of: "::") == nil else { return nil }
        }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, field.contains("."), let v4 = parseIPv4(field) {
                    bytes += NFTAddress.ipv4(v4).bytes
                    continue
                }
                guard (1...4).contains(field.count), let group = UInt16(field, radix: 16) else { return nil }
                bytes += [UInt8(group >> 8), UInt8(truncatingIfNeeded: group)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 {
            return head.count == 16 ? head : nil
        }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension NFTAddress: CustomStringConvertible {
    /// IPv4 dotted quad; IPv6 in RFC 5952 form (lower case, longest zero run of two or more as `::`).
    public var description: String {
        switch self {
        case .ipv4:
            return bytes.map(String.init).joined(separator: ".")
        case .ipv6(let bytes):
            let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
            var best = (start: -1, length: 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > best.length { best = (index, end - index) }
                index = end
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.length >= 2 else { return hex.joined(separator: ":") }
            let head = hex[..<best.start].joined(separator: ":")
            let tail = hex[(best.start + best.length)...].joined(separator: ":")
            return head + "::" + tail
        }
    }
}

/// A remote transport address: where the latched peer sends from.
public struct NFTPeer: Hashable, Sendable {
    public var address: NFTAddress
    public var port: UInt16

    public init(address: NFTAddress, port: UInt16) {
        self.address = address
        self.port = port
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
