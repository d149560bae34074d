import Foundation
import MediaControlProtocol
import PosixSupport
import SRTP
import Testing
import TestSupport

/// The built palisade-media relaying plain RTP on loopback, driven over its control socket as
/// palisade-signal would. Each test has its own port ranges (one pair per interface, so
/// exhaustion and reuse are visible) and its own sockets.
@Suite("Media plane end to end")
struct MediaEndToEndTests {
    static let signal = Hello(software: "0.1.0", pid: 2, role: "palisade-signal")

    /// palisade-media on a configuration of its own; "access" holds ports base...base+1,
    /// "core" base+2...base+3.
    struct Media {
        let directory: TemporaryDirectory
        let daemon: Daemon
        var control: String { directory.path + "/media.sock" }

        /// `namespace`: run inside that network namespace (`ip netns exec`), with `media.firewall`
        /// on — the only way a test lets palisade-media program nftables.
        static func start(base: Int, workers: Int = 2, namespace: String? = nil) throws -> Media {
            let directory = try TemporaryDirectory(prefix: "palisade-media-e2e")
            let config = try directory.file("palisade.toml", contents: """
                [log]
                level = "debug"

                [media]
                control_socket = "\(directory.path)/media.sock"
                workers = \(workers)
                firewall = \(namespace != nil)

                [[realm]]
                name = "access"

                [[realm.listener]]
                transport = "udp"
                listen = "127.0.0.1:0"

                [realm.media]
                address = "127.0.0.1"
                advertise = "203.0.113.9"
                port_min = \(base)
                port_max = \(base + 1)

                [[realm]]
                name = "core"

                [[realm.listener]]
                transport = "udp"
                listen = "127.0.0.1:0"

                [realm.media]
                address = "127.0.0.1"
                port_min = \(base + 2)
                port_max = \(base + 3)

                """)
            let log = directory.path + "/media.log"
            let daemon = if let namespace {
                try Daemon(executable: "/usr/sbin/ip", ["netns", "exec", namespace, try Products.path("palisade-media"),
                                                        "--config", config], logPath: log)
            } else {
                try Daemon("palisade-media", ["--config", config], logPath: log)
            }
            return Media(directory: directory, daemon: daemon)
        }

        /// Runs `body` with palisade-media up, and stops it (SIGTERM, then SIGKILL) whatever happens,
        /// so no daemon outlives the test holding its ports.
        static func with(base: Int, workers: Int = 2, _ body: (Media) async throws -> Void) async throws {
            let media = try start(base: base, workers: workers)
            do {
                try await body(media)
            } catch {
                await media.daemon.stop()
                throw error
            }
            await media.daemon.stop()
        }

        /// A handshaken control connection, once the socket accepts.
        func connect() async throws -> MediaClient {
            let client = await eventually(seconds: 10) { try? MediaClient(path: control) }
            return try #require(client, "palisade-media never opened its control socket\n\(daemon.log)")
        }
    }

    @Test("RTP is relayed both ways; query shows counts and latches; delete frees the ports; retransmission and exhaustion")
    func relay() async throws {
        try await Media.with(base: 14_100) { media in try await relay(media) }
    }

    func relay(_ media: Media) async throws {
        let control = try await media.connect()
        // Without media.firewall there is no ban set: a ban is refused, clearly.
        let ban = try control.request(.banSource(SourceBan(address: "192.0.2.66", seconds: 60, reason: "test")))
        #expect(ban == .failure(ControlFailure(.firewallDisabled, "")), "\(ban)")
        let phone = try LoopbackUDP()
        let pbx = try LoopbackUDP()
        let spec = SessionSpec(session: "call-1", streams: [StreamSpec(
            index: 0,
            a: LegSpec(interface: "access", rtcpMux: true, remote: nil, profile: .rtp),
            b: LegSpec(interface: "core", rtcpMux: true, remote: Endpoint(address: "127.0.0.1", port: Int(pbx.port)),
                       profile: .rtp))])
        let create = ControlRequest(id: 100, .createSession(spec))
        let createBytes = ControlCodec.encode(.request(create))
        let replyBytes = try control.exchangeRaw(createBytes)
        guard case .reply(let reply) = try ControlCodec.decode(replyBytes),
              case .success(.created(let allocation)) = reply.result else {
            Issue.record("create refused: \(String(decoding: replyBytes, as: UTF8.self))\n\(media.daemon.log)")
            return
        }
        let legs = allocation.streams[0]
        #expect(legs.a.address == "203.0.113.9" && legs.b.address == "127.0.0.1")
        #expect(legs.a.rtpPort == 14_100 && legs.b.rtpPort == 14_102)

        // A retransmission (same id, same bytes) comes from the reply cache: the same bytes,
        // and nothing allocated twice (a second execution would be refused: the pairs are taken).
        #expect(try control.exchangeRaw(createBytes) == replyBytes)

        for sequence in 0..<5 {
            let packet = Self.rtp(sequence: UInt16(sequence), ssrc: 0x1111, payload: "to the pbx \(sequence)")
            try phone.send(packet, toPort: UInt16(legs.a.rtpPort))
            let received = try #require(await pbx.receive(seconds: 2),
                                        "leg B's peer got nothing\n\(media.daemon.log)")
            #expect(received.bytes == packet, "payload relayed unchanged")
            #expect(received.fromPort == UInt16(legs.b.rtpPort), "sent from leg B's own port (symmetric RTP)")
        }
        for sequence in 0..<3 {
            let packet = Self.rtp(sequence: UInt16(sequence), ssrc: 0x2222, payload: "to the phone \(sequence)")
            try pbx.send(packet, toPort: UInt16(legs.b.rtpPort))
            let received = try #require(await phone.receive(seconds: 2), "leg A's peer got nothing\n\(media.daemon.log)")
            #expect(received.bytes == packet)
            #expect(received.fromPort == UInt16(legs.a.rtpPort))
        }

        guard case .success(.queried(let figures)) = try control.request(.querySession(SessionReference(session: "call-1")))
        else {
            Issue.record("query not answered\n\(media.daemon.log)")
            return
        }
        let stream = try #require(figures.streams.first)
        #expect(stream.a.packets == 5 && stream.b.packets == 3)
        #expect(stream.a.latched == Endpoint(address: "127.0.0.1", port: Int(phone.port)))
        #expect(stream.a.latchReason == "learned-from-first-packet")
        #expect(stream.b.latched == Endpoint(address: "127.0.0.1", port: Int(pbx.port)))
        #expect(stream.b.latchReason == "matched-signalled")
        #expect(stream.a.lastPacketTime != nil)
        let latchEvents = control.events.filter { if case .latched = $0 { true } else { false } }
        #expect(latchEvents.contains(.latched(session: "call-1", stream: 0, leg: .a,
                                              from: Endpoint(address: "127.0.0.1", port: Int(phone.port)),
                                              reason: "learned-from-first-packet")),
                "latched events: \(control.events)")

        guard case .success(.status(let status)) = try control.request(.status) else {
            Issue.record("status not answered")
            return
        }
        #expect(status.workers == 2 && status.sessions == 1)
        // Per-worker figures: the 8 packets relayed above, by whichever worker holds the stream.
        // Workers publish their totals once per loop turn, so allow them a moment.
        var workerPackets = status.workerPackets ?? []
        for _ in 0..<50 where workerPackets.reduce(0, { $0 + $1.relayedPackets }) < 8 {
            usleep(20_000)
            guard case .success(.status(let again)) = try control.request(.status) else { break }
            workerPackets = again.workerPackets ?? []
        }
        #expect(workerPackets.map(\.worker) == [0, 1])
        #expect(workerPackets.reduce(0) { $0 + $1.relayedPackets } == 8)
        #expect(workerPackets.reduce(0) { $0 + $1.receivedPackets } == 8)
        #expect(workerPackets.reduce(0) { $0 + $1.streams } == 1)
        #expect(workerPackets.allSatisfy { $0.relayedPerSecond >= 0 && $0.rateIntervalSeconds > 0 })

        #expect(try control.request(.createSession(SessionSpec(session: "call-2", streams: spec.streams)))
            == .failure(ControlFailure(.portsExhausted, "")))

        guard case .success(.deleted(let final)) = try control.request(.deleteSession(SessionReference(session: "call-1")))
        else {
            Issue.record("delete not answered\n\(media.daemon.log)")
            return
        }
        #expect(final.streams.first?.a.packets == 5 && final.streams.first?.b.packets == 3)
        // The one pair per interface is free again.
        guard case .success(.created(let again)) = try control.request(.createSession(
            SessionSpec(session: "call-2", streams: spec.streams))) else {
            Issue.record("the deleted session's ports were not freed\n\(media.daemon.log)")
            return
        }
        #expect(again.streams.first?.a.rtpPort == 14_100 && again.streams.first?.b.rtpPort == 14_102)
        guard case .success(.status(let after)) = try control.request(.status) else { return }
        #expect(after.sessions == 1)
        guard case .success(.deleted) = try control.request(.deleteSession(SessionReference(session: "call-2"))) else {
            Issue.record("second delete not answered")
            return
        }
    }

    @Test("SRTP ↔ RTP through the daemon: the generated key comes back and opens what the phone gets; drops reach process-metrics")
    func srtp() async throws {
        try await Media.with(base: 14_110, workers: 1) { media in try await srtp(media) }
    }

    func srtp(_ media: Media) async throws {
        let control = try await media.connect()
        let phone = try LoopbackUDP()
        let pbx = try LoopbackUDP()
        let phoneKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
        let spec = SessionSpec(session: "call-s", streams: [StreamSpec(
            index: 0,
            a: LegSpec(interface: "access", rtcpMux: true, remote: nil,
                       profile: .srtp(suite: "AES_CM_128_HMAC_SHA1_80", localKey: nil,
                                      remoteKey: phoneKey.sdesInlineKeySalt)),
            b: LegSpec(interface: "core", rtcpMux: true, remote: Endpoint(address: "127.0.0.1", port: Int(pbx.port)),
                       profile: .rtp))])
        guard case .success(.created(let allocation)) = try control.request(.createSession(spec)) else {
            Issue.record("SRTP refused\n\(media.daemon.log)")
            return
        }
        let legs = allocation.streams[0]
        #expect(legs.a.suite == "AES_CM_128_HMAC_SHA1_80" && legs.b.suite == nil)
        let palisadeKey = try SRTPMasterKey(suite: .aesCM128HmacSHA1_80,
                                            sdesInlineKeySalt: try #require(legs.a.localKey))
        let phoneSends = try SRTPContext(key: phoneKey, direction: .outbound)
        let phoneReceives = try SRTPContext(key: palisadeKey, direction: .inbound)

        for sequence in 0..<3 {
            let packet = Self.rtp(sequence: UInt16(sequence), ssrc: 0x5555, payload: "secret \(sequence)")
            try phone.send(try phoneSends.protected(packet), toPort: UInt16(legs.a.rtpPort))
            let received = try #require(await pbx.receive(seconds: 2), "the PBX got nothing\n\(media.daemon.log)")
            #expect(received.bytes == packet, "decrypted and verified before it reached the RTP leg")
            let answer = Self.rtp(sequence: UInt16(sequence), ssrc: 0x6666, payload: "reply \(sequence)")
            try pbx.send(answer, toPort: UInt16(legs.b.rtpPort))
            let back = try #require(await phone.receive(seconds: 2), "the phone got nothing\n\(media.daemon.log)")
            #expect(back.bytes != answer, "encrypted towards the SRTP leg")
            #expect(phoneReceives.unprotected(back.bytes) == answer)
        }
        // The same packet again is a replay: dropped and counted, not relayed.
        let replayed = try phoneSends.protected(Self.rtp(sequence: 9, ssrc: 0x5555, payload: "once"))
        try phone.send(replayed, toPort: UInt16(legs.a.rtpPort))
        _ = try #require(await pbx.receive(seconds: 2))
        try phone.send(replayed, toPort: UInt16(legs.a.rtpPort))
        #expect(await pbx.receive(seconds: 0.2) == nil)

        guard case .success(.queried(let figures)) = try control.request(.querySession(SessionReference(session: "call-s")))
        else {
            Issue.record("query not answered\n\(media.daemon.log)")
            return
        }
        #expect(figures.streams[0].a.drops["replay"] == 1)
        #expect(figures.streams[0].a.packets == 4)
        var relay: [RelayWorkerFigures] = []
        for _ in 0..<50 {
            guard case .success(.processMetrics(let process)) = try control.request(.processMetrics) else { break }
            relay = process.relayWorkers ?? []
            if relay.reduce(0, { $0 + ($1.drops["replay"] ?? 0) }) == 1 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(relay.count == 1)
        #expect(relay.first?.drops["replay"] == 1 && relay.first?.relayedPackets == 7)
    }


    @Test("a media interface the engine cannot use stops start-up with a clear message")
    func engineStartFailure() async throws {
        let directory = try TemporaryDirectory(prefix: "palisade-media-e2e")
        let config = try directory.file("palisade.toml", contents: """
            [media]
            control_socket = "\(directory.path)/media.sock"

            [[realm]]
            name = "access"

            [[realm.listener]]
            transport = "udp"
            listen = "127.0.0.1:0"

            [realm.media]
            address = "2001:db8::1"
            port_min = 14120
            port_max = 14121

            """)
        let daemon = try Daemon("palisade-media", ["--config", config], logPath: directory.path + "/media.log")
        let status = await daemon.waitForExit(seconds: 10)
        if status == nil { await daemon.stop() }
        #expect(status == 1, "palisade-media kept running\n\(daemon.log)")
        #expect(daemon.log.contains("cannot start the relay engine")
            && daemon.log.contains("realm access: media address 2001:db8::1 is not IPv4"), "\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/media.sock"))
    }

    /// RFC 3550 §5.1: version 2, no padding, extension or CSRC, payload type 0 (PCMU).
    static func rtp(sequence: UInt16, ssrc: UInt32, payload: String) -> [UInt8] {
        var packet: [UInt8] = [0x80, 0x00, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        let timestamp = UInt32(sequence) * 160
        for value in [timestamp, ssrc] {
            packet += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        return packet + Array(payload.utf8)
    }
}

/// A handshaken control connection: requests with fresh ids; events kept as they arrive.
final class MediaClient {
    let connection: FrameClient
    private(set) var events: [MediaEvent] = []
    private var nextID: UInt64 = 1

    init(path: String) throws {
        connection = try FrameClient(path: path)
        guard case .reply(let reply) = try decodeReply(exchangeRaw(ControlCodec.encode(
            .request(ControlRequest(id: 0, .hello(MediaEndToEndTests.signal)))))),
              case .success = reply.result else {
            throw TestSupportError("hello refused")
        }
    }

    func request(_ body: ControlRequest.Body) throws -> Result<ControlReply.Body, ControlFailure> {
        defer { nextID += 1 }
        guard case .reply(let reply) = try decodeReply(exchangeRaw(ControlCodec.encode(
            .request(ControlRequest(id: nextID, body))))) else {
            throw TestSupportError("no reply")
        }
        return reply.result
    }

    /// Sends a frame and returns the next frame that is not an event.
    func exchangeRaw(_ payload: [UInt8]) throws -> [UInt8] {
        try connection.send(payload)
        while true {
            let frame = try connection.receive()
            if case .event(let event) = try ControlCodec.decode(frame) { events.append(event) } else { return frame }
        }
    }

    private func decodeReply(_ frame: [UInt8]) throws -> ControlMessage { try ControlCodec.decode(frame) }
}

/// A UDP socket with an ephemeral port — on 127.0.0.1 unless told otherwise, and optionally inside
/// a network namespace of the test's — a phone or a PBX sending and receiving RTP. It sends to
/// `peer` (127.0.0.1 unless told otherwise).
final class LoopbackUDP: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    let peer: String

    /// `bindPort`: 0 for an ephemeral one; another to take over a port a peer (sipp) used and left.
    init(address: String = "127.0.0.1", peer: String = "127.0.0.1", bindPort: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(errno)") }
        var sin = Self.address(address, port: bindPort)
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            close(fd)
            throw TestSupportError("bind \(address):\(bindPort): \(errno)")
        }
        self.fd = fd
        self.peer = peer
        port = UInt16(bigEndian: sin.sin_port)
    }

    /// A socket made inside network namespace `namespace` (it stays there whichever thread uses
    /// it): made on a thread of its own that enters the namespace and ends.
    static func inside(namespace: String, address: String, peer: String) async throws -> LoopbackUDP {
        try await offPool {
            let ns = open("/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
            guard ns >= 0 else { throw TestSupportError("open /run/netns/\(namespace): \(errno)") }
            defer { close(ns) }
            guard enterNetworkNamespace(ns, 0x4000_0000) == 0 else { throw TestSupportError("setns \(namespace): \(errno)") }
            return try LoopbackUDP(address: address, peer: peer)
        }
    }

    deinit { close(fd) }

    static func address(_ text: String, port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, text, &address.sin_addr)
        return address
    }

    func send(_ bytes: [UInt8], toPort port: UInt16) throws {
        var target = Self.address(peer, port: port)
        let sent = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, address, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard sent == bytes.count else { throw TestSupportError("sendto \(peer):\(port): \(errno)") }
    }

    /// The next datagram and its source port, or nil when none arrives within `seconds`. Polls
    /// without blocking and sleeps between polls, so that waiting never holds a thread of the
    /// cooperative pool (see `offPool`).
    func receive(seconds: Double) async -> (bytes: [UInt8], fromPort: UInt16)? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, 0) != 1 {
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var source = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = withUnsafeMutablePointer(to: &source) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                buffer.withUnsafeMutableBytes { recvfrom(fd, $0.baseAddress, $0.count, 0, address, &length) }
            }
        }
        guard n >= 0 else { return nil }
        return (Array(buffer[0..<n]), UInt16(bigEndian: source.sin_port))
    }
}

/// setns(2) (CLONE_NEWNET = 0x40000000): Swift's Glibc module does not declare it.
@_silgen_name("setns") private func enterNetworkNamespace(_ fd: Int32, _ nstype: Int32) -> Int32
