import MediaEngine
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Component tests: real UDP sockets on 127.0.0.1, real worker threads. Each test has its own
/// port range below the kernel's ephemeral range, and every wait is bounded.
@Suite("Relay on loopback", .serialized)
struct RelayTests {
    @Test("two workers relay A→B and B→A with payloads intact; A is learned, B is signalled")
    func relayBothWays() throws {
        let engine = try makeEngine(ports: 10000...10099)
        defer { engine.stop() }
        #expect(engine.workerCount == 2)
        var peers: [(LoopbackPeer, LoopbackPeer, StreamPorts)] = []
        for n in 0..<4 {
            let (a, b) = (try LoopbackPeer(), try LoopbackPeer())
            let ports = try engine.addStream(StreamSpec(
                id: StreamID(UInt64(n)), a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo", remote: b.endpoint))).get()
            peers.append((a, b, ports))
        }
        for (n, (a, b, ports)) in peers.enumerated() {
            let payload = Array("stream \(n) forward".utf8)
            a.send(rtp(sequence: 1, payload: payload), to: ports.a.local)
            let forward = try #require(b.receive())
            #expect(forward.bytes == rtp(sequence: 1, payload: payload))
            #expect(forward.from == ports.b.local.port)

            let reply = Array("stream \(n) back".utf8)
            b.send(rtp(sequence: 7, ssrc: 0x22, payload: reply), to: ports.b.local)
            let back = try #require(a.receive())
            #expect(back.bytes == rtp(sequence: 7, ssrc: 0x22, payload: reply))
            #expect(back.from == ports.a.local.port)
        }
        let stats = try statistics(engine, StreamID(0))
        #expect(stats.a.packets == 1)
        #expect(stats.a.relayedPackets == 1)
        #expect(stats.a.latched == peers[0].0.endpoint)
        #expect(stats.b.latched == peers[0].1.endpoint)
        #expect(stats.latchLog.map(\.reason) == [.learnedFromFirstPacket, .matchedSignalled])
        // Round-robin placement: both workers relayed.
        // Totals are published at the end of each worker loop turn: allow a few turns.
        var totals = engine.workerTotals()
        for _ in 0..<100 where !totals.allSatisfy({ $0.relayedPackets == 4 }) {
            usleep(5000)
            totals = engine.workerTotals()
        }
        #expect(totals.count == 2)
        #expect(totals.allSatisfy { $0.relayedPackets == 4 && $0.streams == 2 })
    }

    @Test("latching events report the learned source")
    func latchedEvents() throws {
        let engine = try makeEngine(ports: 10100...10199)
        defer { engine.stop() }
        let (a, b) = (try LoopbackPeer(), try LoopbackPeer())
        let id = StreamID(1)
        let ports = try engine.addStream(StreamSpec(id: id, a: LegSpec(interface: "lo"),
                                                    b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        a.send(rtp(sequence: 1), to: ports.a.local)
        _ = try #require(b.receive())
        let events = collect(engine) { !$0.isEmpty }
        #expect(events == [.latched(id, LatchRecord(side: .a, channel: .rtp, source: a.endpoint,
                                                    reason: .learnedFromFirstPacket, at: latchTime(events)))])
    }

    @Test("RFC 4961: after latching, a packet from another port is dropped, counted and logged")
    func hijackDropped() throws {
        let engine = try makeEngine(ports: 10200...10299)
        defer { engine.stop() }
        let (a, b, attacker) = (try LoopbackPeer(), try LoopbackPeer(), try LoopbackPeer())
        let id = StreamID(2)
        let ports = try engine.addStream(StreamSpec(id: id, a: LegSpec(interface: "lo"),
                                                    b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        a.send(rtp(sequence: 1), to: ports.a.local)
        _ = try #require(b.receive())
        attacker.send(rtp(sequence: 2, payload: Array("hijack".utf8)), to: ports.a.local)
        attacker.send(rtp(sequence: 3, payload: Array("hijack".utf8)), to: ports.a.local)
        a.send(rtp(sequence: 4), to: ports.a.local)
        let next = try #require(b.receive())
        #expect(next.bytes == rtp(sequence: 4))
        #expect(b.receivesNothing())
        // The victim still receives what B sends: the latch did not move.
        b.send(rtp(sequence: 1, ssrc: 9), to: ports.b.local)
        _ = try #require(a.receive())
        #expect(attacker.receivesNothing(within: 50))

        let stats = try statistics(engine, id)
        #expect(stats.a.drops.unknownSource == 2)
        #expect(stats.a.packets == 2)
        #expect(stats.a.latched == a.endpoint)
        let rejected = stats.latchLog.filter { $0.reason == .rejectedAlreadyLatched }
        #expect(rejected.count == 1)  // identical consecutive rejections are logged once
        #expect(rejected.first?.source == attacker.endpoint)
        #expect(engine.workerTotals().reduce(0) { $0 + $1.drops.unknownSource } == 2)
    }

    @Test("strict mode accepts only the signalled address and never learns")
    func strictMode() throws {
        let engine = try makeEngine(ports: 10300...10399)
        defer { engine.stop() }
        let (a, b, other) = (try LoopbackPeer(), try LoopbackPeer(), try LoopbackPeer())
        let id = StreamID(3)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", remote: a.endpoint, latching: .strict),
            b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        other.send(rtp(sequence: 1, payload: Array("first but wrong".utf8)), to: ports.a.local)
        a.send(rtp(sequence: 2), to: ports.a.local)
        let received = try #require(b.receive())
        #expect(received.bytes == rtp(sequence: 2))
        #expect(b.receivesNothing())
        let stats = try statistics(engine, id)
        #expect(stats.a.drops.unknownSource == 1)
        #expect(stats.a.latched == a.endpoint)
        #expect(stats.latchLog.map(\.reason) == [.rejectedNotSignalled, .matchedSignalled])
        #expect(stats.latchLog.first?.source == other.endpoint)
    }

    @Test("malformed packets (too short, wrong version, bad CSRC count, bad RTCP) are dropped and counted")
    func malformedDropped() throws {
        let engine = try makeEngine(ports: 10400...10499)
        defer { engine.stop() }
        let (a, b) = (try LoopbackPeer(), try LoopbackPeer())
        let id = StreamID(4)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        var wrongVersion = rtp(sequence: 1)
        wrongVersion[0] = 0x40
        var csrcBeyondEnd = rtp(sequence: 1, payload: [])
        csrcBeyondEnd[0] = 0x8F
        a.send([0x80, 0x00, 0x00], to: ports.a.local)
        a.send(wrongVersion, to: ports.a.local)
        a.send(csrcBeyondEnd, to: ports.a.local)
        a.send([0x80, 201, 0x00, 0x09, 0, 0, 0, 0], to: IPv4Endpoint(address: IPv4Endpoint.loopback,
                                                                      port: try #require(ports.a.rtcpPort)))
        a.send(rtp(sequence: 5), to: ports.a.local)
        let received = try #require(b.receive())
        #expect(received.bytes == rtp(sequence: 5))
        #expect(b.receivesNothing())
        let stats = try statistics(engine, id)
        #expect(stats.a.drops.malformed == 4)
        #expect(stats.a.packets == 1)
        // A malformed packet does not latch: the first well-formed one did.
        #expect(stats.latchLog.count == 1)
    }

    @Test("a packet with nowhere to go is dropped as no route until the other leg is known")
    func noRoute() throws {
        let engine = try makeEngine(ports: 10500...10599)
        defer { engine.stop() }
        let (a, b) = (try LoopbackPeer(), try LoopbackPeer())
        let id = StreamID(5)
        let ports = try engine.addStream(StreamSpec(id: id, a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo"))).get()
        a.send(rtp(sequence: 1), to: ports.a.local)
        // Two sockets may be served in either order within a loop turn: wait for A's drop.
        var dropped = try statistics(engine, id)
        for _ in 0..<100 where dropped.a.drops.noRoute == 0 {
            usleep(5000)
            dropped = try statistics(engine, id)
        }
        #expect(dropped.a.drops.noRoute == 1)
        b.send(rtp(sequence: 1, ssrc: 2), to: ports.b.local)  // latches B; A is latched already
        let atA = try #require(a.receive())
        #expect(atA.bytes == rtp(sequence: 1, ssrc: 2))
        a.send(rtp(sequence: 2), to: ports.a.local)
        _ = try #require(b.receive())
        let stats = try statistics(engine, id)
        #expect(stats.a.drops.noRoute == 1)
        #expect(stats.a.relayedPackets == 1)
    }

    @Test("RTCP: separate ports relay to the peer's RTCP address; rtcp-mux demultiplexes per RFC 5761")
    func rtcp() throws {
        let engine = try makeEngine(ports: 10600...10699)
        defer { engine.stop() }
        let (a, b, bRTCP) = (try LoopbackPeer(), try LoopbackPeer(), try LoopbackPeer())
        let id = StreamID(6)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo", rtcpMux: true),
            b: LegSpec(interface: "lo", remote: b.endpoint, remoteRTCP: bRTCP.endpoint))).get()
        #expect(ports.a.rtcpPort == nil)
        #expect(ports.b.rtcpPort == ports.b.local.port + 1)
        a.send(rtp(sequence: 1), to: ports.a.local)
        a.send(rtcpReceiverReport(), to: ports.a.local)
        #expect(try #require(b.receive()).bytes == rtp(sequence: 1))
        let report = try #require(bRTCP.receive())
        #expect(report.bytes == rtcpReceiverReport())
        #expect(report.from == ports.b.rtcpPort)
        // And back: B's RTCP socket → A's muxed port.
        bRTCP.send(rtcpReceiverReport(ssrc: 7), to: IPv4Endpoint(address: IPv4Endpoint.loopback, port: ports.b.rtcpPort!))
        let back = try #require(a.receive())
        #expect(back.bytes == rtcpReceiverReport(ssrc: 7))
        #expect(back.from == ports.a.local.port)
        let stats = try statistics(engine, id)
        #expect(stats.a.rtcpPackets == 1)
        #expect(stats.b.rtcpPackets == 1)
        #expect(stats.b.latchedRTCP == bRTCP.endpoint)
    }

    @Test("RFC 3550 A.3 loss and §6.4.1 jitter are tracked per leg")
    func lossAndJitter() throws {
        let engine = try makeEngine(ports: 10700...10799)
        defer { engine.stop() }
        let (a, b) = (try LoopbackPeer(), try LoopbackPeer())
        let id = StreamID(7)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        let sequences: [UInt16] = Array(100..<110) + Array(113..<120)  // 110, 111, 112 lost
        for sequence in sequences {
            a.send(rtp(sequence: sequence, timestamp: UInt32(sequence) * 160), to: ports.a.local)
        }
        for _ in sequences { _ = try #require(b.receive()) }
        let stats = try statistics(engine, id)
        #expect(stats.a.lost == 3)
        #expect(stats.a.ssrc == 0x5151_5151)
        #expect(stats.a.packets == UInt64(sequences.count))
        // Sent back-to-back rather than every 20 ms: the estimator sees large transit changes.
        #expect(stats.a.jitter > 0)
        #expect(stats.a.lastPacketNanoseconds != nil)
    }

    @Test("no packets → a timed-out event; on hold uses the on-hold value; traffic re-arms it")
    func timeouts() throws {
        let engine = try makeEngine(ports: 10800...10899)
        defer { engine.stop() }
        let (a, b) = (try LoopbackPeer(), try LoopbackPeer())
        let quiet = StreamID(8)
        let held = StreamID(9)
        let policy = TimeoutPolicy(active: .milliseconds(150), onHold: .milliseconds(400))
        _ = try engine.addStream(StreamSpec(id: quiet, a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo"),
                                            timeouts: policy)).get()
        let ports = try engine.addStream(StreamSpec(
            id: held, a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo", remote: b.endpoint),
            timeouts: TimeoutPolicy(active: .seconds(30), onHold: .milliseconds(150)), onHold: false)).get()
        a.send(rtp(sequence: 1), to: ports.a.local)
        _ = try #require(b.receive())
        try engine.updateStream(held, StreamUpdate(onHold: true)).get()

        let started = ContinuousClock.now
        let events = collect(engine) { events in
            events.filter { if case .timedOut = $0 { true } else { false } }.count >= 2
        }
        let elapsed = ContinuousClock.now - started
        let timedOut = events.compactMap { event -> (StreamID, Bool)? in
            if case .timedOut(let id, _, let onHold) = event { (id, onHold) } else { nil }
        }
        #expect(timedOut.count == 2)
        #expect(timedOut.contains { $0 == (quiet, false) })
        #expect(timedOut.contains { $0 == (held, true) })
        #expect(elapsed < .seconds(1))
        // Sent once: no repeat while still silent.
        let later = collect(engine, within: 200) { _ in false }
        #expect(!later.contains { if case .timedOut = $0 { true } else { false } })
        // A packet re-arms the timer.
        a.send(rtp(sequence: 2), to: ports.a.local)
        _ = try #require(b.receive())
        let again = collect(engine) { $0.contains { if case .timedOut(held, _, _) = $0 { true } else { false } } }
        #expect(again.contains { if case .timedOut(held, _, true) = $0 { true } else { false } })
    }

    @Test("streams added and removed while relaying: ports return to the pool, removed ports go quiet")
    func addRemoveWhileRunning() throws {
        let engine = try makeEngine(ports: 10900...10939)  // 20 pairs: 10 streams of two legs
        defer { engine.stop() }
        #expect(engine.availablePorts(interface: "lo") == 20)
        var peers: [(LoopbackPeer, LoopbackPeer, StreamPorts)] = []
        for n in 0..<10 {
            let (a, b) = (try LoopbackPeer(), try LoopbackPeer())
            let ports = try engine.addStream(StreamSpec(
                id: StreamID(UInt64(100 + n)), a: LegSpec(interface: "lo"),
                b: LegSpec(interface: "lo", remote: b.endpoint))).get()
            peers.append((a, b, ports))
        }
        #expect(engine.availablePorts(interface: "lo") == 0)
        #expect(throws: MediaEngineError(.portsExhausted, "")) {
            try engine.addStream(StreamSpec(id: StreamID(999), a: LegSpec(interface: "lo"),
                                            b: LegSpec(interface: "lo"))).get()
        }
        #expect(throws: MediaEngineError(.duplicateStream, "")) {
            try engine.addStream(StreamSpec(id: StreamID(100), a: LegSpec(interface: "lo"),
                                            b: LegSpec(interface: "lo"))).get()
        }
        // Relay on all, then remove the even ones while the odd ones keep relaying.
        for (a, b, ports) in peers {
            a.send(rtp(sequence: 1), to: ports.a.local)
            _ = try #require(b.receive())
        }
        for n in stride(from: 0, to: 10, by: 2) { try engine.removeStream(StreamID(UInt64(100 + n))).get() }
        #expect(throws: MediaEngineError(.unknownStream, "")) { try engine.removeStream(StreamID(100)).get() }
        let events = collect(engine) { events in
            events.filter { if case .removed = $0 { true } else { false } }.count >= 5
        }
        let removed = events.compactMap { event -> StreamStatistics? in
            if case .removed(let statistics) = event { statistics } else { nil }
        }
        #expect(Set(removed.map(\.id.rawValue)) == [100, 102, 104, 106, 108])
        #expect(removed.allSatisfy { $0.a.relayedPackets == 1 })
        #expect(engine.availablePorts(interface: "lo") == 10)
        #expect(engine.streamCount == 5)
        for (n, (a, b, ports)) in peers.enumerated() {
            a.send(rtp(sequence: 2), to: ports.a.local)
            if n % 2 == 0 {
                #expect(b.receivesNothing(within: 50))
            } else {
                #expect(try #require(b.receive()).bytes == rtp(sequence: 2))
            }
        }
        // The freed ports serve new streams (the same IDs may be reused).
        let (c, d) = (try LoopbackPeer(), try LoopbackPeer())
        let ports = try engine.addStream(StreamSpec(id: StreamID(100), a: LegSpec(interface: "lo"),
                                                    b: LegSpec(interface: "lo", remote: d.endpoint))).get()
        c.send(rtp(sequence: 1), to: ports.a.local)
        #expect(try #require(d.receive()).bytes == rtp(sequence: 1))
    }

    @Test("an update to the signalled address clears the latch and the new peer is learned")
    func updateRelatches() throws {
        let engine = try makeEngine(ports: 11000...11099)
        defer { engine.stop() }
        let (a, b, newB) = (try LoopbackPeer(), try LoopbackPeer(), try LoopbackPeer())
        let id = StreamID(10)
        let ports = try engine.addStream(StreamSpec(
            id: id, a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo", remote: b.endpoint))).get()
        b.send(rtp(sequence: 1), to: ports.b.local)
        a.send(rtp(sequence: 1), to: ports.a.local)
        _ = try #require(b.receive())
        try engine.updateStream(id, StreamUpdate(b: .init(remote: newB.endpoint))).get()
        // Commands apply on the worker's next loop turn, in order: a reply to a later request
        // proves the update is in effect.
        _ = try statistics(engine, id)
        a.send(rtp(sequence: 2), to: ports.a.local)
        #expect(try #require(newB.receive()).bytes == rtp(sequence: 2))
        #expect(b.receivesNothing(within: 50))
        let stats = try statistics(engine, id)
        #expect(stats.b.latched == nil)
        #expect(stats.latchLog.contains { $0.reason == .clearedByUpdate && $0.source == b.endpoint })
    }

    @Test("unknown streams and interfaces are error values")
    func errors() throws {
        let engine = try makeEngine(ports: 11100...11109)
        defer { engine.stop() }
        #expect(throws: MediaEngineError(.unknownStream, "")) { try engine.updateStream(StreamID(1), StreamUpdate()).get() }
        #expect(throws: MediaEngineError(.unknownStream, "")) { try engine.requestStatistics(StreamID(1)).get() }
        #expect(throws: MediaEngineError(.unknownInterface, "")) {
            try engine.addStream(StreamSpec(id: StreamID(1), a: LegSpec(interface: "wan"), b: LegSpec(interface: "lo"))).get()
        }
        #expect(engine.availablePorts(interface: "lo") == 5)
        #expect(throws: MediaEngineError(.invalidConfiguration, "")) {
            try MediaEngine(.init(interfaces: []))
        }
    }
}

func latchTime(_ events: [EngineEvent]) -> UInt64 {
    for case .latched(_, let record) in events { return record.at }
    return 0
}

@Suite("Engine lifecycle")
struct EngineLifecycleTests {
    @Test("a stopped engine refuses new streams and cannot be restarted")
    func stopped() throws {
        let engine = try makeEngine(ports: 11200...11209, workers: 1)
        _ = try engine.addStream(StreamSpec(id: StreamID(1), a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo"))).get()
        engine.stop()
        #expect(engine.streamCount == 0)
        #expect(engine.availablePorts(interface: "lo") == 5)
        #expect(throws: MediaEngineError(.notRunning, "")) {
            try engine.addStream(StreamSpec(id: StreamID(2), a: LegSpec(interface: "lo"), b: LegSpec(interface: "lo"))).get()
        }
        #expect(throws: MediaEngineError(.notRunning, "")) { try engine.start() }
    }
}
