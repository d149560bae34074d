import MediaEngine
import MediaLoad
import SRTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The load generator of `palisade-bench media` is only worth its figures if its checker catches
/// what a broken relay would do, and its path works end to end.
@Suite("MediaLoad")
struct MediaLoadTests {
    @Test("a written packet checks valid, with its stream, sequence and serial")
    func roundTrip() {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        let length = LoadPacket.write(into: buffer, stream: 7, sequence: 70_000, serial: 123_456_789)
        #expect(length == 172)
        #expect(LoadPacket.check(buffer, length: Int(length), streams: 8)
            == .valid(stream: 7, sequence: 70_000, serial: 123_456_789))
        // RTP header: version 2, the 16-bit sequence of the extended one, SSRC of stream 7.
        let bytes = buffer.assumingMemoryBound(to: UInt8.self)
        #expect(bytes[0] == 0x80)
        #expect(UInt16(bytes[2]) << 8 | UInt16(bytes[3]) == UInt16(70_000 & 0xFFFF))
        #expect(LoadPacket.stream(ssrc: LoadPacket.ssrc(stream: 7)) == 7)
        #expect(LoadPacket.stream(ssrc: 0x1234_5678) == nil)
    }

    @Test("every kind of damage is caught", arguments: LoadPacket.Fault.allCases)
    func damage(fault: LoadPacket.Fault) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        var length = Int(LoadPacket.write(into: buffer, stream: 3, sequence: 41, serial: 1))
        let bytes = buffer.assumingMemoryBound(to: UInt8.self)
        switch fault {
        case .length: length -= 1
        case .header: bytes[1] = 8 // another payload type
        case .ssrc: bytes[8] ^= 0xFF
        case .stream: bytes[12 + 15] ^= 1 // the stream index in the payload
        case .sequence: bytes[3] ^= 1 // RTP sequence no longer matches the payload's
        case .payload: bytes[12 + 100] ^= 0x40
        }
        #expect(LoadPacket.check(buffer, length: length, streams: 8) == .corrupt(fault))
    }

    @Test("a stream index beyond the run's streams is refused")
    func foreignStream() {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        let length = LoadPacket.write(into: buffer, stream: 9, sequence: 1, serial: 1)
        #expect(LoadPacket.check(buffer, length: Int(length), streams: 4) == .corrupt(.ssrc))
    }

    @Test("SRTP: protected with one key, the packet checks valid only after unprotecting with that key")
    func srtpRoundTrip() throws {
        let key = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
        let sender = try SRTPContext(key: key, direction: .outbound)
        let receiver = try SRTPContext(key: key, direction: .inbound)
        let stranger = try SRTPContext(key: SRTPMasterKey.random(for: .aesCM128HmacSHA1_80), direction: .inbound)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 8)
        defer { buffer.deallocate() }
        var length = LoadPacket.write(into: buffer, stream: 2, sequence: 5, serial: 99)
        try sender.protectRTP(buffer, length: &length, capacity: 512)
        #expect(length == 182)
        #expect(LoadPacket.check(buffer, length: Int(length), streams: 4) == .corrupt(.length))
        let copy = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 8)
        defer { copy.deallocate() }
        copy.copyMemory(from: buffer, byteCount: Int(length))
        var strangerLength = length
        #expect(throws: SRTPError.self) { try stranger.unprotectRTP(copy, length: &strangerLength) }
        try receiver.unprotectRTP(buffer, length: &length)
        #expect(LoadPacket.check(buffer, length: Int(length), streams: 4)
            == .valid(stream: 2, sequence: 5, serial: 99))
    }

    @Test("1,000 packets through a real relay engine on loopback all come back intact, in order")
    func throughTheEngine() throws {
        try relay(srtp: false, ports: 47_200...47_299)
    }

    /// The engine relays SRTP unchanged here (pass-through transform), so the generator decrypts
    /// with the key it encrypted with: its whole SRTP path — one context per stream and
    /// direction, protect before sendmmsg, unprotect after recvmmsg — runs for real.
    @Test("1,000 SRTP packets through a pass-through relay decrypt and check on the generator's other socket")
    func srtpThroughTheEngine() throws {
        try relay(srtp: true, ports: 47_300...47_399)
    }

    /// The UDP GSO mode: the same 1,000 packets, sent in per-stream bursts of 8 segmented sends.
    @Test("1,000 SRTP packets sent as UDP GSO bursts of 8 come back as 1,000 intact packets")
    func segmentedThroughTheEngine() throws {
        try relay(srtp: true, ports: 47_400...47_499, segmentation: 8)
    }

    private func relay(srtp: Bool, ports range: ClosedRange<UInt16>, segmentation: Int = 1) throws {
        let generator = try LoadGenerator(streams: 4, batch: 16, socketBufferBytes: 1 << 20)
        generator.segmentation = segmentation
        if srtp {
            try generator.useSRTP((0..<4).map { _ in
                let key = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
                return LoadGenerator.StreamKeys(send: key, receive: key)
            })
        }
        // A port range of its own (the engine skips ports another process holds).
        let engine = try MediaEngine(.init(
            interfaces: [.init(name: "lo", address: IPv4Endpoint.loopback, ports: range)], workers: 1))
        try engine.start()
        defer { engine.stop() }
        for stream in 0..<4 {
            let ports = try engine.addStream(StreamSpec(
                id: StreamID(UInt64(stream)),
                a: LegSpec(interface: "lo", rtcpMux: true),
                b: LegSpec(interface: "lo", rtcpMux: true,
                           remote: IPv4Endpoint(address: generator.receiveEndpoint.address,
                                                port: generator.receiveEndpoint.port)))).get()
            generator.setTarget(stream: stream, address: ports.a.local.address, port: ports.a.local.port)
        }
        // The worker takes streams on its next loop turn: wait until it holds all four.
        for _ in 0..<200 where engine.workerTotals().first?.streams != 4 { usleep(5_000) }
        let result = generator.run(rate: 2_000, seconds: 0.5, drainSeconds: 1)
        #expect(result.sent == 1_000)
        #expect(result.received == result.sent)
        #expect(result.corrupt == 0)
        #expect(result.reordered == 0)
        #expect(result.foreign == 0)
        #expect(result.srtpFailures == 0)
        #expect(result.latencyP50 != nil)
        #expect(engine.workerTotals().first?.relayedPackets == 1_000)
    }
}
