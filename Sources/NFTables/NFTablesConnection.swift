import NFTRules

/// A netlink connection to nf_tables that applies `NFTBatch`es atomically. Needs CAP_NET_ADMIN.
/// Not thread-safe: palisade-media's control thread owns it.
public final class NFTablesConnection {
    private let socket: NetlinkSocket

    /// Connects in the caller's network namespace.
    public init() throws(NFTError) {
        socket = try NetlinkSocket(namespacePath: nil)
    }

    /// Connects inside the network namespace at `path` (e.g. `/run/netns/NAME`); the calling
    /// thread's own namespace is left untouched.
    public init(networkNamespace path: String) throws(NFTError) {
        socket = try NetlinkSocket(namespacePath: path)
    }

    /// Applies every operation of `batch`, or none of them.
    public func apply(_ batch: NFTBatch) throws(NFTError) {
        try socket.transact(batch)
    }
}
