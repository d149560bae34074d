/// An IPv4 address and UDP port, both in host byte order: a plain value the packet loop compares
/// with one integer comparison each. (IPv6 is not handled by the engine yet.)
public struct IPv4Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: UInt32
    public var port: UInt16

    public init(address: UInt32, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses dotted-quad text ("192.0.2.10"); nil when it is not exactly four octets.
    public init?(_ dottedQuad: String, port: UInt16) {
        var value: UInt32 = 0
        var octets = 0
        for part in dottedQuad.split(separator: ".", omittingEmptySubsequences: false) {
            guard octets < 4, !part.isEmpty, part.count <= 3, let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
            octets += 1
        }
        guard octets == 4 else { return nil }
        self.init(address: value, port: port)
    }

    public static let loopback: UInt32 = 0x7F00_0001

    public var addressText: String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    public var description: String { "\(addressText):\(port)" }
}
