import NIOCore
import SIPMessage

/// One TCP or TLS connection, unique for the life of a `TransportLayer`.
public struct ConnectionID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64
    public var description: String { "c\(rawValue)" }
}

/// Who the TLS peer proved to be: names from its verified certificate.
public struct TLSPeerIdentity: Sendable, Hashable {
    /// dNSName subjectAltNames.
    public var dnsNames: [String]
    /// uniformResourceIdentifier subjectAltNames (e.g. `sip:example.com`, RFC 5922 §7.1).
    public var uris: [String]

    public init(dnsNames: [String], uris: [String]) {
        self.dnsNames = dnsNames
        self.uris = uris
    }
}

/// The path a message travelled: transport, local listener, remote address and port as seen on the
/// wire, and for streams the connection. Responses and later requests go back along it
/// (RFC 3261 §18.2.2, RFC 3581, RFC 5626).
public struct Flow: Sendable, Hashable, CustomStringConvertible {
    public var transport: TransportKind
    /// The listener that received it; nil for a connection Palisade opened itself.
    public var listener: ListenerID?
    public var realm: String
    public var local: SocketAddress
    public var remote: SocketAddress
    /// Nil for UDP.
    public var connection: ConnectionID?
    /// Set on TLS flows whose peer presented a certificate that verified.
    public var peerIdentity: TLSPeerIdentity?

    public init(transport: TransportKind, listener: ListenerID?, realm: String, local: SocketAddress,
                remote: SocketAddress, connection: ConnectionID?, peerIdentity: TLSPeerIdentity? = nil) {
        self.transport = transport
        self.listener = listener
        self.realm = realm
        self.local = local
        self.remote = remote
        self.connection = connection
        self.peerIdentity = peerIdentity
    }

    public var description: String {
        "\(transport.rawValue):\(remote)->\(local)\(connection.map { "/\($0)" } ?? "")"
    }
}

/// A message as delivered to the layer above, with the flow it came on.
public struct InboundMessage: Sendable {
    public var message: SIPMessage
    public var flow: Flow
}
