/// The nf_tables VM instructions Palisade's rules are made of, exactly as `nft` itself emits them
/// for the same rule text (checked with `nft --debug=netlink`), so `nft list` prints our rules back
/// in their source form.
public enum NFTExpression: Hashable, Sendable {
    /// `meta load <key> => reg`
    case meta(NFTMetaKey, destination: NFTRegister)
    /// `cmp <op> reg <data>`; data in the byte order of the loaded field.
    case compare(NFTCompareOperator, register: NFTRegister, data: [UInt8])
    /// `payload load <length>b @ <base> header + <offset> => reg`
    case payload(NFTPayloadBase, offset: UInt32, length: UInt32, destination: NFTRegister)
    /// `lookup reg <source> set <name>`; the key length comes from the set.
    case lookup(set: NFTSet, source: NFTRegister)
    /// `immediate reg 0 <verdict>`
    case verdict(NFTVerdict)
}

/// Register numbers in the kernel's encoding: 1–4 are the 16-byte registers, 8–23 the 32-bit ones
/// (`NFT_REG32_00` = 8 overlaps register 1). Concatenations load each field into the next 32-bit
/// register.
public struct NFTRegister: Hashable, Sendable {
    public var number: UInt32
    public init(_ number: UInt32) { self.number = number }
}

public enum NFTMetaKey: UInt32, Hashable, Sendable {
    /// `NFT_META_L4PROTO`
    case l4proto = 16
    /// `NFT_META_NFPROTO`
    case nfproto = 15
}

public enum NFTCompareOperator: UInt32, Hashable, Sendable {
    /// `NFT_CMP_EQ`
    case equal = 0
    /// `NFT_CMP_LTE`
    case lessOrEqual = 3
    /// `NFT_CMP_GTE`
    case greaterOrEqual = 5
}

public enum NFTPayloadBase: UInt32, Hashable, Sendable {
    /// `NFT_PAYLOAD_NETWORK_HEADER`
    case network = 1
    /// `NFT_PAYLOAD_TRANSPORT_HEADER`
    case transport = 2
}

public enum NFTVerdict: Hashable, Sendable {
    case accept
    case drop

    public var text: String {
        switch self {
        case .accept: "accept"
        case .drop: "drop"
        }
    }
}
