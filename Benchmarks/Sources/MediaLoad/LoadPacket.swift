/// The RTP packets of `palisade-bench media`: 172 bytes (12-byte header, 160-byte G.711-sized
/// payload), written and checked in place over caller-owned buffers (no allocation).
///
/// Payload layout (big-endian): [0, 8) the generator's serial number of the packet (unique over its
/// life; the generator maps it to the time the packet's sendmmsg call started); [8, 12) the
/// stream's extended sequence number; [12, 16) the stream index; [16, 160) a pattern derived from
/// stream and sequence, so a byte corrupted, a payload swapped between streams or a packet
/// re-sent with another header is caught.
public enum LoadPacket {
    public static let headerLength = 12
    public static let payloadLength = 160
    public static let length = headerLength + payloadLength
    /// SSRC of stream i: this prefix in the top 12 bits, i in the low 20.
    public static let ssrcPrefix: UInt32 = 0x5A1_00000
    public static let maximumStreams = 1 << 20

    public static func ssrc(stream: Int) -> UInt32 { ssrcPrefix | UInt32(stream) }

    /// The stream an SSRC belongs to, or nil when it is not one of ours.
    @inline(__always)
    public static func stream(ssrc: UInt32) -> Int? {
        ssrc & 0xFFF0_0000 == ssrcPrefix ? Int(ssrc & 0x000F_FFFF) : nil
    }

    @inline(__always)
    static func pattern(stream: Int, sequence: UInt32, offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: sequence &* 7 &+ UInt32(truncatingIfNeeded: stream) &* 13 &+ UInt32(offset))
    }

    /// Writes packet `sequence` of `stream` at `buffer` (at least `length` bytes) and returns its length.
    @inline(__always)
    public static func write(into buffer: UnsafeMutableRawPointer, stream: Int, sequence: UInt32,
                             serial: UInt64) -> Int32 {
        let p = buffer.assumingMemoryBound(to: UInt8.self)
        p[0] = 0x80 // V=2, no padding, no extension, no CSRC
        p[1] = 0 // PCMU, no marker
        store16(p + 2, UInt16(truncatingIfNeeded: sequence))
        store32(p + 4, sequence &* 160)
        store32(p + 8, ssrc(stream: stream))
        let payload = p + headerLength
        store64(payload, serial)
        store32(payload + 8, sequence)
        store32(payload + 12, UInt32(truncatingIfNeeded: stream))
        for offset in 16..<payloadLength {
            payload[offset] = pattern(stream: stream, sequence: sequence, offset: offset)
        }
        return Int32(length)
    }

    public enum Verdict: Equatable, Sendable {
        case valid(stream: Int, sequence: UInt32, serial: UInt64)
        case corrupt(Fault)
    }

    public enum Fault: String, Equatable, Sendable, CaseIterable {
        case length, header, ssrc, stream, sequence, payload
    }

    /// Checks a received (decrypted) packet completely: header, SSRC, sequence and every payload byte.
    @inline(__always)
    public static func check(_ buffer: UnsafeRawPointer, length received: Int, streams: Int) -> Verdict {
        guard received == length else { return .corrupt(.length) }
        let p = buffer.assumingMemoryBound(to: UInt8.self)
        guard p[0] == 0x80, p[1] == 0 else { return .corrupt(.header) }
        guard let stream = stream(ssrc: load32(p + 8)), stream < streams else { return .corrupt(.ssrc) }
        let payload = p + headerLength
        let sequence = load32(payload + 8)
        guard load32(payload + 12) == UInt32(truncatingIfNeeded: stream) else { return .corrupt(.stream) }
        guard load16(p + 2) == UInt16(truncatingIfNeeded: sequence), load32(p + 4) == sequence &* 160 else {
            return .corrupt(.sequence)
        }
        for offset in 16..<payloadLength where payload[offset] != pattern(stream: stream, sequence: sequence,
                                                                            offset: offset) {
            return .corrupt(.payload)
        }
        return .valid(stream: stream, sequence: sequence, serial: load64(payload))
    }

    @inline(__always) static func store16(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt16) {
        p[0] = UInt8(truncatingIfNeeded: v >> 8); p[1] = UInt8(truncatingIfNeeded: v)
    }
    @inline(__always) static func store32(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt32) {
        store16(p, UInt16(truncatingIfNeeded: v >> 16)); store16(p + 2, UInt16(truncatingIfNeeded: v))
    }
    @inline(__always) static func store64(_ p: UnsafeMutablePointer<UInt8>, _ v: UInt64) {
        store32(p, UInt32(truncatingIfNeeded: v >> 32)); store32(p + 4, UInt32(truncatingIfNeeded: v))
    }
    @inline(__always) static func load16(_ p: UnsafePointer<UInt8>) -> UInt16 { UInt16(p[0]) << 8 | UInt16(p[1]) }
    @inline(__always) static func load32(_ p: UnsafePointer<UInt8>) -> UInt32 {
        UInt32(load16(p)) << 16 | UInt32(load16(p + 2))
    }
    @inline(__always) static func load64(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(load32(p)) << 32 | UInt64(load32(p + 4))
    }
}

/// Latency in microseconds: one bucket per µs up to 100 ms, and one above. Preallocated.
public final class LatencyHistogram {
    public static let buckets = 100_000
    private let counts: UnsafeMutablePointer<UInt64>
    public private(set) var total: UInt64 = 0

    public init() {
        counts = .allocate(capacity: Self.buckets + 1)
        counts.initialize(repeating: 0, count: Self.buckets + 1)
    }

    deinit { counts.deallocate() }

    @inline(__always)
    public func record(nanoseconds: UInt64) {
        let micros = Int(min(nanoseconds / 1000, UInt64(Self.buckets)))
        counts[micros] &+= 1
        total &+= 1
    }

    public func reset() {
        counts.update(repeating: 0, count: Self.buckets + 1)
        total = 0
    }

    /// The smallest µs value at or below which `fraction` of the samples lie; nil when empty.
    /// The overflow bucket reports as `buckets` (≥ 100 ms).
    public func percentile(_ fraction: Double) -> Int? {
        guard total > 0 else { return nil }
        let target = UInt64((Double(total) * fraction).rounded(.up))
        var seen: UInt64 = 0
        for micros in 0...Self.buckets {
            seen += counts[micros]
            if seen >= max(target, 1) { return micros }
        }
        return Self.buckets
    }
}
