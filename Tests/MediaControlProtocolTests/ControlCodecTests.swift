import Foundation
import MediaControlProtocol
import Testing

/// Wire fixtures: one file per message of protocol version 1, committed and never edited —
/// only added — so an old palisade-signal and a new palisade-media can be tested together.
/// PALISADE_REGENERATE=1 writes missing fixtures (it never overwrites one).
@Suite("Media control protocol v1 wire fixtures")
struct ControlCodecTests {
    static let hello = Hello(protocolVersion: 1, software: "0.1.0", pid: 4242, role: "palisade-signal")
    static let mediaHello = Hello(protocolVersion: 1, software: "0.1.0", pid: 4343, role: "palisade-media")

    static let cases: [(String, ControlMessage)] = [
        ("hello-request", .request(ControlRequest(id: 0, .hello(hello)))),
        ("hello-reply", .reply(.success(id: 0, .hello(mediaHello)))),
        ("hello-version-mismatch", .reply(.failure(id: 0, ControlFailure(
            .versionMismatch,
            "protocol version mismatch: palisade-signal 9.0.0 speaks version 2, palisade-media 0.1.0 speaks version 1")))),
        ("ping-request", .request(ControlRequest(id: 7, .ping))),
        ("ping-reply", .reply(.success(id: 7, .pong(Pong(time: 1_700_000_000.5))))),
        ("status-request", .request(ControlRequest(id: 8, .status))),
        ("status-reply", .reply(.success(id: 8, .status(MediaStatus(
            software: "0.1.0", pid: 4343, startTime: 1_700_000_000.25, uptimeSeconds: 12.5, workers: 2, sessions: 3))))),
        // Added with per-worker packet figures; "status-reply" above (without them) still decodes.
        ("status-reply-workers", .reply(.success(id: 10, .status(MediaStatus(
            software: "0.1.0", pid: 4343, startTime: 1_700_000_000.25, uptimeSeconds: 12.5, workers: 2, sessions: 3,
            workerPackets: [
                WorkerPackets(worker: 0, streams: 2, receivedPackets: 150_000, relayedPackets: 149_990,
                              droppedPackets: 10, relayedPerSecond: 12_000.5, rateIntervalSeconds: 12.5),
                WorkerPackets(worker: 1, streams: 1, receivedPackets: 0, relayedPackets: 0, droppedPackets: 0,
                              relayedPerSecond: 0, rateIntervalSeconds: 12.5),
            ]))))),
        ("process-metrics-request", .request(ControlRequest(id: 9, .processMetrics))),
        // Added with bytes in and out per worker; the fixtures without them still decode.
        ("process-metrics-reply-bytes", .reply(.success(id: 11, .processMetrics(ProcessFigures(
            startTimeSeconds: 1_700_000_000.25, residentMemoryBytes: 18_714_624, virtualMemoryBytes: 407_658_496,
            openFileDescriptors: 14, maxFileDescriptors: 1024, cpuSecondsTotal: 0.75, relayWorkers: [
                RelayWorkerFigures(worker: 0, streams: 2, receivedPackets: 1510, relayedPackets: 1500, drops: [:],
                                   receivedBytes: 259_720, relayedBytes: 273_000),
            ]))))),
        ("ban-source-request", .request(ControlRequest(id: 30, .banSource(
            SourceBan(address: "203.0.113.66", seconds: 300, reason: "auth-failure throttle"))))),
        ("ban-source-reply", .reply(.success(id: 30, .banned(
            SourceBan(address: "203.0.113.66", seconds: 300, reason: "auth-failure throttle"))))),
        ("firewall-disabled", .reply(.failure(id: 31, ControlFailure(
            .firewallDisabled, "media.firewall is off: palisade-media does not program nftables")))),
        ("process-metrics-reply", .reply(.success(id: 9, .processMetrics(ProcessFigures(
            startTimeSeconds: 1_700_000_000.25, residentMemoryBytes: 18_714_624, virtualMemoryBytes: 407_658_496,
            openFileDescriptors: 14, maxFileDescriptors: 1024, cpuSecondsTotal: 0.75))))),
        ("process-metrics-reply-relay", .reply(.success(id: 10, .processMetrics(ProcessFigures(
            startTimeSeconds: 1_700_000_000.25, residentMemoryBytes: 18_714_624, virtualMemoryBytes: 407_658_496,
            openFileDescriptors: 14, maxFileDescriptors: 1024, cpuSecondsTotal: 0.75, relayWorkers: [
                RelayWorkerFigures(worker: 0, streams: 2, receivedPackets: 1510, relayedPackets: 1500, drops: [
                    "auth-failure": 7, "replay": 1, "unknown-source": 2, "malformed": 0, "no-route": 0,
                    "send-failure": 0]),
                RelayWorkerFigures(worker: 1, streams: 0, receivedPackets: 0, relayedPackets: 0, drops: [:]),
            ]))))),
        // Added with each media interface's port pool; the fixtures above (without it) still decode.
        ("process-metrics-reply-port-pools", .reply(.success(id: 11, .processMetrics(ProcessFigures(
            startTimeSeconds: 1_700_000_000.25, residentMemoryBytes: 18_714_624, virtualMemoryBytes: 407_658_496,
            openFileDescriptors: 14, maxFileDescriptors: 1024, cpuSecondsTotal: 0.75, relayWorkers: [],
            portPools: [PortPoolFigures(interface: "access", pairsInUse: 3, pairsTotal: 500),
                        PortPoolFigures(interface: "core", pairsInUse: 3, pairsTotal: 500)]))))),
        ("create-session-request", .request(ControlRequest(id: 20, .createSession(spec)))),
        ("create-session-reply", .reply(.success(id: 20, .created(allocation)))),
        ("update-session-request", .request(ControlRequest(id: 21, .updateSession(held)))),
        ("update-session-reply", .reply(.success(id: 21, .updated(allocation)))),
        ("delete-session-request", .request(ControlRequest(id: 22, .deleteSession(SessionReference(session: "c-1"))))),
        ("delete-session-reply", .reply(.success(id: 22, .deleted(statistics)))),
        ("query-session-request", .request(ControlRequest(id: 23, .querySession(SessionReference(session: "c-1"))))),
        ("query-session-reply", .reply(.success(id: 23, .queried(statistics)))),
        ("list-sessions-request", .request(ControlRequest(id: 24, .listSessions))),
        ("list-sessions-reply", .reply(.success(id: 24, .listed(SessionList(sessions: [statistics]))))),
        // Added with each stream's local addresses (keys left out); "list-sessions-reply" above still decodes.
        ("list-sessions-reply-local", .reply(.success(id: 26, .listed(SessionList(sessions: [localStatistics]))))),
        ("ports-exhausted", .reply(.failure(id: 25, ControlFailure(
            .portsExhausted, "interface access: no free port pair in 30000...30009")))),
        ("id-reused", .reply(.failure(id: 20, ControlFailure(
            .idReused, "request id 20 was already used for a different request")))),
        ("event-stream-timeout", .event(.streamTimedOut(session: "c-1", stream: 0, leg: .a, idleSeconds: 30))),
        ("event-latched", .event(.latched(session: "c-1", stream: 0, leg: .a,
                                          from: Endpoint(address: "203.0.113.7", port: 40002),
                                          reason: "first authenticated packet"))),
        ("event-srtp-failures", .event(.srtpFailures(session: "c-1", stream: 0, leg: .b, count: 100))),
        ("handshake-required", .reply(.failure(id: 5, ControlFailure(.handshakeRequired, "send hello first")))),
        ("unknown-command", .reply(.failure(id: 6, ControlFailure(.unknownCommand, "unknown command 'reboot'")))),
    ]

    /// An SRTP phone on access (palisade-media picks the key it offers), a UDP PBX on core.
    static let spec = SessionSpec(session: "c-1", streams: [StreamSpec(
        index: 0,
        a: LegSpec(interface: "access", rtcpMux: true, remote: Endpoint(address: "203.0.113.7", port: 40000),
                   profile: .srtp(suite: "AES_CM_128_HMAC_SHA1_80", localKey: nil,
                                  remoteKey: "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz")),
        b: LegSpec(interface: "core", rtcpMux: false, remote: Endpoint(address: "198.51.100.20", port: 20000),
                   remoteRTCP: Endpoint(address: "198.51.100.20", port: 20001), profile: .rtp,
                   strictSource: true))])
    static var held: SessionSpec {
        var spec = spec
        spec.streams[0].a.direction = .sendonly
        spec.streams[0].b.direction = .recvonly
        spec.streams[0].a.profile = .srtp(suite: "AES_CM_128_HMAC_SHA1_80",
                                          localKey: "d0RmdmcmVCNJVkFfM2Q4JE5FTzJtRyZ2Zzh0dGRN",
                                          remoteKey: "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz")
        return spec
    }
    static let allocation = SessionAllocation(session: "c-1", streams: [StreamAllocation(
        index: 0,
        a: LegAllocation(interface: "access", address: "192.0.2.10", rtpPort: 30000, rtcpPort: 30000,
                         suite: "AES_CM_128_HMAC_SHA1_80", localKey: "d0RmdmcmVCNJVkFfM2Q4JE5FTzJtRyZ2Zzh0dGRN"),
        b: LegAllocation(interface: "core", address: "198.51.100.1", rtpPort: 31000, rtcpPort: 31001))])
    static let statistics = SessionStatistics(session: "c-1", created: 1_700_000_000, streams: [StreamStatistics(
        index: 0,
        a: LegStatistics(packets: 1500, bytes: 258_000, drops: ["auth-failure": 2, "unknown-source": 1], lost: 3,
                         jitterMilliseconds: 1.25, lastPacketTime: 1_700_000_030.5,
                         latched: Endpoint(address: "203.0.113.7", port: 40002), latchReason: "first authenticated packet"),
        b: LegStatistics(packets: 1498, bytes: 257_656, drops: [:], lost: 0, jitterMilliseconds: 0.5,
                         lastPacketTime: 1_700_000_030.49, latched: Endpoint(address: "198.51.100.20", port: 20000),
                         latchReason: "signalled address (strict)"))])

    static var localStatistics: SessionStatistics {
        var figures = statistics
        var local = allocation.streams[0]
        local.a.localKey = nil
        figures.local = [local]
        figures.workers = [1]
        return figures
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/v1")

    @Test("every v1 message matches its fixture byte for byte, both ways", arguments: cases.map(\.0))
    func fixture(name: String) throws {
        let message = try #require(Self.cases.first { $0.0 == name }?.1)
        let url = Self.directory.appendingPathComponent("\(name).json")
        let encoded = ControlCodec.encode(message)
        if !FileManager.default.fileExists(atPath: url.path),
           ProcessInfo.processInfo.environment["PALISADE_REGENERATE"] == "1" {
            try Data(encoded + [0x0A]).write(to: url)
        }
        let stored = try [UInt8](Data(contentsOf: url))
        let body = Array(stored.last == 0x0A ? stored.dropLast() : stored[...])
        #expect(String(decoding: encoded, as: UTF8.self) == String(decoding: body, as: UTF8.self))
        #expect(try ControlCodec.decode(body) == message)
    }

    @Test("every fixture file is covered by a case")
    func noOrphans() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        #expect(Set(files) == Set(Self.cases.map(\.0)))
    }

    @Test("an unknown command keeps its id so it can be answered")
    func unknownCommand() {
        #expect(throws: ControlCodec.DecodingFailure(id: 12, failure: ControlFailure(.unknownCommand, ""))) {
            try ControlCodec.decode(Array(#"{"kind":"request","id":12,"command":"reboot"}"#.utf8))
        }
    }

    @Test("garbage, a missing kind and a missing field are malformed", arguments: [
        "not json", #"{"id":1,"command":"ping"}"#, #"{"kind":"request","id":1,"command":"hello"}"#, "[]",
    ])
    func malformed(text: String) {
        #expect(throws: ControlCodec.DecodingFailure.self) { try ControlCodec.decode(Array(text.utf8)) }
        do {
            _ = try ControlCodec.decode(Array(text.utf8))
        } catch {
            #expect(error.failure.code == .malformed)
        }
    }

    @Test("handshake: equal versions agree; a mismatch names both versions")
    func handshake() throws {
        #expect(try Handshake.answer(Self.hello, server: Self.mediaHello).get() == Self.mediaHello)
        var newer = Self.hello
        newer.protocolVersion = 2
        guard case .failure(let failure) = Handshake.answer(newer, server: Self.mediaHello) else {
            Issue.record("a version mismatch was accepted")
            return
        }
        #expect(failure.code == .versionMismatch)
        #expect(failure.message.contains("speaks version 2"))
        #expect(failure.message.contains("speaks version 1"))
    }
}
