/// The transports a listener or flow can use (RFC 3261 §18).
public enum TransportKind: String, Sendable, Hashable, CaseIterable {
    case udp
    case tcp
    case tls

    /// Streams carry Content-Length framed messages and keepalives; datagrams carry one message each.
    public var isStream: Bool {
        switch self {
        case .udp: false
        case .tcp, .tls: true
        }
    }

    /// The token in a Via header's sent-protocol (RFC 3261 §20.42).
    public var viaToken: String {
        switch self {
        case .udp: "UDP"
        case .tcp: "TCP"
        case .tls: "TLS"
        }
    }

    /// RFC 3261 §19.1.2: 5060 for UDP and TCP, 5061 for TLS.
    public var defaultPort: Int {
        switch self {
        case .udp, .tcp: 5060
        case .tls: 5061
        }
    }
}
