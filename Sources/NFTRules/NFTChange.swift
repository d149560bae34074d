/// What palisade-media asks of the firewall for one control command. Each change states the
/// desired end state of one port or address, so applying the same change twice does nothing the
/// second time (the control protocol is idempotent, and so is this).
public enum NFTChange: Hashable, Sendable {
    /// The local port accepts UDP from any source (an allocated port whose peer is not yet latched).
    case openPinhole(localPort: UInt16)
    /// The local port accepts UDP only from `peer`; replaces an any-source or older latched pinhole.
    case narrowPinhole(localPort: UInt16, peer: NFTPeer)
    /// The local port accepts nothing (port released).
    case closePinhole(localPort: UInt16)
    /// Every packet from `address` is dropped until `timeout` passes; banning again restarts the timeout.
    case ban(NFTAddress, timeout: Duration)
    /// Lifts a ban; harmless if the ban already expired.
    case unban(NFTAddress)
}
