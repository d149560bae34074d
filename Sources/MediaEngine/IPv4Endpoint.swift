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
        // Four decimal octets of one to three digits each, read off the UTF-8 without splitting.
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in dottedQuad.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, octet <= 255 else { return nil }
            case UInt8(ascii: "."):
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                (octet, digits, dots) = (0, 0, dots + 1)
            default:
                return nil
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        self.init(address: value << 8 | octet, port: port)
    }

    public static let loopback: UInt32 = 0x7F00_0001

    public var addressText: String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    public var description: String { "\(addressText):\(port)" }
}
