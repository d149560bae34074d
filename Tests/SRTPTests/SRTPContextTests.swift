import SRTP
import TestSupport
import Testing

/// One sender and one receiver of a single direction, keyed alike.
private struct Pair {
    let sender: SRTPContext
    let receiver: SRTPContext

    init(_ key: SRTPMasterKey) throws {
        sender = try SRTPContext(key: key, direction: .outbound)
        receiver = try SRTPContext(key: key, direction: .inbound)
    }

    init(_ suite: SRTPSuite) throws {
        try self.init(SRTPMasterKey.random(for: suite))
    }

    func protect(seq: UInt16, ssrc: UInt32 = 0xDECA_FBAD) throws -> PacketBuffer {
        var packet = PacketBuffer(TestPacket.rtp(seq: seq, timestamp: UInt32(seq) &* 160, ssrc: ssrc, payload: TestPacket.payload(seq)))
        try packet.protectRTP(sender)
        return packet
    }

    /// Unprotects and checks the payload is the one `protect(seq:)` sent.
    func receive(_ packet: PacketBuffer, seq: UInt16, ssrc: UInt32 = 0xDECA_FBAD) throws {
        var copy = packet
        try copy.unprotectRTP(receiver)
        #expect(copy.bytes == TestPacket.rtp(seq: seq, timestamp: UInt32(seq) &* 160, ssrc: ssrc, payload: TestPacket.payload(seq)))
    }

    func unprotectError(_ packet: PacketBuffer) -> SRTPError? {
        var copy = packet
        do {
            try copy.unprotectRTP(receiver)
            return nil
        } catch {
            return error
        }
    }

    func unprotectRTCPError(_ packet: PacketBuffer) -> SRTPError? {
        var copy = packet
        do {
            try copy.unprotectRTCP(receiver)
            return nil
        } catch {
            return error
        }
    }
}

@Suite("SRTP contexts")
struct SRTPContextTests {
    @Test("RFC 3711 §3.1 round trip: protect adds the suite's tag, unprotect restores the packet", arguments: SRTPSuite.allCases)
    func roundTrip(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        for seq in UInt16(100)..<110 {
            let packet = try pair.protect(seq: seq)
            #expect(packet.length == Int32(12 + 160 + suite.rtpOverhead))
            #expect(Array(packet.bytes[12..<172]) != TestPacket.payload(seq), "the payload is encrypted")
            try pair.receive(packet, seq: seq)
        }
    }

    @Test("RFC 3711 §3.4 SRTCP round trip: index and tag added, compound packet restored", arguments: SRTPSuite.allCases)
    func rtcpRoundTrip(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        for count in UInt32(1)...5 {
            let plain = TestPacket.senderReport(packets: count)
            var packet = PacketBuffer(plain)
            try packet.protectRTCP(pair.sender)
            #expect(packet.length == Int32(plain.count + suite.rtcpOverhead))
            try packet.unprotectRTCP(pair.receiver)
            #expect(packet.bytes == plain)
        }
    }

    @Test("RFC 3711 §3.3.2 a replayed packet is refused with replayFail", arguments: SRTPSuite.allCases)
    func replayed(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        let packet = try pair.protect(seq: 7)
        try pair.receive(packet, seq: 7)
        #expect(pair.unprotectError(packet) == .replayFail)
        try pair.receive(pair.protect(seq: 8), seq: 8)
    }

    @Test("RFC 3711 §3.3.2 a packet older than the replay window is refused with replayOld", arguments: SRTPSuite.allCases)
    func tooOld(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        let late = try pair.protect(seq: 1001)
        try pair.receive(pair.protect(seq: 1000), seq: 1000)
        try pair.receive(pair.protect(seq: 1000 + 200), seq: 1200)
        #expect(pair.unprotectError(late) == .replayOld)
    }

    @Test("RFC 3711 §3.3.2 reordering inside the window is accepted", arguments: SRTPSuite.allCases)
    func reordered(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        let packets = try (UInt16(500)..<510).map { try pair.protect(seq: $0) }
        for index in [0, 2, 1, 5, 3, 4, 9, 6, 8, 7] {
            try pair.receive(packets[index], seq: 500 + UInt16(index))
        }
    }

    @Test("RFC 3711 §3.3 a changed tag, a changed header and a changed payload fail authentication", arguments: SRTPSuite.allCases)
    func tampered(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        let packet = try pair.protect(seq: 42)
        for offset in [Int(packet.length) - 1, 4, 20] {
            var changed = packet
            changed.storage[offset] ^= 0x01
            #expect(pair.unprotectError(changed) == .authFail, "byte \(offset) changed")
        }
        // The genuine packet still authenticates: failed attempts leave no state behind.
        try pair.receive(packet, seq: 42)
    }

    @Test("Truncated packets: a byte short fails authentication, shorter than header and tag is malformed, shorter than a header is badParam", arguments: SRTPSuite.allCases)
    func truncated(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        let packet = try pair.protect(seq: 9)
        var short = packet
        short.length -= 1
        #expect(pair.unprotectError(short) == .authFail)
        for (length, error) in [(0, SRTPError.badParam), (4, .badParam), (11, .badParam), (12 + suite.rtpTagLength - 1, .malformed)] {
            var cut = packet
            cut.length = Int32(length)
            #expect(pair.unprotectError(cut) == error, "\(length) bytes")
        }
        try pair.receive(packet, seq: 9)
    }

    @Test("Garbage: random bytes never unprotect", arguments: SRTPSuite.allCases)
    func garbage(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        var generator = SplitMix64(seed: 0x5EED)
        for round in 0..<200 {
            var bytes = (0..<(12 + round % 200)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let plausible = round % 2 == 0
            if plausible { bytes[0] = 0x80 }  // version 2, no CSRC, no extension: only the tag can tell
            let error = pair.unprotectError(PacketBuffer(bytes))
            // Which check fires first depends on the bytes; every one of them drops the packet.
            let expected: Set<SRTPError> = [.authFail, .malformed, .badParam, .cipherFail]
            #expect(error.map(expected.contains) == true, "round \(round): \(String(describing: error))")
        }
        try pair.receive(pair.protect(seq: 1), seq: 1)
    }

    @Test("A packet protected under another key fails authentication", arguments: SRTPSuite.allCases)
    func wrongKey(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        let stranger = try Pair(suite)
        #expect(pair.unprotectError(try stranger.protect(seq: 3)) == .authFail)
    }

    @Test("SRTCP: replayed, wrong-tag, truncated and garbage packets are refused", arguments: SRTPSuite.allCases)
    func rtcpRejected(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        var packet = PacketBuffer(TestPacket.senderReport())
        try packet.protectRTCP(pair.sender)
        var wrongTag = packet
        wrongTag.storage[Int(wrongTag.length) - (suite.isAEAD ? 5 : 1)] ^= 0x80
        #expect(pair.unprotectRTCPError(wrongTag) == .authFail)
        var short = packet
        short.length -= 1
        #expect(pair.unprotectRTCPError(short) != nil)
        var tiny = packet
        tiny.length = 7
        #expect(pair.unprotectRTCPError(tiny) == .badParam)
        var garbage = PacketBuffer((0..<60).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        garbage.storage[0] = 0x80
        garbage.storage[1] = 200
        #expect(pair.unprotectRTCPError(garbage) == .authFail)
        #expect(pair.unprotectRTCPError(packet) == nil)
        #expect(pair.unprotectRTCPError(packet) == .replayFail)
    }

    @Test("RFC 3711 §3.3.1 rollover: a stream crossing seq 65535 → 0 keeps decrypting, reordered across the wrap", arguments: SRTPSuite.allCases)
    func rollover(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        let seqs: [UInt16] = [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3]
        let packets = try seqs.map { try pair.protect(seq: $0) }
        // Deliver out of order across the wrap: 65534, 0, 65535, 1 ...
        for index in [0, 1, 2, 3, 4, 6, 5, 7, 9, 8] {
            try pair.receive(packets[index], seq: seqs[index])
        }
        // On past the wrap for more than a window: ROC 1 holds.
        for seq in UInt16(4)..<300 {
            try pair.receive(pair.protect(seq: seq), seq: seq)
        }
        #expect(pair.sender.rolloverCounter(ssrc: 0xDECA_FBAD) == 1)
        #expect(pair.receiver.rolloverCounter(ssrc: 0xDECA_FBAD) == 1)
        #expect(pair.receiver.rolloverCounter(ssrc: 0x1234_5678) == nil, "no stream for an SSRC never seen")
    }

    @Test("RFC 3711 §3.3.1 rollover: after the wrap libsrtp2 encrypts with ROC 1 (checked against the reference)")
    func rolloverMatchesReference() throws {
        let key = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
        let pair = try Pair(key)
        for seq in UInt16(65500)...65535 {
            try pair.receive(pair.protect(seq: seq), seq: seq)
        }
        let packet = try pair.protect(seq: 5)
        let plain = TestPacket.rtp(seq: 5, timestamp: 5 * 160, payload: TestPacket.payload(5))
        let expected = ReferenceSRTP.protectRTP(plain, keys: ReferenceSRTP.sessionKeys(key), suite: key.suite, roc: 1)
        #expect(packet.bytes == expected)
        try pair.receive(packet, seq: 5)
    }

    @Test("SSRC any inbound: a second SSRC on the same context is accepted without signalling", arguments: SRTPSuite.allCases)
    func newSSRC(suite: SRTPSuite) throws {
        let pair = try Pair(suite)
        try pair.receive(pair.protect(seq: 10, ssrc: 1), seq: 10, ssrc: 1)
        try pair.receive(pair.protect(seq: 60000, ssrc: 2), seq: 60000, ssrc: 2)
        try pair.receive(pair.protect(seq: 11, ssrc: 1), seq: 11, ssrc: 1)
    }

    @Test("Protect refuses a buffer with no room for the tag", arguments: SRTPSuite.allCases)
    func noRoomForTag(suite: SRTPSuite) throws {
        let context = try SRTPContext(key: .random(for: suite), direction: .outbound)
        let plain = TestPacket.rtp(seq: 1, payload: TestPacket.payload(1))
        var packet = PacketBuffer(plain, capacity: plain.count + suite.rtpOverhead - 1)
        #expect(throws: SRTPError.bufferTooSmall(needed: Int32(plain.count + suite.rtpOverhead), capacity: Int32(packet.storage.count))) {
            try packet.protectRTP(context)
        }
        #expect(packet.bytes == plain, "nothing was written")
        var rtcp = PacketBuffer(TestPacket.senderReport(), capacity: 28 + suite.rtcpOverhead - 1)
        #expect(throws: SRTPError.self) { try rtcp.protectRTCP(context) }
        // Exactly enough room is enough.
        var exact = PacketBuffer(plain, capacity: plain.count + suite.rtpOverhead)
        try exact.protectRTP(context)
    }

    @Test("Protect refuses to send the same index twice (keystream reuse)")
    func repeatedProtect() throws {
        let pair = try Pair(.aesCM128HmacSHA1_80)
        _ = try pair.protect(seq: 77)
        #expect(throws: SRTPError.replayFail) { _ = try pair.protect(seq: 77) }
    }

    @Test("Replay window outside libsrtp2's 64...32767 is refused")
    func replayWindowBounds() throws {
        #expect(throws: SRTPError.badParam) { _ = try SRTPContext(key: .random(for: .aeadAES128GCM), direction: .inbound, replayWindow: 32) }
        _ = try SRTPContext(key: .random(for: .aeadAES128GCM), direction: .inbound, replayWindow: 1024)
    }
}

