import Foundation
import Logging
import MediaControlProtocol
import MediaControlServer
import PosixSupport
import Testing

/// The control thread over a real Unix socket in a temporary directory.
@Suite("Media control server")
struct MediaControlServerTests {
    static let media = Hello(software: "0.1.0", pid: 1, role: "palisade-media")
    static let signal = Hello(software: "0.1.0", pid: 2, role: "palisade-signal")

    static func withServer(_ body: (String) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/media.sock"
        let server = MediaControlServer(socketPath: path, identity: media, logger: Logger(label: "test")) { request in
            switch request.body {
            case .status: .success(.status(MediaStatus(software: "0.1.0", pid: 1, startTime: 10, uptimeSeconds: 1,
                                                        workers: 0, sessions: 0)))
            default: .failure(ControlFailure(.internalError, "not in this test"))
            }
        }
        try server.start()
        defer { server.stop() }
        try body(path)
    }

    static func exchange(_ client: FrameClient, _ message: ControlMessage) throws -> ControlMessage {
        try ControlCodec.decode(client.exchange(ControlCodec.encode(message)))
    }

    @Test("hello, then status and ping are answered")
    func handshakeThenRequests() throws {
        try Self.withServer { path in
            let client = try FrameClient(path: path)
            #expect(try Self.exchange(client, .request(ControlRequest(id: 0, .hello(Self.signal))))
                == .reply(.success(id: 0, .hello(Self.media))))
            guard case .reply(let status) = try Self.exchange(client, .request(ControlRequest(id: 1, .status))),
                  case .success(.status(let body)) = status.result else {
                Issue.record("status not answered")
                return
            }
            #expect(status.id == 1 && body.pid == 1)
            guard case .reply(let pong) = try Self.exchange(client, .request(ControlRequest(id: 2, .ping))),
                  case .success(.pong) = pong.result else {
                Issue.record("ping not answered")
                return
            }
        }
    }

    @Test("a version mismatch is refused naming both versions, and the connection closed")
    func versionMismatch() throws {
        try Self.withServer { path in
            let client = try FrameClient(path: path)
            var newer = Self.signal
            newer.protocolVersion = 2
            guard case .reply(let reply) = try Self.exchange(client, .request(ControlRequest(id: 0, .hello(newer)))),
                  case .failure(let failure) = reply.result else {
                Issue.record("mismatch accepted")
                return
            }
            #expect(failure.code == .versionMismatch)
            #expect(failure.message.contains("version 2") && failure.message.contains("version 1"))
            #expect(throws: UnixSocketError(.closed, path: path, "")) { try client.receive() }
        }
    }

    @Test("requests before hello and garbage are refused; the connection stays usable")
    func refusals() throws {
        try Self.withServer { path in
            let client = try FrameClient(path: path)
            #expect(try Self.exchange(client, .request(ControlRequest(id: 3, .status)))
                == .reply(.failure(id: 3, ControlFailure(.handshakeRequired, ""))))
            let garbage = try ControlCodec.decode(client.exchange(Array("{{{".utf8)))
            #expect(garbage == .reply(.failure(id: 0, ControlFailure(.malformed, ""))))
            let unknown = try ControlCodec.decode(client.exchange(Array(#"{"kind":"request","id":4,"command":"x"}"#.utf8)))
            #expect(unknown == .reply(.failure(id: 4, ControlFailure(.unknownCommand, ""))))
            #expect(try Self.exchange(client, .request(ControlRequest(id: 0, .hello(Self.signal))))
                == .reply(.success(id: 0, .hello(Self.media))))
        }
    }

    @Test("a retransmitted create-session is answered from the reply cache, not executed twice")
    func retransmission() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/media.sock"
        let executions = Counter()
        let allocation = SessionAllocation(session: "c-1", streams: [])
        let server = MediaControlServer(socketPath: path, identity: Self.media, logger: Logger(label: "test")) { _ in
            executions.increment()
            return .success(.created(allocation))
        }
        try server.start()
        defer { server.stop() }
        let first = try FrameClient(path: path)
        _ = try Self.exchange(first, .request(ControlRequest(id: 0, .hello(Self.signal))))
        let create = ControlMessage.request(ControlRequest(id: 30, .createSession(SessionSpec(session: "c-1", streams: []))))
        let reply = try first.exchange(ControlCodec.encode(create))
        // The same request again, even on a new connection (palisade-signal reconnected).
        let second = try FrameClient(path: path)
        _ = try Self.exchange(second, .request(ControlRequest(id: 0, .hello(Self.signal))))
        #expect(try second.exchange(ControlCodec.encode(create)) == reply)
        #expect(executions.value == 1)
        let other = ControlMessage.request(ControlRequest(id: 30, .createSession(SessionSpec(session: "c-2", streams: []))))
        #expect(try Self.exchange(second, other) == .reply(.failure(id: 30, ControlFailure(.idReused, ""))))
        #expect(executions.value == 1)
    }

    @Test("a live socket is refused; a stale one is replaced; stop removes the file")
    func socketPath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/media.sock"
        let first = MediaControlServer(socketPath: path, identity: Self.media, logger: Logger(label: "test")) { _ in
            .failure(ControlFailure(.internalError, ""))
        }
        try first.start()
        #expect(throws: UnixSocketError(.inUse, path: path, "")) { try UnixSocket.prepareListeningPath(path) }
        first.stop()
        #expect(!FileManager.default.fileExists(atPath: path))

        // A socket file nobody listens on, as a crash leaves behind.
        let stale = try UnixSocket.listen(path: path)
        close(stale)
        #expect(try UnixSocket.prepareListeningPath(path) == .replacedStale)

        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        #expect(throws: UnixSocketError(.notASocket, path: path, "")) { try UnixSocket.prepareListeningPath(path) }
    }
}

/// A directory under /tmp (short paths: sun_path holds 107 bytes), removed on deinit.
final class TemporaryDirectory {
    let path: String
    init() throws {
        var template = Array("/tmp/palisade-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Counts calls from the control thread; read by the test thread after a round trip.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
