/// MD5 (RFC 1321), only because SIP digest authentication still needs it (RFC 3261 §22.4 and the old
/// phones that know nothing else). It exists in plain Swift because tier-1 code may not call OpenSSL;
/// it is not a general-purpose hash and nothing else in Palisade should use it.
public struct MD5: Sendable {
    public static let digestByteCount = 16
    static let blockByteCount = 64

    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    private var buffer: [UInt8] = []
    private var totalByteCount: UInt64 = 0
    /// Reused by every block, so hashing allocates nothing per block.
    private var words = [UInt32](repeating: 0, count: 16)

    public init() {
        buffer.reserveCapacity(Self.blockByteCount)
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var md5 = MD5()
        md5.update(bytes)
        return md5.finalize()
    }

    /// Copies whole runs into the block buffer rather than byte by byte: digest verification
    /// hashes on every authenticated request.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let room = Self.blockByteCount - buffer.count
            let end = bytes.index(index, offsetBy: room, limitedBy: bytes.endIndex) ?? bytes.endIndex
            buffer.append(contentsOf: bytes[index..<end])
            totalByteCount &+= UInt64(bytes.distance(from: index, to: end))
            index = end
            if buffer.count == Self.blockByteCount {
                compress(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
    }

    /// RFC 1321 §3.1-3.2: pad with 0x80 and zeros to 56 mod 64, then the bit length, little-endian.
    public consuming func finalize() -> [UInt8] {
        let bitLength = totalByteCount &* 8
        var padding: [UInt8] = [0x80]
        let afterMarker = (buffer.count + 1) % Self.blockByteCount
        let zeros = afterMarker <= 56 ? 56 - afterMarker : 56 + Self.blockByteCount - afterMarker
        padding.append(contentsOf: repeatElement(0, count: zeros))
        for shift in stride(from: 0, to: 64, by: 8) {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedCount = totalByteCount
        update(padding)
        totalByteCount = savedCount
        var digest: [UInt8] = []
        digest.reserveCapacity(Self.digestByteCount)
        for word in [state.0, state.1, state.2, state.3] {
            for shift in stride(from: 0, to: 32, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
            }
        }
        return digest
    }

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// RFC 1321 §3.4: T[i] = floor(2^32 * abs(sin(i + 1))).
    private static let constants: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    private mutating func compress(_ block: [UInt8]) {
        for index in 0..<16 {
            let base = index * 4
            words[index] = UInt32(block[base]) | UInt32(block[base + 1]) << 8
                | UInt32(block[base + 2]) << 16 | UInt32(block[base + 3]) << 24
        }
        var (a, b, c, d) = state
        for round in 0..<64 {
            let f: UInt32
            let wordIndex: Int
            switch round / 16 {
            case 0:
                f = (b & c) | (~b & d)
                wordIndex = round
            case 1:
                f = (d & b) | (~d & c)
                wordIndex = (5 &* round &+ 1) % 16
            case 2:
                f = b ^ c ^ d
                wordIndex = (3 &* round &+ 5) % 16
            default:
                f = c ^ (b | ~d)
                wordIndex = (7 &* round) % 16
            }
            let sum = a &+ f &+ Self.constants[round] &+ words[wordIndex]
            let shift = Self.shifts[round]
            (a, d, c) = (d, c, b)
            b = b &+ ((sum << shift) | (sum >> (32 - shift)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
