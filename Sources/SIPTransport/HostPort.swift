/// A host (name, IPv4 or IPv6 literal without brackets) and a port, as configured or advertised.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(_ host: String, _ port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[v6]:port` or a bare host (then `defaultPort`). Nil on a malformed port.
    public init?(parsing text: String, defaultPort: Int) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                port = defaultPort
            } else {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (0...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            guard let p = Int(text[text.index(after: colon)...]), (0...65535).contains(p) else { return nil }
            host = String(text[..<colon])
            port = p
        } else {
            host = text
            port = defaultPort
        }
        guard !host.isEmpty else { return nil }
    }

    /// An IPv6 literal needs brackets in a URI or Via (RFC 3261 §25.1, RFC 5118).
    public var isIPv6Literal: Bool { host.utf8.contains(UInt8(ascii: ":")) }

    /// The host as it appears in a URI or Via sent-by.
    public var uriHost: String { isIPv6Literal ? "[\(host)]" : host }

    /// `host:port` with brackets around an IPv6 literal.
    public var description: String { "\(uriHost):\(port)" }
}
