/// An ICE candidate attribute (RFC 8839 §5.1):
/// `<foundation> <component-id> <transport> <priority> <address> <port> typ <cand-type>
/// [raddr <addr>] [rport <port>] *(<extension-name> <extension-value>)`.
public struct SDPCandidate: Sendable, Equatable, CustomStringConvertible {
    public var foundation: String
    public var component: Int
    /// "UDP" (or "TCP", RFC 6544), as written.
    public var transport: String
    public var priority: UInt32
    public var address: String
    public var port: Int
    /// host, srflx, prflx, relay.
    public var type: String
    public var relatedAddress: String?
    public var relatedPort: Int?
    /// Further name/value pairs in order (generation, network-id, tcptype, …).
    public var extensions: [(name: String, value: String)]

    public init(_ value: String) throws(SDPError) {
        let f = value.split(separator: " ").map(String.init)
        guard f.count >= 8, f.count % 2 == 0, !f[0].isEmpty, f[0].count <= 32,
              let component = Int(f[1]), (1...256).contains(component),
              let priority = UInt32(f[3]), let port = Int(f[5]), (0...65535).contains(port), f[6] == "typ" else {
            throw SDPError(.badAttribute)
        }
        foundation = f[0]
        self.component = component
        transport = f[2]
        self.priority = priority
        address = f[4]
        self.port = port
        type = f[7]
        relatedAddress = nil
        relatedPort = nil
        extensions = []
        var k = 8
        while k + 1 < f.count {
            switch f[k] {
            case "raddr": relatedAddress = f[k + 1]
            case "rport":
                guard let p = Int(f[k + 1]), (0...65535).contains(p) else { throw SDPError(.badAttribute) }
                relatedPort = p
            default: extensions.append((f[k], f[k + 1]))
            }
            k += 2
        }
    }

    public static func == (lhs: SDPCandidate, rhs: SDPCandidate) -> Bool { lhs.description == rhs.description }

    public var description: String {
        var s = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(type)"
        if let relatedAddress { s += " raddr \(relatedAddress)" }
        if let relatedPort { s += " rport \(relatedPort)" }
        for e in extensions { s += " \(e.name) \(e.value)" }
        return s
    }
}
