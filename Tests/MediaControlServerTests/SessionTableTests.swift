import Foundation
import Logging
import MediaControlProtocol
import MediaControlServer
import MediaEngine
import MediaSessions
import PosixSupport
import Testing

/// The session table on a real engine (one worker, loopback, ranges of four port pairs per
/// interface, distinct per test) behind a real control server.
@Suite("Session table")
struct SessionTableTests {
    struct Plane {
        let path: String
        let access: ClosedRange<Int>
        let core: ClosedRange<Int>
    }

    /// `base`: the first port; "access" gets base...base+7, "core" base+8...base+15.
    static func withPlane(base: UInt16, timeouts: TimeoutPolicy = .disabled, _ body: (Plane) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/media.sock"
        let engine = try MediaEngine(.init(interfaces: [
            .init(name: "access", address: IPv4Endpoint.loopback, ports: base...(base + 7)),
            .init(name: "core", address: IPv4Endpoint.loopback, ports: (base + 8)...(base + 15)),
        ], workers: 1))
        try engine.start()
        defer { engine.stop() }
        let table = SessionTable(engine: engine, interfaces: [.init(name: "access", advertise: "203.0.113.7"),
                                                              .init(name: "core", advertise: "127.0.0.1")],
                                 timeouts: timeouts) { SessionTable.Now(wall: 1_000, monotonicNanoseconds: 0) }
        let server = MediaControlServer(socketPath: path, identity: MediaControlServerTests.media,
                                        logger: Logger(label: "test"),
                                        watch: ControlWatch(fd: engine.notificationFD) { table.engineReadable() })
        { request, ticket in table.handle(request, ticket: ticket) }
        try server.start()
        defer { server.stop() }
        try body(Plane(path: path, access: Int(base)...Int(base + 7), core: Int(base + 8)...Int(base + 15)))
    }

    static func stream(_ index: Int, remoteB: Int = 9, profile: LegProfile = .rtp, mux: Bool = false) -> MediaControlProtocol.StreamSpec {
        MediaControlProtocol.StreamSpec(index: index,
                   a: MediaControlProtocol.LegSpec(interface: "access", rtcpMux: mux, remote: nil, profile: profile),
                   b: MediaControlProtocol.LegSpec(interface: "core", rtcpMux: false, remote: Endpoint(address: "127.0.0.1", port: remoteB),
                              profile: .rtp))
    }

    @Test("create allocates both legs at the advertised address; query, list and delete answer with statistics")
    func lifecycle() throws {
        try Self.withPlane(base: 14_000) { plane in
            let client = try ControlClient(path: plane.path, hello: MediaControlServerTests.signal)
            let spec = SessionSpec(session: "c-1", streams: [Self.stream(0), Self.stream(1, mux: true)])
            guard case .success(.created(let allocation)) = try client.request(.createSession(spec)) else {
                Issue.record("create refused")
                return
            }
            #expect(allocation.session == "c-1" && allocation.streams.map(\.index) == [0, 1])
            let first = allocation.streams[0]
            #expect(first.a.address == "203.0.113.7" && first.b.address == "127.0.0.1")
            #expect(plane.access.contains(first.a.rtpPort) && first.a.rtpPort % 2 == 0)
            #expect(first.a.rtcpPort == first.a.rtpPort + 1)
            #expect(plane.core.contains(first.b.rtpPort))
            #expect(allocation.streams[1].a.rtcpPort == allocation.streams[1].a.rtpPort, "muxed: RTCP on the RTP port")

            #expect(try client.request(.createSession(spec)) == .failure(ControlFailure(.sessionExists, "")))
            guard case .success(.queried(let figures)) = try client.request(.querySession(SessionReference(session: "c-1")))
            else {
                Issue.record("query not answered")
                return
            }
            #expect(figures.session == "c-1" && figures.created == 1_000 && figures.streams.map(\.index) == [0, 1])
            #expect(figures.streams[0].a.packets == 0 && figures.streams[0].a.latched == nil)
            guard case .success(.listed(let list)) = try client.request(.listSessions) else {
                Issue.record("list not answered")
                return
            }
            #expect(list.sessions.map(\.session) == ["c-1"])

            guard case .success(.deleted(let final)) = try client.request(.deleteSession(SessionReference(session: "c-1")))
            else {
                Issue.record("delete not answered")
                return
            }
            #expect(final.session == "c-1" && final.streams.count == 2)
            #expect(try client.request(.querySession(SessionReference(session: "c-1")))
                == .failure(ControlFailure(.sessionNotFound, "")))
            #expect(try client.request(.deleteSession(SessionReference(session: "c-1")))
                == .failure(ControlFailure(.sessionNotFound, "")))
            #expect(try client.request(.listSessions) == .success(.listed(SessionList(sessions: []))))
        }
    }

    @Test("ports-exhausted mid-way releases the streams already added, before the refusal is sent")
    func allOrNothing() throws {
        try Self.withPlane(base: 14_020) { plane in
            let client = try ControlClient(path: plane.path, hello: MediaControlServerTests.signal)
            let five = SessionSpec(session: "big", streams: (0..<5).map { Self.stream($0) })
            guard case .failure(let failure) = try client.request(.createSession(five)) else {
                Issue.record("five streams fit in four port pairs")
                return
            }
            #expect(failure.code == .portsExhausted && failure.message.contains("stream 4"))
            // All four pairs are free again the moment the refusal arrived.
            let four = SessionSpec(session: "big", streams: (0..<4).map { Self.stream($0) })
            guard case .success(.created(let allocation)) = try client.request(.createSession(four)) else {
                Issue.record("the refused create kept ports")
                return
            }
            #expect(Set(allocation.streams.map(\.a.rtpPort)).count == 4)
            #expect(try client.request(.createSession(SessionSpec(session: "more", streams: [Self.stream(0)])))
                == .failure(ControlFailure(.portsExhausted, "")))
            _ = try client.request(.deleteSession(SessionReference(session: "big")))
            // The ports are free once the delete is answered, but a port stays bound while any
            // process holds a copy of its socket: a child another test spawns at that moment
            // has one from fork until its exec closes it (CLOEXEC). So a refusal is retried
            // for a bounded while; a pool that kept the ports refuses every time.
            var recreated = try client.request(.createSession(four))
            for _ in 0..<20 {
                guard case .failure(let refusal) = recreated, refusal.code == .portsExhausted else { break }
                Thread.sleep(forTimeInterval: 0.05)
                recreated = try client.request(.createSession(four))
            }
            guard case .success(.created) = recreated else {
                Issue.record("delete did not free the ports: \(recreated)")
                return
            }
        }
    }

    @Test("unknown SRTP suites, bad SRTP keys, IPv6 remotes, unknown interfaces and repeated indices are refused as invalid-spec")
    func refusals() throws {
        try Self.withPlane(base: 14_040) { plane in
            let client = try ControlClient(path: plane.path, hello: MediaControlServerTests.signal)
            let unknownSuite = SessionSpec(session: "s", streams: [Self.stream(0, profile: .srtp(
                suite: "AES_CM_129_HMAC_SHA1_80", localKey: nil, remoteKey: nil))])
            guard case .failure(let refusal) = try client.request(.createSession(unknownSuite)) else {
                Issue.record("unknown suite accepted")
                return
            }
            #expect(refusal.code == .invalidSpec && refusal.message.contains("unknown SRTP suite AES_CM_129_HMAC_SHA1_80"))
            // 16 bytes where 30 are needed, and text that is not base64: refused, the key not echoed.
            let short = "AAECAwQFBgcICQoLDA0ODw=="
            for (profile, words) in [(LegProfile.srtp(suite: "AES_CM_128_HMAC_SHA1_80", localKey: short, remoteKey: nil),
                                      "localKey holds 16 bytes"),
                                     (LegProfile.srtp(suite: "AEAD_AES_128_GCM", localKey: nil, remoteKey: "not base64!"),
                                      "remoteKey is not padded base64")] {
                guard case .failure(let bad) = try client.request(.createSession(SessionSpec(
                    session: "s", streams: [Self.stream(0, profile: profile)]))) else {
                    Issue.record("bad key accepted")
                    return
                }
                #expect(bad.code == .invalidSpec && bad.message.contains(words) && !bad.message.contains(short))
            }
            var v6 = Self.stream(0)
            v6.b.remote = Endpoint(address: "2001:db8::1", port: 4000)
            var elsewhere = Self.stream(0)
            elsewhere.a.interface = "nowhere"
            for streams in [[v6], [elsewhere], [Self.stream(0), Self.stream(0)]] {
                #expect(try client.request(.createSession(SessionSpec(session: "s", streams: streams)))
                    == .failure(ControlFailure(.invalidSpec, "")))
            }
            #expect(try client.request(.updateSession(SessionSpec(session: "s", streams: [Self.stream(0)])))
                == .failure(ControlFailure(.sessionNotFound, "")))
            // Nothing was allocated by any refusal: all four pairs are still there.
            guard case .success(.created) = try client.request(.createSession(
                SessionSpec(session: "s", streams: (0..<4).map { Self.stream($0) }))) else {
                Issue.record("a refusal kept ports")
                return
            }
        }
    }

    @Test("update keeps the ports of kept streams, adds new ones and removes absent ones")
    func update() throws {
        try Self.withPlane(base: 14_060) { plane in
            let client = try ControlClient(path: plane.path, hello: MediaControlServerTests.signal)
            guard case .success(.created(let before)) = try client.request(.createSession(
                SessionSpec(session: "u", streams: [Self.stream(0), Self.stream(1)]))) else {
                Issue.record("create refused")
                return
            }
            var held = Self.stream(0, remoteB: 11)
            held.a.direction = .sendonly
            guard case .success(.updated(let after)) = try client.request(.updateSession(
                SessionSpec(session: "u", streams: [held, Self.stream(2)]))) else {
                Issue.record("update refused")
                return
            }
            #expect(after.streams.map(\.index) == [0, 2])
            #expect(after.streams[0] == before.streams[0], "a kept stream keeps its ports")
            var moved = held
            moved.a.interface = "core"
            #expect(try client.request(.updateSession(SessionSpec(session: "u", streams: [moved])))
                == .failure(ControlFailure(.invalidSpec, "")))
            guard case .success(.queried(let figures)) = try client.request(.querySession(SessionReference(session: "u")))
            else {
                Issue.record("query not answered")
                return
            }
            #expect(figures.streams.map(\.index) == [0, 2])
        }
    }

    @Test("a silent stream times out on both legs as events; a stream on hold waits for the hold limit")
    func timeouts() throws {
        try Self.withPlane(base: 14_080, timeouts: TimeoutPolicy(active: .milliseconds(200), onHold: .seconds(600))) { plane in
            let client = try ControlClient(path: plane.path, hello: MediaControlServerTests.signal)
            var held = Self.stream(1)
            held.b.direction = .inactive
            guard case .success(.created) = try client.request(.createSession(
                SessionSpec(session: "quiet", streams: [Self.stream(0), held]))) else {
                Issue.record("create refused")
                return
            }
            // Within the connection's 5 s receive timeout: housekeeping runs every 100 ms.
            var timedOut: [MediaEvent] = []
            for _ in 0..<2 { timedOut.append(try client.nextEvent()) }
            for (event, leg) in zip(timedOut, [LegName.a, .b]) {
                guard case .streamTimedOut(let session, let stream, let reported, let idle) = event else {
                    Issue.record("not a timeout: \(event)")
                    continue
                }
                #expect(session == "quiet" && stream == 0 && reported == leg && idle >= 0.2)
            }
            // The held stream (index 1) is not reported: a round trip later, still only stream 0.
            _ = try client.request(.listSessions)
            #expect(client.events.allSatisfy { if case .streamTimedOut(_, 1, _, _) = $0 { false } else { true } })
        }
    }
}
