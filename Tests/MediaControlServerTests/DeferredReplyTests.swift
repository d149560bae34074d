import Foundation
import Logging
import MediaControlProtocol
import MediaControlServer
import PosixSupport
import Testing

/// The server's general hook: a watched descriptor whose callback completes requests answered
/// `.later` and broadcasts events. A pipe stands in for the engine's eventfd.
@Suite("Deferred replies")
struct DeferredReplyTests {
    /// Tickets handed out by the responder, read by the test; the pipe is the watched fd.
    final class Harness: @unchecked Sendable {
        let lock = NSLock()
        var tickets: [DeferredReply] = []
        var executions = 0
        var outputs: [ControlOutput] = []
        let readFD: Int32
        let writeFD: Int32

        init() {
            var fds: [Int32] = [-1, -1]
            _ = pipe(&fds)
            readFD = fds[0]
            writeFD = fds[1]
        }

        deinit {
            close(readFD)
            close(writeFD)
        }

        /// Makes the control thread run the callback, which hands out `outputs`.
        func fire(_ outputs: [ControlOutput]) {
            lock.withLock { self.outputs = outputs }
            var byte: UInt8 = 1
            _ = write(writeFD, &byte, 1)
        }

        func waitForTickets(_ count: Int) -> [DeferredReply] {
            for _ in 0..<400 {
                let seen = lock.withLock { tickets }
                if seen.count >= count { return seen }
                usleep(5_000)
            }
            return lock.withLock { tickets }
        }
    }

    @Test("a deferred create is answered when the watch completes it, cached, and joined by a retransmission")
    func deferredCreate() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/media.sock"
        let harness = Harness()
        let watch = ControlWatch(fd: harness.readFD) {
            var byte: UInt8 = 0
            _ = read(harness.readFD, &byte, 1)
            return harness.lock.withLock { harness.outputs }
        }
        let server = MediaControlServer(socketPath: path, identity: MediaControlServerTests.media,
                                        logger: Logger(label: "test"), watch: watch) { _, ticket in
            harness.lock.withLock {
                harness.executions += 1
                harness.tickets.append(ticket)
            }
            return .later
        }
        try server.start()
        defer { server.stop() }
        let first = try ControlClient(path: path, hello: MediaControlServerTests.signal)
        let second = try ControlClient(path: path, hello: MediaControlServerTests.signal)
        let create = ControlRequest(id: 40, .createSession(SessionSpec(session: "c-9", streams: [])))
        try first.connection.send(ControlCodec.encode(.request(create)))
        let ticket = try #require(harness.waitForTickets(1).first)
        // Resent on another connection before the answer: it waits for the same execution.
        try second.connection.send(ControlCodec.encode(.request(create)))
        // A ping on the second connection proves the resend was read before the answer goes out.
        guard case .success(.pong) = try second.request(ControlRequest(id: 41, .ping)) else {
            Issue.record("ping not answered while a request waits")
            return
        }
        let allocation = SessionAllocation(session: "c-9", streams: [])
        let timedOut = MediaEvent.streamTimedOut(session: "c-9", stream: 0, leg: .a, idleSeconds: 60)
        harness.fire([.event(timedOut), .reply(ticket, .success(.created(allocation)))])
        #expect(try first.receiveReply() == .reply(.success(id: 40, .created(allocation))))
        #expect(try second.receiveReply() == .reply(.success(id: 40, .created(allocation))))
        #expect(first.events == [timedOut] && second.events == [timedOut])
        // After the answer, a retransmission comes from the reply cache.
        #expect(try second.request(create) == .success(.created(allocation)))
        #expect(harness.lock.withLock { harness.executions } == 1)
    }

    @Test("a deferred query is answered later; events reach only handshaken connections")
    func deferredQuery() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/media.sock"
        let harness = Harness()
        let watch = ControlWatch(fd: harness.readFD) {
            var byte: UInt8 = 0
            _ = read(harness.readFD, &byte, 1)
            return harness.lock.withLock { harness.outputs }
        }
        let server = MediaControlServer(socketPath: path, identity: MediaControlServerTests.media,
                                        logger: Logger(label: "test"), watch: watch) { _, ticket in
            harness.lock.withLock { harness.tickets.append(ticket) }
            return .later
        }
        try server.start()
        defer { server.stop() }
        let silent = try FrameClient(path: path, timeoutSeconds: 1)
        let client = try ControlClient(path: path, hello: MediaControlServerTests.signal)
        try client.connection.send(ControlCodec.encode(.request(ControlRequest(id: 7, .querySession(
            SessionReference(session: "c-1"))))))
        let ticket = try #require(harness.waitForTickets(1).first)
        let figures = SessionStatistics(session: "c-1", created: 1, streams: [])
        let latched = MediaEvent.latched(session: "c-1", stream: 0, leg: .b,
                                         from: Endpoint(address: "192.0.2.1", port: 4000), reason: "learned")
        harness.fire([.reply(ticket, .success(.queried(figures))), .event(latched)])
        #expect(try client.receiveReply() == .reply(.success(id: 7, .queried(figures))))
        #expect(try client.nextEvent() == latched)
        // The connection without hello gets nothing: its first frame is the refusal of its request.
        #expect(try ControlCodec.decode(silent.exchange(ControlCodec.encode(.request(ControlRequest(id: 1, .ping)))))
            == .reply(.failure(id: 1, ControlFailure(.handshakeRequired, ""))))
    }
}
