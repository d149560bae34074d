/// The rules of chain `input`, in order. One catalogue gives both the `nft` text and the
/// instructions sent over netlink.
///
/// Order matters for cost and meaning: bans first (a banned source is dropped whatever it targets);
/// then latched flows, the steady state of a call, so an established media packet costs one
/// concatenated lookup; then ports still open to any source; last, UDP to the media range that
/// matched no pinhole is dropped, since an `accept` here does not stop another base chain but a
/// `drop` does.
public enum NFTRule: Hashable, Sendable {
    case dropBanned(NFTAddress.Family)
    case acceptLatched(NFTAddress.Family)
    case acceptOpen
    case dropMediaRange(ClosedRange<UInt16>)

    public var text: String {
        switch self {
        case .dropBanned(.ipv4): "ip saddr @\(NFTSet.banned4.name) drop"
        case .dropBanned(.ipv6): "ip6 saddr @\(NFTSet.banned6.name) drop"
        case .acceptLatched(.ipv4): "ip saddr . udp sport . udp dport @\(NFTSet.mediaLatched4.name) accept"
        case .acceptLatched(.ipv6): "ip6 saddr . udp sport . udp dport @\(NFTSet.mediaLatched6.name) accept"
        case .acceptOpen: "udp dport @\(NFTSet.mediaOpen.name) accept"
        case .dropMediaRange(let range): "udp dport \(range.lowerBound)-\(range.upperBound) drop"
        }
    }

    public var expressions: [NFTExpression] {
        switch self {
        case .dropBanned(let family):
            return Self.matchFamily(family) + [
                Self.loadSourceAddress(family, into: NFTRegister(1)),
                .lookup(set: .ban(for: family), source: NFTRegister(1)),
                .verdict(.drop),
            ]
        case .acceptLatched(let family):
            // The port fields go to the 32-bit registers right after the address: 9, 10 after a
            // 4-byte address in register 1 (= 8); 12 (printed as 2), 13 after a 16-byte one.
            let (sport, dport): (UInt32, UInt32) = family == .ipv4 ? (9, 10) : (2, 13)
            return Self.matchFamily(family) + Self.matchUDP + [
                Self.loadSourceAddress(family, into: NFTRegister(1)),
                .payload(.transport, offset: 0, length: 2, destination: NFTRegister(sport)),
                .payload(.transport, offset: 2, length: 2, destination: NFTRegister(dport)),
                .lookup(set: .latched(for: family), source: NFTRegister(1)),
                .verdict(.accept),
            ]
        case .acceptOpen:
            return Self.matchUDP + [
                .payload(.transport, offset: 2, length: 2, destination: NFTRegister(1)),
                .lookup(set: .mediaOpen, source: NFTRegister(1)),
                .verdict(.accept),
            ]
        case .dropMediaRange(let range):
            return Self.matchUDP + [
                .payload(.transport, offset: 2, length: 2, destination: NFTRegister(1)),
                .compare(.greaterOrEqual, register: NFTRegister(1), data: Self.bigEndian(range.lowerBound)),
                .compare(.lessOrEqual, register: NFTRegister(1), data: Self.bigEndian(range.upperBound)),
                .verdict(.drop),
            ]
        }
    }

    private static func matchFamily(_ family: NFTAddress.Family) -> [NFTExpression] {
        // NFPROTO_IPV4 = 2, NFPROTO_IPV6 = 10; meta values are host-order 8-bit, one byte.
        let nfproto: UInt8 = family == .ipv4 ? 2 : 10
        return [
            .meta(.nfproto, destination: NFTRegister(1)),
            .compare(.equal, register: NFTRegister(1), data: [nfproto]),
        ]
    }

    private static let matchUDP: [NFTExpression] = [
        .meta(.l4proto, destination: NFTRegister(1)),
        .compare(.equal, register: NFTRegister(1), data: [17]),
    ]

    private static func loadSourceAddress(_ family: NFTAddress.Family, into register: NFTRegister) -> NFTExpression {
        // RFC 791 §3.1: source address at offset 12; RFC 8200 §3: at offset 8.
        family == .ipv4
            ? .payload(.network, offset: 12, length: 4, destination: register)
            : .payload(.network, offset: 8, length: 16, destination: register)
    }

    private static func bigEndian(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
