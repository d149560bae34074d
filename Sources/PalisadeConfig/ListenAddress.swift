/// A TCP address to listen on: `127.0.0.1:9477`, `[2001:db8::1]:9477` or `localhost:9477`.
/// The host is a literal (or `localhost`), never a name to resolve: a daemon must not wait on DNS
/// to start. Port 0 asks the kernel for any free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The IPv4 or IPv6 literal without brackets, or `localhost`.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; nil if it is not one of the accepted forms.
    public init?(_ text: String) {
        guard case .success(let address) = Self.parse(text) else { return nil }
        self = address
    }

    /// `127.0.0.1:9477`, or `[::1]:9477` for IPv6.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static let portRange = 0...65_535

    enum Problem: Error, Equatable {
        case malformed(String)
        case portOutOfRange(Int)
    }

    static func parse(_ text: String) -> Result<ListenAddress, Problem> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(.malformed("the IPv6 address has no closing ']'"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(.malformed("expected ':port' after ']'")) }
            portText = rest.dropFirst()
            guard IPAddressLiteral.isIPv6(host) else {
                return .failure(.malformed("\(host) is not an IPv6 address"))
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(.malformed("the port is missing")) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                return .failure(.malformed("an IPv6 address must be in brackets, as in [2001:db8::1]:9477"))
            }
            guard host == "localhost" || IPAddressLiteral.isIPv4(host) else {
                return .failure(.malformed("\(host.isEmpty ? "an empty host" : String(host)) is not an IPv4 address or localhost; host names are not resolved"))
            }
        }
        guard !portText.isEmpty, portText.utf8.allSatisfy(\.isDigit), portText.count <= 6, let port = Int(portText) else {
            return .failure(.malformed("the port \(portText.isEmpty ? "is missing" : "\(portText) is not a number")"))
        }
        guard portRange.contains(port) else { return .failure(.portOutOfRange(port)) }
        return .success(ListenAddress(host: String(host), port: port))
    }
}

/// Checks on the text of IP address literals, without the C library.
enum IPAddressLiteral {
    /// Four decimal octets 0–255 without leading zeros (`010` would be octal to inet_aton).
    static func isIPv4(_ text: Substring) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.utf8.allSatisfy(\.isDigit)
                && (octet == "0" || !octet.hasPrefix("0")) && Int(octet)! <= 255
        }
    }

    /// RFC 4291 §2.2 text forms: eight groups of 1–4 hex digits, at most one `::`, optionally ending
    /// in an IPv4 address (which counts as two groups). Zone indices (`%eth0`) are not accepted.
    static func isIPv6(_ text: Substring) -> Bool {
        let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count <= 2, !text.contains(":::") else { return false }
        var groups = 0
        for (index, half) in halves.enumerated() where !half.isEmpty {
            let parts = half.split(separator: ":", omittingEmptySubsequences: false)
            for (position, part) in parts.enumerated() {
                let isLastOfAddress = index == halves.count - 1 && position == parts.count - 1
                if isLastOfAddress && part.contains(".") {
                    guard isIPv4(part) else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(part.count), part.utf8.allSatisfy({ $0.hexValue != nil }) else { return false }
                    groups += 1
                }
            }
        }
        return halves.count == 2 ? groups <= 7 : groups == 8
    }

    /// The eight 16-bit groups of an IPv6 literal accepted by `isIPv6`, `::` expanded and an
    /// embedded IPv4 address turned into its two groups; nil for anything else.
    static func ipv6Groups(_ text: Substring) -> [UInt16]? {
        guard isIPv6(text) else { return nil }
        func groups(_ half: Substring) -> [UInt16] {
            guard !half.isEmpty else { return [] }
            return half.split(separator: ":").flatMap { part -> [UInt16] in
                if part.contains(".") {
                    let octets = part.split(separator: ".").compactMap { UInt16($0) }
                    return [octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]]
                }
                return [UInt16(part, radix: 16) ?? 0]
            }
        }
        let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
        let head = groups(halves[0])
        guard halves.count == 2 else { return head }
        let tail = groups(halves[1])
        return head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
