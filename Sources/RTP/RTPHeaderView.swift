/// A validated view of an RTP fixed header (RFC 3550 §5.1) over bytes the caller owns.
///
/// It copies nothing and allocates nothing: it keeps the base pointer and the packet length, and
/// reads fields on demand. The view is valid only while the caller's buffer is.
public struct RTPHeaderView {
    public let base: UnsafeRawPointer
    /// The whole packet's length, header included.
    public let packetLength: Int
    /// Fixed header + CSRC list + header extension (RFC 3550 §5.3.1), in bytes.
    public let headerLength: Int
    /// Padding octets at the end, the count octet included (0 without the P bit).
    public let paddingLength: Int

    public static let fixedHeaderLength = 12

    /// Validates the header per RFC 3550 §5.1 and §5.3.1 and Appendix A.1's checks.
    public init(_ bytes: UnsafeRawBufferPointer) throws(RTPParseError) {
        guard let base = bytes.baseAddress, bytes.count >= Self.fixedHeaderLength else {
            throw .tooShort(needed: Self.fixedHeaderLength, have: bytes.count)
        }
        let first = base.load(as: UInt8.self)
        let version = first >> 6
        guard version == 2 else { throw .wrongVersion(version) }
        var header = Self.fixedHeaderLength + Int(first & 0x0F) * 4
        guard bytes.count >= header else { throw .tooShort(needed: header, have: bytes.count) }
        if first & 0x10 != 0 {
            // RFC 3550 §5.3.1: 16-bit profile field, 16-bit length in 32-bit words excluding itself.
            guard bytes.count >= header + 4 else { throw .tooShort(needed: header + 4, have: bytes.count) }
            let words = Int(Self.readUInt16(base, at: header + 2))
            header += 4 + words * 4
            guard bytes.count >= header else { throw .tooShort(needed: header, have: bytes.count) }
        }
        var padding = 0
        if first & 0x20 != 0 {
            let count = base.load(fromByteOffset: bytes.count - 1, as: UInt8.self)
            guard count > 0, Int(count) <= bytes.count - header else { throw .badPadding(count) }
            padding = Int(count)
        }
        self.base = base
        self.packetLength = bytes.count
        self.headerLength = header
        self.paddingLength = padding
    }

    public var version: UInt8 { base.load(as: UInt8.self) >> 6 }
    public var hasPadding: Bool { base.load(as: UInt8.self) & 0x20 != 0 }
    public var hasExtension: Bool { base.load(as: UInt8.self) & 0x10 != 0 }
    public var csrcCount: Int { Int(base.load(as: UInt8.self) & 0x0F) }
    public var marker: Bool { base.load(fromByteOffset: 1, as: UInt8.self) & 0x80 != 0 }
    public var payloadType: UInt8 { base.load(fromByteOffset: 1, as: UInt8.self) & 0x7F }
    public var sequenceNumber: UInt16 { Self.readUInt16(base, at: 2) }
    public var timestamp: UInt32 { Self.readUInt32(base, at: 4) }
    public var ssrc: UInt32 { Self.readUInt32(base, at: 8) }
    public func csrc(_ index: Int) -> UInt32 {
        precondition(index >= 0 && index < csrcCount, "CSRC index out of range")
        return Self.readUInt32(base, at: 12 + index * 4)
    }
    /// Payload bytes between the header and the padding.
    public var payloadLength: Int { packetLength - headerLength - paddingLength }
    public var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + headerLength, count: payloadLength)
    }

    @inline(__always)
    static func readUInt16(_ base: UnsafeRawPointer, at offset: Int) -> UInt16 {
        UInt16(base.load(fromByteOffset: offset, as: UInt8.self)) << 8
            | UInt16(base.load(fromByteOffset: offset + 1, as: UInt8.self))
    }

    @inline(__always)
    static func readUInt32(_ base: UnsafeRawPointer, at offset: Int) -> UInt32 {
        UInt32(readUInt16(base, at: offset)) << 16 | UInt32(readUInt16(base, at: offset + 2))
    }
}
