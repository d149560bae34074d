import SIPMessage

/// Limits and timeouts shared by all listeners and outbound connections.
public struct TransportSettings: Sendable {
    /// Message size and header limits; the stream framer closes a connection that exceeds them.
    public var limits: SIPLimits
    /// Open TCP/TLS connections, inbound and outbound together.
    public var maxConnections: Int
    /// Inbound connections from one remote IP address.
    public var maxConnectionsPerAddress: Int
    /// A connection with no bytes in either direction for this long is closed (a phone using
    /// RFC 5626 keepalives pings well within it).
    public var idleTimeout: Duration
    /// A TLS handshake not finished within this is abandoned and counted as `timeout`.
    public var handshakeTimeout: Duration
    public var connectTimeout: Duration
    /// How long a ping (periodic, or `keepalive(_:)`) waits for the CRLF pong before the flow is
    /// declared dead and closed.
    public var pongTimeout: Duration
    /// RFC 5626 §4.4.1 CRLFCRLF pings on every TCP/TLS connection Palisade opened, this often;
    /// nil sends none. (Inbound flows are kept alive by the peer that opened them; a registrar can
    /// ping one with `TransportLayer.keepalive(_:)`.)
    public var pingInterval: Duration?
    /// How outbound TLS servers are verified, per realm and peer; see `TLSPeerRule`.
    public var tlsPeers: [TLSPeerRule] = []
    /// Received messages held for the consumer of `TransportLayer.messages`; beyond, new ones are
    /// dropped and counted (the consumer is overloaded; retransmissions will come).
    public var deliveryBuffer: Int

    public init(limits: SIPLimits = .default, maxConnections: Int = 10_000, maxConnectionsPerAddress: Int = 64,
                idleTimeout: Duration = .seconds(300), handshakeTimeout: Duration = .seconds(10),
                connectTimeout: Duration = .seconds(5), pongTimeout: Duration = .seconds(10),
                pingInterval: Duration? = nil, deliveryBuffer: Int = 4096) {
        self.limits = limits
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.idleTimeout = idleTimeout
        self.handshakeTimeout = handshakeTimeout
        self.connectTimeout = connectTimeout
        self.pongTimeout = pongTimeout
        self.pingInterval = pingInterval
        self.deliveryBuffer = deliveryBuffer
    }
}
