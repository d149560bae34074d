import SRTP

/// A packet in a caller-owned buffer with room to grow, the way the relay holds one.
struct PacketBuffer {
    var storage: [UInt8]
    var length: Int32

    init(_ bytes: [UInt8], capacity: Int = 1500) {
        storage = bytes + [UInt8](repeating: 0, count: max(0, capacity - bytes.count))
        length = Int32(bytes.count)
    }

    var bytes: [UInt8] { Array(storage[..<Int(length)]) }

    private mutating func apply(
        _ body: (UnsafeMutableRawPointer, inout Int32, Int) throws(SRTPError) -> Void
    ) throws(SRTPError) {
        var length = self.length
        let result: Result<Void, SRTPError> = storage.withUnsafeMutableBytes { raw in
            Result { () throws(SRTPError) in try body(raw.baseAddress!, &length, raw.count) }
        }
        self.length = length
        try result.get()
    }

    mutating func protectRTP(_ context: SRTPContext) throws(SRTPError) {
        try apply { (pointer, length, capacity) throws(SRTPError) in
            try context.protectRTP(pointer, length: &length, capacity: capacity)
        }
    }

    mutating func unprotectRTP(_ context: SRTPContext) throws(SRTPError) {
        try apply { (pointer, length, _) throws(SRTPError) in try context.unprotectRTP(pointer, length: &length) }
    }

    mutating func protectRTCP(_ context: SRTPContext) throws(SRTPError) {
        try apply { (pointer, length, capacity) throws(SRTPError) in
            try context.protectRTCP(pointer, length: &length, capacity: capacity)
        }
    }

    mutating func unprotectRTCP(_ context: SRTPContext) throws(SRTPError) {
        try apply { (pointer, length, _) throws(SRTPError) in try context.unprotectRTCP(pointer, length: &length) }
    }
}

/// Packets built for tests, from documentation-free constants (no addresses involved).
enum TestPacket {
    /// RTP (RFC 3550 §5.1), version 2, no CSRC, no extension, payload type 0.
    static func rtp(seq: UInt16, timestamp: UInt32 = 0, ssrc: UInt32 = 0xDECA_FBAD, payload: [UInt8]) -> [UInt8] {
        [0x80, 0x00, UInt8(seq >> 8), UInt8(seq & 0xFF)] + bigEndian(timestamp) + bigEndian(ssrc) + payload
    }

    /// A 160-byte payload that differs per sequence number.
    static func payload(_ seq: UInt16, count: Int = 160) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &+ Int(seq) &* 7) }
    }

    /// An RTCP sender report (RFC 3550 §6.4.1) with no report blocks: 28 bytes.
    static func senderReport(ssrc: UInt32 = 0xDECA_FBAD, packets: UInt32 = 1) -> [UInt8] {
        [0x80, 200, 0x00, 0x06] + bigEndian(ssrc) + bigEndian(0xE3A0_0000) + bigEndian(0x1234_5678)
            + bigEndian(160 * packets) + bigEndian(packets) + bigEndian(160 * packets)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
