/// One set element as the kernel stores it: the key bytes (fields padded as `NFTSet.keyLength`
/// says) and, for sets with `flags timeout`, an optional timeout.
public struct NFTElement: Hashable, Sendable {
    public var key: [UInt8]
    public var timeout: Duration?

    public init(key: [UInt8], timeout: Duration? = nil) {
        self.key = key
        self.timeout = timeout
    }

    /// Timeout in whole milliseconds, the unit of `NFTA_SET_ELEM_TIMEOUT`; rounded up so a
    /// sub-millisecond timeout never becomes 0 (which means "no timeout").
    public var timeoutMilliseconds: UInt64? {
        guard let timeout else { return nil }
        let (seconds, attoseconds) = timeout.components
        guard seconds >= 0, timeout > .zero else { return 1 }
        let wholeMilliseconds = UInt64(seconds) * 1000 + UInt64(attoseconds / 1_000_000_000_000_000)
        let remainder = attoseconds % 1_000_000_000_000_000
        return wholeMilliseconds + (remainder > 0 ? 1 : 0)
    }

    /// `media_open`: the local port, network order, unpadded (a lone field).
    public static func open(localPort: UInt16) -> NFTElement {
        NFTElement(key: bigEndian(localPort))
    }

    /// `media_latched4/6`: peer address . peer port . local port, each port padded to 32 bits.
    public static func latched(peer: NFTPeer, localPort: UInt16) -> NFTElement {
        NFTElement(key: peer.address.bytes + padded(bigEndian(peer.port)) + padded(bigEndian(localPort)))
    }

    /// `banned4/6`: the source address.
    public static func banned(_ address: NFTAddress, timeout: Duration? = nil) -> NFTElement {
        NFTElement(key: address.bytes, timeout: timeout)
    }

    private static func bigEndian(_ port: UInt16) -> [UInt8] {
        [UInt8(port >> 8), UInt8(truncatingIfNeeded: port)]
    }

    private static func padded(_ field: [UInt8]) -> [UInt8] {
        field + [UInt8](repeating: 0, count: (4 - field.count % 4) % 4)
    }
}
