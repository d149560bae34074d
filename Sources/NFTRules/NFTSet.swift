/// Every set in `inet palisade`: one catalogue that drives the ruleset text, the netlink
/// definitions and element encoding.
///
/// Pinholes live in two shapes so that each check is one hash lookup: a port open to any source
/// (`media_open`, key = local port) and, once latched, the exact flow (`media_latched4/6`, key =
/// peer address . peer port . local port). IPv4 and IPv6 need separate sets because a set has one
/// key type.
public enum NFTSet: String, CaseIterable, Hashable, Sendable {
    case mediaOpen = "media_open"
    case mediaLatched4 = "media_latched4"
    case mediaLatched6 = "media_latched6"
    case banned4 = "banned4"
    case banned6 = "banned6"

    public var name: String { rawValue }

    /// The fields of the key, in order.
    public var fields: [NFTDataType] {
        switch self {
        case .mediaOpen: [.inetService]
        case .mediaLatched4: [.ipv4Address, .inetService, .inetService]
        case .mediaLatched6: [.ipv6Address, .inetService, .inetService]
        case .banned4: [.ipv4Address]
        case .banned6: [.ipv6Address]
        }
    }

    /// Elements carry a timeout (`flags timeout`).
    public var hasTimeouts: Bool {
        switch self {
        case .mediaOpen, .mediaLatched4, .mediaLatched6: false
        case .banned4, .banned6: true
        }
    }

    /// Key length in bytes as the kernel expects it. A lone field keeps its own size; in a
    /// concatenation every field is padded to a multiple of 32 bits (a 2-byte port takes 4).
    public var keyLength: Int {
        let fields = self.fields
        if fields.count == 1 { return fields[0].size }
        return fields.reduce(0) { $0 + $1.paddedSize }
    }

    /// The key type id `nft` stores: concatenations fold field types `NFTDataType.typeBits` at a time
    /// (nftables src/datatype.c, `concat_type_alloc`), so `nft list` can print the set back.
    public var keyType: UInt32 {
        fields.reduce(0) { $0 << NFTDataType.typeBits | $1.rawValue }
    }

    public static func ban(for family: NFTAddress.Family) -> NFTSet {
        switch family {
        case .ipv4: .banned4
        case .ipv6: .banned6
        }
    }

    public static func latched(for family: NFTAddress.Family) -> NFTSet {
        switch family {
        case .ipv4: .mediaLatched4
        case .ipv6: .mediaLatched6
        }
    }
}

/// nftables data types used by Palisade's sets (ids from nftables include/datatype.h).
public enum NFTDataType: UInt32, Hashable, Sendable {
    case ipv4Address = 7
    case ipv6Address = 8
    case inetService = 13

    static let typeBits: UInt32 = 6

    public var size: Int {
        switch self {
        case .ipv4Address: 4
        case .ipv6Address: 16
        case .inetService: 2
        }
    }

    /// Size inside a concatenated key: rounded up to whole 32-bit registers.
    public var paddedSize: Int { (size + 3) & ~3 }

    public var nftName: String {
        switch self {
        case .ipv4Address: "ipv4_addr"
        case .ipv6Address: "ipv6_addr"
        case .inetService: "inet_service"
        }
    }
}
