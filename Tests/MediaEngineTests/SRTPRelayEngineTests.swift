import MediaEngine
import SRTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A phone's side of an SRTP leg, verified independently of the engine: its own libsrtp2
/// contexts. `sending` protects with the phone's key (the leg's remote key); `receiving`
/// unprotects with Palisade's key for this leg (the leg's local key).
final class SRTPPhone {
    let peer: LoopbackPeer
    var sendKey: SRTPMasterKey
    var receiveKey: SRTPMasterKey
    let sending: SRTPContext
    let receiving: SRTPContext

    init(suite: SRTPSuite, peer: LoopbackPeer? = nil) throws {
        self.peer = try peer ?? LoopbackPeer()
        sendKey = SRTPMasterKey.random(for: suite)
        receiveKey = SRTPMasterKey.random(for: suite)
        sending = try SRTPContext(key: sendKey, direction: .outbound)
        receiving = try SRTPContext(key: receiveKey, direction: .inbound)
    }

    /// The engine's view of this leg: it protects towards the phone with `receiveKey` and
    /// unprotects from it with `sendKey`.
    var legKeys: SRTPLegKeys { SRTPLegKeys(local: receiveKey, remote: sendKey) }

    func protect(_ packet: [UInt8], rtcp: Bool = false) throws -> [UInt8] {
        try Self.protect(packet, with: sending, rtcp: rtcp)
    }

    func unprotect(_ packet: [UInt8], rtcp: Bool = false) -> [UInt8]? {
        Self.unprotect(packet, with: receiving, rtcp: rtcp)
    }

    static func protect(_ packet: [UInt8], with context: SRTPContext, rtcp: Bool = false) throws -> [UInt8] {
        try context.protected(packet, rtcp: rtcp)
    }

    static func unprotect(_ packet: [UInt8], with context: SRTPContext, rtcp: Bool = false) -> [UInt8]? {
        context.unprotected(packet, rtcp: rtcp)
    }
}

/// One end of a test stream: a plain RTP phone or an SRTP one.
enum Party {
    case rtp(LoopbackPeer)
    case srtp(SRTPPhone)

    static func make(_ suite: SRTPSuite?) throws -> Party {
        if let suite { return .srtp(try SRTPPhone(suite: suite)) }
        return .rtp(try LoopbackPeer())
    }

    var peer: LoopbackPeer {
        switch self {
        case .rtp(let peer): peer
        case .srtp(let phone): phone.peer
        }
    }

    var transform: LegTransform {
        switch self {
        case .rtp: .passthrough
        case .srtp(let phone): .srtp(phone.legKeys)
        }
    }

    var name: String {
        switch self {
        case .rtp: "RTP"
        case .srtp(let phone): phone.sendKey.suite.sdesName
        }
    }

    func send(_ plain: [UInt8], to destination: IPv4Endpoint, rtcp: Bool = false) throws {
        switch self {
        case .rtp(let peer): peer.send(plain, to: destination)
        case .srtp(let phone): phone.peer.send(try phone.protect(plain, rtcp: rtcp), to: destination)
        }
    }

    /// The next datagram, decrypted with the phone's own key; nil if none arrived or it does not
    /// authenticate.
    func receive(rtcp: Bool = false) -> [UInt8]? {
        guard let datagram = peer.receive() else { return nil }
        switch self {
        case .rtp: return datagram.bytes
        case .srtp(let phone): return phone.unprotect(datagram.bytes, rtcp: rtcp)
        }
    }
}

/// RFC 3550 §6.4.1 sender report without report blocks (28 bytes).
func rtcpSenderReport(ssrc: UInt32) -> [UInt8] {
    [0x80, 200, 0x00, 0x06, UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
        + [UInt8](repeating: 0x11, count: 20)
}

/// Waits until the stream's statistics satisfy `done` (bounded), and returns the last ones.
func statistics(_ engine: MediaEngine, _ id: StreamID, until done: (StreamStatistics) -> Bool) throws
    -> StreamStatistics
{
    var stats = try statistics(engine, id)
    for _ in 0..<100 where !done(stats) {
        usleep(5000)
        stats = try statistics(engine, id)
    }
    return stats
}

@Suite("SRTP in the relay engine", .serialized)
struct SRTPRelayEngineTests {
    static let profiles: [SRTPSuite?] = [nil] + SRTPSuite.allCases

    @Test("every suite against every other and against RTP: payloads arrive intact both ways, re-keyed")
    func matrix() throws {
        let engine = try makeEngine(ports: 13000...13199, workers: 2)
        defer { engine.stop() }
        var n: UInt64 = 0
        for profileA in Self.profiles {
            for profileB in Self.profiles {
                n += 1
                let (a, b) = (try Party.make(profileA), try Party.make(profileB))
                let id = StreamID(n)
                let ports = try engine.addStream(StreamSpec(
                    id: id, a: LegSpec(interface: "lo", rtcpMux: true, transform: a.transform),
                    b: LegSpec(interface: "lo", rtcpMux: true, remote: b.peer.endpoint, transform: b.transform))).get()
                let pair = "\(a.name) → \(b.name)"
                for sequence: UInt16 in 1...3 {
                    let forward = rtp(sequence: sequence, timestamp: UInt32(sequence) * 160, ssrc: 0xA000 + UInt32(n),
                                      payload: Array("forward \(pair) \(sequence)".utf8))
                    try a.send(forward, to: ports.a.local)
                    #expect(b.receive() == forward, "\(pair) packet \(sequence)")
                    let back = rtp(sequence: sequence, timestamp: UInt32(sequence) * 160, ssrc: 0xB000 + UInt32(n),
                                   payload: Array("back \(pair) \(sequence)".utf8))
                    try b.send(back, to: ports.b.local)
                    #expect(a.receive() == back, "\(pair) back \(sequence)")
                }
                // SRTCP (muxed) both ways.
                try a.send(rtcpSenderReport(ssrc: 0xA000 + UInt32(n)), to: ports.a.local, rtcp: true)
                #expect(b.receive(rtcp: true) == rtcpSenderReport(ssrc: 0xA000 + UInt32(n)), "\(pair) RTCP")
                try b.send(rtcpSenderReport(ssrc: 0xB000 + UInt32(n)), to: ports.b.local, rtcp: true)
                #expect(a.receive(rtcp: true) == rtcpSenderReport(ssrc: 0xB000 + UInt32(n)), "\(pair) RTCP back")
                let stats = try statistics(engine, id)
                #expect(stats.a.drops.total == 0 && stats.b.drops.total == 0, "\(pair)")
                #expect(stats.a.packets == 3 && stats.b.packets == 3 && stats.a.rtcpPackets == 1)
                try engine.removeStream(id).get()
            }
        }
        #expect(n == 36)
    }

    @Test("SRTP ↔ SRTP with one suite: the key never crosses legs; each side needs its own key")
    func noKeyCrosses() throws {
        let engine = try makeEngine(ports: 13200...13219, workers: 1)
        defer { engine.stop() }
        let (a, b) = (try SRTPPhone(suite: .aesCM128HmacSHA1_80), try SRTPPhone(suite: .aesCM128HmacSHA1_80))
        let ports = try engine.addStream(StreamSpec(
            id: StreamID(1), a: LegSpec(interface: "lo", transform: .srtp(a.legKeys)),
            b: LegSpec(interface: "lo", remote: b.peer.endpoint, transform: .srtp(b.legKeys)))).get()
        let plain = rtp(sequence: 10, payload: Array("secret".utf8))
        let sent = try a.protect(plain)
        a.peer.send(sent, to: ports.a.local)
        let arrived = try #require(b.peer.receive()).bytes
        #expect(arrived != sent)
        // A's key does not open what B received; B's does.
        let aKeyAtB = try SRTPContext(key: a.sendKey, direction: .inbound)
        #expect(SRTPPhone.unprotect(arrived, with: aKeyAtB) == nil)
        #expect(b.unprotect(arrived) == plain)
    }

    @Test("SRTCP on separate RTCP ports, SRTP on one leg and RTP on the other")
    func srtcpSeparatePorts() throws {
        let engine = try makeEngine(ports: 13220...13239, workers: 1)
        defer { engine.stop() }
        let a = try SRTPPhone(suite: .aeadAES128GCM)
        let (b, bRTCP) = (try LoopbackPeer(), try LoopbackPeer())
        let ports = try engine.addStream(StreamSpec(
            id: StreamID(2), a: LegSpec(interface: "lo", transform: .srtp(a.legKeys)),
            b: LegSpec(interface: "lo", remote: b.endpoint, remoteRTCP: bRTCP.endpoint))).get()
        let aRTCP = try LoopbackPeer()
        let aRTCPPort = IPv4Endpoint(address: IPv4Endpoint.loopback, port: try #require(ports.a.rtcpPort))
        let bRTCPPort = IPv4Endpoint(address: IPv4Endpoint.loopback, port: try #require(ports.b.rtcpPort))
        aRTCP.send(try SRTPPhone.protect(rtcpSenderReport(ssrc: 0x77), with: a.sending, rtcp: true), to: aRTCPPort)
        let atB = try #require(bRTCP.receive())
        #expect(atB.bytes == rtcpSenderReport(ssrc: 0x77))
        #expect(atB.from == ports.b.rtcpPort)
        bRTCP.send(rtcpReceiverReport(ssrc: 0x88), to: bRTCPPort)
        let atA = try #require(aRTCP.receive())
        #expect(atA.from == ports.a.rtcpPort)
        #expect(SRTPPhone.unprotect(atA.bytes, with: a.receiving, rtcp: true) == rtcpReceiverReport(ssrc: 0x88))
        // A forged SRTCP packet is dropped as an authentication failure.
        var forged = try SRTPPhone.protect(rtcpSenderReport(ssrc: 0x77), with: a.sending, rtcp: true)
        forged[forged.count - 1] ^= 0x01
        aRTCP.send(forged, to: aRTCPPort)
        #expect(bRTCP.receivesNothing())
        let stats = try statistics(engine, StreamID(2)) { $0.a.drops.authenticationFailure == 1 }
        #expect(stats.a.drops.authenticationFailure == 1)
        #expect(stats.a.rtcpPackets == 1 && stats.b.rtcpPackets == 1)
        #expect(stats.a.latchedRTCP == aRTCP.endpoint)
    }

    @Test("re-key round trip: both keys of both legs change mid-stream, no packet lost, old keys refused")
    func rekeyRoundTrip() throws {
        let engine = try makeEngine(ports: 13240...13259, workers: 1)
        defer { engine.stop() }
        let (a, b) = (try SRTPPhone(suite: .aesCM128HmacSHA1_80), try SRTPPhone(suite: .aesCM128HmacSHA1_80))
        let id = StreamID(3)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", transform: .srtp(a.legKeys)),
            b: LegSpec(interface: "lo", remote: b.peer.endpoint, transform: .srtp(b.legKeys)))).get()
        var sequence: UInt16 = 100
        func roundTrip() throws {
            sequence += 1
            let forward = rtp(sequence: sequence, ssrc: 0xAAAA, payload: Array("forward \(sequence)".utf8))
            a.peer.send(try a.protect(forward), to: ports.a.local)
            #expect(b.unprotect(try #require(b.peer.receive()).bytes) == forward, "forward \(sequence)")
            let back = rtp(sequence: sequence, ssrc: 0xBBBB, payload: Array("back \(sequence)".utf8))
            b.peer.send(try b.protect(back), to: ports.b.local)
            #expect(a.unprotect(try #require(a.peer.receive()).bytes) == back, "back \(sequence)")
        }
        for _ in 0..<5 { try roundTrip() }
        let oldSendKey = a.sendKey

        // Every key changes: each phone's sending key, and Palisade's key towards each phone.
        for phone in [a, b] {
            phone.sendKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
            phone.receiveKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
            try phone.sending.update(key: phone.sendKey)
            try phone.receiving.update(key: phone.receiveKey)
        }
        try engine.updateStream(id, StreamUpdate(
            a: .init(remote: nil, transform: .srtp(a.legKeys)),
            b: .init(remote: b.peer.endpoint, transform: .srtp(b.legKeys)))).get()
        // A statistics round trip proves the worker applied the update (commands are in order).
        _ = try statistics(engine, id)
        for _ in 0..<5 { try roundTrip() }

        // A packet still under the old key is refused.
        sequence += 1
        let stale = try SRTPPhone.protect(rtp(sequence: sequence, ssrc: 0xAAAA),
                                          with: try SRTPContext(key: oldSendKey, direction: .outbound))
        a.peer.send(stale, to: ports.a.local)
        #expect(b.peer.receivesNothing())
        let stats = try statistics(engine, id) { $0.a.drops.authenticationFailure == 1 }
        #expect(stats.a.packets == 10 && stats.b.packets == 10)
        #expect(stats.a.relayedPackets == 10 && stats.b.relayedPackets == 10)
        #expect(stats.a.drops.authenticationFailure == 1)
        #expect(stats.a.latched == a.peer.endpoint)  // the update did not unlatch
        // In-place re-keys retire no context.
        #expect(engine.retiredContextCount == 0)
    }

    @Test("a suite change and RTP → SRTP → RTP updates replace contexts; retired ones are freed")
    func suiteChange() throws {
        let engine = try makeEngine(ports: 13260...13279, workers: 1)
        defer { engine.stop() }
        let b = try LoopbackPeer()
        let a1 = try SRTPPhone(suite: .aesCM128HmacSHA1_32)
        let id = StreamID(4)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", transform: .srtp(a1.legKeys)),
            b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        a1.peer.send(try a1.protect(rtp(sequence: 1)), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 1))

        let a2 = try SRTPPhone(suite: .aeadAES256GCM, peer: a1.peer)
        try engine.updateStream(id, StreamUpdate(a: .init(remote: nil, transform: .srtp(a2.legKeys)))).get()
        _ = try statistics(engine, id)
        a2.peer.send(try a2.protect(rtp(sequence: 2)), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 2))
        b.send(rtp(sequence: 9, ssrc: 3), to: ports.b.local)
        #expect(a2.unprotect(try #require(a2.peer.receive()).bytes) == rtp(sequence: 9, ssrc: 3))

        try engine.updateStream(id, StreamUpdate(a: .init(remote: nil, transform: .passthrough))).get()
        _ = try statistics(engine, id)
        a2.peer.send(rtp(sequence: 3), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 3))
        // The worker has processed both updates (statistics answered after them): nothing retired is kept.
        _ = engine.collectEvents()
        #expect(engine.retiredContextCount == 0)
    }

    @Test("the peer's key unknown yet: its packets are dropped as authentication failures; the answer's key opens them")
    func remoteKeyLater() throws {
        let engine = try makeEngine(ports: 13280...13299, workers: 1)
        defer { engine.stop() }
        let a = try SRTPPhone(suite: .aesCM256HmacSHA1_80)
        let b = try LoopbackPeer()
        let id = StreamID(5)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", transform: .srtp(SRTPLegKeys(local: a.receiveKey, remote: nil))),
            b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        a.peer.send(try a.protect(rtp(sequence: 1)), to: ports.a.local)
        #expect(b.receivesNothing())
        // A has not authenticated, so it is not latched: B's packet has nowhere to go yet.
        b.send(rtp(sequence: 1, ssrc: 5), to: ports.b.local)
        let before = try statistics(engine, id) { $0.b.drops.noRoute == 1 && $0.a.drops.authenticationFailure == 1 }
        #expect(before.a.latched == nil)
        try engine.updateStream(id, StreamUpdate(a: .init(remote: nil, transform: .srtp(a.legKeys)))).get()
        _ = try statistics(engine, id)
        a.peer.send(try a.protect(rtp(sequence: 2)), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 2))
        b.send(rtp(sequence: 2, ssrc: 5), to: ports.b.local)
        #expect(a.unprotect(try #require(a.peer.receive()).bytes) == rtp(sequence: 2, ssrc: 5))
        let stats = try statistics(engine, id)
        #expect(stats.a.drops.authenticationFailure == 1)
        #expect(stats.b.drops.noRoute == 1)  // A was not latched yet when B's first packet came
    }

    @Test("RFC 4961: a hijack from another address is dropped and logged; an authenticated packet re-latches")
    func hijackAndRelatch() throws {
        let engine = try makeEngine(ports: 13300...13319, workers: 1)
        defer { engine.stop() }
        let a = try SRTPPhone(suite: .aesCM128HmacSHA1_80)
        let b = try LoopbackPeer()
        let id = StreamID(6)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", transform: .srtp(a.legKeys)),
            b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        a.peer.send(try a.protect(rtp(sequence: 1)), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 1))

        // The attacker has no key: a forged packet and a replay of a real one, from elsewhere.
        let attacker = try LoopbackPeer()
        let forger = try SRTPContext(key: SRTPMasterKey.random(for: .aesCM128HmacSHA1_80), direction: .outbound)
        attacker.send(try SRTPPhone.protect(rtp(sequence: 2, payload: Array("hijack".utf8)), with: forger),
                      to: ports.a.local)
        let real = try a.protect(rtp(sequence: 2))
        a.peer.send(real, to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 2))
        attacker.send(real, to: ports.a.local)
        #expect(b.receivesNothing())
        b.send(rtp(sequence: 1, ssrc: 9), to: ports.b.local)
        #expect(a.unprotect(try #require(a.peer.receive()).bytes) == rtp(sequence: 1, ssrc: 9))
        #expect(attacker.receivesNothing(within: 50))
        var stats = try statistics(engine, id)
        #expect(stats.a.drops.unknownSource == 2)
        #expect(stats.a.latched == a.peer.endpoint)

        // The phone's NAT binding changes: same keys, new source port. Its first authenticated
        // packet moves the latch, and B's media follows it.
        let moved = try LoopbackPeer()
        moved.send(try a.protect(rtp(sequence: 3)), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 3))
        b.send(rtp(sequence: 2, ssrc: 9), to: ports.b.local)
        #expect(a.unprotect(try #require(moved.receive()).bytes) == rtp(sequence: 2, ssrc: 9))
        #expect(a.peer.receivesNothing(within: 50))
        let events = collect(engine) { events in
            events.contains { if case .latched(_, let record) = $0 { record.reason == .relatchedAuthenticated } else { false } }
        }
        #expect(events.contains {
            if case .latched(_, let record) = $0 { record.source == moved.endpoint && record.side == .a } else { false }
        })
        stats = try statistics(engine, id)
        #expect(stats.a.latched == moved.endpoint)
        #expect(stats.latchLog.filter { $0.side == .a }.map(\.reason)
            == [.learnedFromFirstPacket, .rejectedAlreadyLatched, .relatchedAuthenticated])
        #expect(stats.latchLog.last { $0.reason == .rejectedAlreadyLatched }?.source == attacker.endpoint)
    }

    @Test("strict mode with SRTP: even an authenticated packet from elsewhere is refused")
    func strictSRTP() throws {
        let engine = try makeEngine(ports: 13320...13339, workers: 1)
        defer { engine.stop() }
        let a = try SRTPPhone(suite: .aeadAES128GCM)
        let b = try LoopbackPeer()
        let ports = try engine.addStream(StreamSpec(
            id: StreamID(7), a: LegSpec(interface: "lo", remote: a.peer.endpoint, latching: .strict,
                                        transform: .srtp(a.legKeys)),
            b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        let elsewhere = try LoopbackPeer()
        elsewhere.send(try a.protect(rtp(sequence: 1)), to: ports.a.local)
        a.peer.send(try a.protect(rtp(sequence: 2)), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 2))
        #expect(b.receivesNothing())
        let stats = try statistics(engine, StreamID(7))
        #expect(stats.a.drops.unknownSource == 1)
        #expect(stats.latchLog.map(\.reason) == [.rejectedNotSignalled, .matchedSignalled])
    }

    @Test("replayed, truncated, garbage and wrong-tag packets are dropped and counted by reason")
    func badPackets() throws {
        let engine = try makeEngine(ports: 13340...13359, workers: 1)
        defer { engine.stop() }
        let a = try SRTPPhone(suite: .aesCM128HmacSHA1_80)
        let b = try LoopbackPeer()
        let id = StreamID(8)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", transform: .srtp(a.legKeys)),
            b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        let first = try a.protect(rtp(sequence: 1))
        a.peer.send(first, to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 1))

        a.peer.send(first, to: ports.a.local)  // replayed
        let second = try a.protect(rtp(sequence: 2))
        a.peer.send(Array(second.dropLast(4)), to: ports.a.local)  // truncated tag
        var wrongTag = try a.protect(rtp(sequence: 3))
        wrongTag[wrongTag.count - 1] ^= 0x80
        a.peer.send(wrongTag, to: ports.a.local)  // wrong tag
        a.peer.send([0x80, 0x00, 0x01], to: ports.a.local)  // garbage: shorter than a header
        a.peer.send([UInt8](repeating: 0x42, count: 40), to: ports.a.local)  // garbage: version 1
        a.peer.send(rtp(sequence: 4), to: ports.a.local)  // plain RTP: too short for header and tag
        // The session survives all that.
        a.peer.send(try a.protect(rtp(sequence: 5)), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 5))
        #expect(b.receivesNothing())
        let stats = try statistics(engine, id) { $0.a.drops.total == 6 }
        #expect(stats.a.drops.replay == 1)
        #expect(stats.a.drops.authenticationFailure == 2)  // truncated, wrong tag
        #expect(stats.a.drops.malformed == 3)  // 3 bytes, version 1, 20 bytes (libsrtp2: shorter than header + tag)
        #expect(stats.a.packets == 2 && stats.a.relayedPackets == 2)
        let totals = engine.workerTotals()
        #expect(totals.reduce(0) { $0 + $1.drops.authenticationFailure } == 2)
        #expect(totals.reduce(0) { $0 + $1.drops.replay } == 1)
    }

    @Test("authentication failures crossing 10 raise one srtp-failures event")
    func failureEvent() throws {
        let engine = try makeEngine(ports: 13360...13379, workers: 1)
        defer { engine.stop() }
        let a = try SRTPPhone(suite: .aesCM128HmacSHA1_32)
        let b = try LoopbackPeer()
        let id = StreamID(9)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", transform: .srtp(a.legKeys)),
            b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        let forger = try SRTPContext(key: SRTPMasterKey.random(for: .aesCM128HmacSHA1_32), direction: .outbound)
        for sequence: UInt16 in 1...12 {
            a.peer.send(try SRTPPhone.protect(rtp(sequence: sequence), with: forger), to: ports.a.local)
        }
        let events = collect(engine) { events in
            events.contains { if case .srtpFailures = $0 { true } else { false } }
        }
        #expect(events.filter { if case .srtpFailures = $0 { true } else { false } }
            == [.srtpFailures(id, .a, count: 10)])
    }

    @Test("SSRC changes: each new SSRC authenticates and relays; past the bound, old streams are evicted and counted")
    func ssrcChanges() throws {
        let engine = try makeEngine(ports: 13380...13399, workers: 1)
        defer { engine.stop() }
        let (a, b) = (try SRTPPhone(suite: .aeadAES128GCM), try SRTPPhone(suite: .aesCM128HmacSHA1_80))
        let id = StreamID(10)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", transform: .srtp(a.legKeys)),
            b: LegSpec(interface: "lo", remote: b.peer.endpoint, transform: .srtp(b.legKeys)))).get()
        let count = SRTPContext.defaultMaximumStreams + 4
        for k in 0..<count {
            let packet = rtp(sequence: UInt16(k), ssrc: 0x1000 + UInt32(k))
            a.peer.send(try a.protect(packet), to: ports.a.local)
            #expect(b.unprotect(try #require(b.peer.receive()).bytes) == packet)
        }
        let stats = try statistics(engine, id)
        #expect(stats.a.relayedPackets == UInt64(count))
        // A's inbound and B's outbound context each evicted 4 streams and hold the bound.
        #expect(stats.a.srtpStreamsEvicted == 4 && stats.a.srtpStreams == SRTPContext.defaultMaximumStreams)
        #expect(stats.b.srtpStreamsEvicted == 4 && stats.b.srtpStreams == SRTPContext.defaultMaximumStreams)
    }

    @Test("plain RTP repeating an index towards an SRTP leg is dropped as a replay (no keystream reuse)")
    func plainRepeatTowardsSRTP() throws {
        let engine = try makeEngine(ports: 13400...13419, workers: 1)
        defer { engine.stop() }
        let a = try LoopbackPeer()
        let b = try SRTPPhone(suite: .aesCM128HmacSHA1_80)
        let id = StreamID(11)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo"),
            b: LegSpec(interface: "lo", remote: b.peer.endpoint, transform: .srtp(b.legKeys)))).get()
        a.send(rtp(sequence: 1), to: ports.a.local)
        #expect(b.unprotect(try #require(b.peer.receive()).bytes) == rtp(sequence: 1))
        a.send(rtp(sequence: 1, payload: Array("other".utf8)), to: ports.a.local)
        #expect(b.peer.receivesNothing())
        let stats = try statistics(engine, id) { $0.a.drops.replay == 1 }
        #expect(stats.a.drops.replay == 1)
    }

    @Test("two workers relay SRTP streams at once")
    func twoWorkers() throws {
        let engine = try makeEngine(ports: 13420...13459, workers: 2)
        defer { engine.stop() }
        var streams: [(SRTPPhone, SRTPPhone, StreamPorts)] = []
        for n in 0..<4 {
            let (a, b) = (try SRTPPhone(suite: .aesCM128HmacSHA1_80), try SRTPPhone(suite: .aeadAES128GCM))
            let ports = try engine.addStream(StreamSpec(
                id: StreamID(UInt64(100 + n)), a: LegSpec(interface: "lo", transform: .srtp(a.legKeys)),
                b: LegSpec(interface: "lo", remote: b.peer.endpoint, transform: .srtp(b.legKeys)))).get()
            streams.append((a, b, ports))
        }
        for round: UInt16 in 1...20 {
            for (n, (a, b, ports)) in streams.enumerated() {
                let packet = rtp(sequence: round, ssrc: UInt32(n), payload: Array("\(n)/\(round)".utf8))
                a.peer.send(try a.protect(packet), to: ports.a.local)
                #expect(b.unprotect(try #require(b.peer.receive()).bytes) == packet)
                b.peer.send(try b.protect(packet), to: ports.b.local)
                #expect(a.unprotect(try #require(a.peer.receive()).bytes) == packet)
            }
        }
        var totals = engine.workerTotals()
        for _ in 0..<100 where !totals.allSatisfy({ $0.relayedPackets == 80 }) {
            usleep(5000)
            totals = engine.workerTotals()
        }
        #expect(totals.map(\.relayedPackets) == [80, 80])
        #expect(totals.allSatisfy { $0.drops.total == 0 })
    }
}
