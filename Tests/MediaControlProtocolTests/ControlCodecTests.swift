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
        ("process-metrics-request", .request(ControlRequest(id: 9, .processMetrics))),
        ("process-metrics-reply", .reply(.success(id: 9, .processMetrics(ProcessFigures(
            startTimeSeconds: 1_700_000_000.25, residentMemoryBytes: 18_714_624, virtualMemoryBytes: 407_658_496,
            openFileDescriptors: 14, maxFileDescriptors: 1024, cpuSecondsTotal: 0.75))))),
        ("handshake-required", .reply(.failure(id: 5, ControlFailure(.handshakeRequired, "send hello first")))),
        ("unknown-command", .reply(.failure(id: 6, ControlFailure(.unknownCommand, "unknown command 'reboot'")))),
    ]

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
