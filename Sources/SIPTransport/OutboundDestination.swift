/// Where an outbound request goes when it does not follow an existing flow.
public struct OutboundDestination: Sendable, Hashable {
    public var realm: String
    public var transport: TransportKind
    /// An IP literal or a name (resolved by the system resolver; RFC 3263 lookups are the caller's).
    public var address: HostPort
    /// For `.tls`: how the server is verified (RFC 5922). Nil takes the policy of the realm's
    /// `TransportSettings.tlsPeers` for `address.host` (full verification unless a rule relaxes it).
    public var tls: TLSPeerPolicy?

    public init(realm: String, transport: TransportKind, address: HostPort, tls: TLSPeerPolicy? = nil) {
        self.realm = realm
        self.transport = transport
        self.address = address
        self.tls = tls
    }
}
