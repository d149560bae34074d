/// Base64 (RFC 4648 §4, standard alphabet, with padding) as RFC 4568 §6.1 requires for the
/// key||salt of an SDES inline key. Written here so the SRTP target needs no Foundation.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The padded encoding of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(group >> 18 & 0x3F)])
            out.append(alphabet[Int(group >> 12 & 0x3F)])
            out.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(group >> 6 & 0x3F)])
            out.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(group & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Why a string is not valid padded base64; `offset` is the UTF-8 offset of the culprit.
    public enum DecodingError: Error, Equatable, Sendable {
        /// Length is not a multiple of 4 (RFC 4568 §6.1 requires padding).
        case length(Int)
        /// A character outside the alphabet, or padding anywhere but at the end.
        case character(offset: Int)
        /// Non-zero bits in the last character before padding (not a canonical encoding).
        case trailingBits(offset: Int)
    }

    /// The bytes of a padded base64 string. Strict: no whitespace, no missing padding, canonical
    /// trailing bits — a key that two implementations could read differently is refused.
    public static func decode(_ text: some StringProtocol) throws(DecodingError) -> [UInt8] {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { throw .length(input.count) }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var values: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
            var padding = 0
            for position in 0..<4 {
                let character = input[index + position]
                let value: UInt32
                if character == UInt8(ascii: "=") {
                    // Padding only in the last group, only in its last two places, and only as a suffix.
                    guard isLast, position >= 2 else { throw .character(offset: index + position) }
                    padding += 1
                    value = 0
                } else {
                    guard padding == 0, let decoded = sextet(character) else {
                        throw .character(offset: index + position)
                    }
                    value = decoded
                }
                switch position {
                case 0: values.0 = value
                case 1: values.1 = value
                case 2: values.2 = value
                default: values.3 = value
                }
            }
            let group = values.0 << 18 | values.1 << 12 | values.2 << 6 | values.3
            out.append(UInt8(truncatingIfNeeded: group >> 16))
            switch padding {
            case 0:
                out.append(UInt8(truncatingIfNeeded: group >> 8))
                out.append(UInt8(truncatingIfNeeded: group))
            case 1:
                guard group & 0xFF == 0 else { throw .trailingBits(offset: index + 2) }
                out.append(UInt8(truncatingIfNeeded: group >> 8))
            default:
                guard group & 0xFFFF == 0 else { throw .trailingBits(offset: index + 1) }
            }
            index += 4
        }
        return out
    }

    private static func sextet(_ character: UInt8) -> UInt32? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(character - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(character - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(character - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
