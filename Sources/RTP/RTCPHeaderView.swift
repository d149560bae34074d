/// A validated view of the first RTCP header in a compound packet (RFC 3550 §6.4, A.2) over
/// bytes the caller owns.
public struct RTCPHeaderView {
    public let base: UnsafeRawPointer
    public let packetLength: Int

    public static let fixedHeaderLength = 8

    /// Checks the version and that the first packet's announced length fits; the rest of a
    /// compound packet is relayed byte-exact and not walked here.
    public init(_ bytes: UnsafeRawBufferPointer) throws(RTPParseError) {
        guard let base = bytes.baseAddress, bytes.count >= Self.fixedHeaderLength else {
            throw .tooShort(needed: Self.fixedHeaderLength, have: bytes.count)
        }
        let version = base.load(as: UInt8.self) >> 6
        guard version == 2 else { throw .wrongVersion(version) }
        // RFC 3550 §6.4.1: length in 32-bit words minus one, header included.
        let announced = (Int(RTPHeaderView.readUInt16(base, at: 2)) + 1) * 4
        guard bytes.count >= announced else { throw .tooShort(needed: announced, have: bytes.count) }
        self.base = base
        self.packetLength = bytes.count
    }

    public var version: UInt8 { base.load(as: UInt8.self) >> 6 }
    public var count: Int { Int(base.load(as: UInt8.self) & 0x1F) }
    public var packetType: UInt8 { base.load(fromByteOffset: 1, as: UInt8.self) }
    /// Length of the first packet in bytes (from the length field).
    public var firstPacketLength: Int { (Int(RTPHeaderView.readUInt16(base, at: 2)) + 1) * 4 }
    /// The sender's SSRC (SR, RR, and most other types carry it right after the header word).
    public var senderSSRC: UInt32 { RTPHeaderView.readUInt32(base, at: 4) }
}

/// RFC 5761 §4: on a multiplexed port, the second octet tells RTP from RTCP. RTCP packet types
/// 192–223 occupy what would be RTP marker+payload type 64–95, which RTP payload types must avoid.
public enum MultiplexedPacketKind: Equatable, Sendable {
    case rtp
    case rtcp

    @inline(__always)
    public static func classify(secondOctet: UInt8) -> MultiplexedPacketKind {
        (192...223).contains(secondOctet) ? .rtcp : .rtp
    }
}
