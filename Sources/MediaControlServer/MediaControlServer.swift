import ControlFraming
import Logging
import MediaControlProtocol
import PosixSupport
#if canImport(Glibc)
import Glibc
#endif

/// Answers the requests that follow a successful hello. Called on the control thread.
public typealias MediaControlResponder = @Sendable (ControlRequest) -> Result<ControlReply.Body, ControlFailure>

/// Names a request whose answer comes later, through `ControlOutput.reply`. Made by the server,
/// unique for the life of the server.
public struct DeferredReply: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "deferred-\(rawValue)" }
}

/// A responder's answer: now, or later (when the work it started reports back on the watched fd).
public enum ControlAnswer: Sendable, Equatable {
    case now(Result<ControlReply.Body, ControlFailure>)
    /// The server keeps the request (and its connection) and sends the reply when a watch
    /// callback returns `.reply` for the ticket the responder was given.
    case later
}

/// What a watch callback asks the control thread to do.
public enum ControlOutput: Sendable, Equatable {
    /// Completes a request answered `.later`. A state-changing request's reply goes into the
    /// reply cache like any other.
    case reply(DeferredReply, Result<ControlReply.Body, ControlFailure>)
    /// Sent to every connection that finished its handshake.
    case event(MediaEvent)
}

/// A responder that may answer later. Called on the control thread with the ticket to use if it does.
public typealias DeferringMediaControlResponder = @Sendable (ControlRequest, DeferredReply) -> ControlAnswer

/// An extra descriptor in the control thread's poll set: when it is readable, `onReadable` runs on
/// the control thread (the same thread as the responder) and returns what to send.
public struct ControlWatch: Sendable {
    public let fd: Int32
    public let onReadable: @Sendable () -> [ControlOutput]

    public init(fd: Int32, onReadable: @escaping @Sendable () -> [ControlOutput]) {
        self.fd = fd
        self.onReadable = onReadable
    }
}

/// The control thread of palisade-media: owns the control socket and every connection on it.
///
/// One pthread runs a `poll` loop over the listening socket, the client connections and a
/// wake-up pipe; `stop()` writes to the pipe and joins. Nothing here blocks the packet workers
/// (which arrive with the relay engine): they will be handed changes through queues.
public final class MediaControlServer: @unchecked Sendable {
    public let socketPath: String
    private let identity: Hello
    private let responder: DeferringMediaControlResponder
    private let watch: ControlWatch?
    private let logger: Logger
    /// Owned by the control thread. Shared by every connection: a request resent by a
    /// reconnected palisade-signal is found whichever connection carried the original.
    private var replies = ReplyCache()
    /// Owned by the control thread: open connections, and requests answered `.later`.
    private var connections: [ControlConnection] = []
    private var pending: [DeferredReply: PendingRequest] = [:]
    /// State-changing requests in `pending`, by request id: a retransmission arriving before the
    /// answer joins the wait instead of executing again.
    private var pendingByID: [UInt64: DeferredReply] = [:]
    private var nextTicket: UInt64 = 1
    // Written by start()/stop() on the caller's thread only; read by the control thread after
    // pthread_create, which orders the writes before the thread's reads.
    private var listenFD: Int32 = -1
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var thread: pthread_t?

    public convenience init(socketPath: String, identity: Hello, logger: Logger,
                            responder: @escaping MediaControlResponder) {
        self.init(socketPath: socketPath, identity: identity, logger: logger, watch: nil) { request, _ in
            .now(responder(request))
        }
    }

    /// `watch`: a descriptor (an engine's eventfd) whose callback completes `.later` answers and
    /// sends events.
    public init(socketPath: String, identity: Hello, logger: Logger, watch: ControlWatch?,
                responder: @escaping DeferringMediaControlResponder) {
        self.socketPath = socketPath
        self.identity = identity
        self.logger = logger
        self.watch = watch
        self.responder = responder
    }

    /// Binds the socket (replacing a stale one, refusing a live one) and starts the control thread.
    public func start() throws(UnixSocketError) {
        if try UnixSocket.prepareListeningPath(socketPath) == .replacedStale {
            logger.warning("removed stale control socket left by an earlier run", metadata: ["path": "\(socketPath)"])
        }
        listenFD = try UnixSocket.listen(path: socketPath)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0, UnixSocket.setNonBlockingCloseOnExec(fds[0]), UnixSocket.setNonBlockingCloseOnExec(fds[1])
        else {
            close(listenFD)
            unlink(socketPath)
            throw UnixSocketError(.systemCall, path: socketPath, "pipe: \(UnixSocket.describe(errno))")
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        var handle = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&handle, nil, { raw in
            let server = Unmanaged<MediaControlServer>.fromOpaque(raw!).takeRetainedValue()
            server.runLoop()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<MediaControlServer>.fromOpaque(context).release()
            throw UnixSocketError(.systemCall, path: socketPath, "pthread_create: \(UnixSocket.describe(created))")
        }
        thread = handle
        logger.info("control socket listening", metadata: ["path": "\(socketPath)"])
    }

    /// Stops the control thread, closes every connection and removes the socket file.
    public func stop() {
        guard let handle = thread else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        pthread_join(handle, nil)
        thread = nil
        close(wakeRead)
        close(wakeWrite)
        unlink(socketPath)
        logger.info("control socket closed", metadata: ["path": "\(socketPath)"])
    }

    private func runLoop() {
        defer {
            for connection in connections { closeConnection(connection) }
            connections.removeAll()
            close(listenFD)
        }
        // Fixed slots first: the wake-up pipe, the listener, the watch (or an fd of -1, which
        // poll ignores); connections after.
        let fixed = 3
        while true {
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: watch?.fd ?? -1, events: Int16(POLLIN), revents: 0)]
            for connection in connections {
                let events = POLLIN | (connection.outbound.isEmpty ? 0 : POLLOUT)
                fds.append(pollfd(fd: connection.fd, events: Int16(events), revents: 0))
            }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.critical("control loop poll failed", metadata: ["error": "\(UnixSocket.describe(errno))"])
                return
            }
            if fds[0].revents != 0 { return }
            // fds[fixed...] line up with `connections` as they were when polled; accept only after.
            let polled = connections
            var closed: Set<Int32> = []
            for (index, connection) in polled.enumerated() {
                let revents = fds[index + fixed].revents
                guard revents != 0 else { continue }
                if !service(connection, revents: revents) { closed.insert(connection.fd) }
            }
            if !closed.isEmpty {
                for connection in connections where closed.contains(connection.fd) { closeConnection(connection) }
                connections.removeAll { closed.contains($0.fd) }
            }
            if let watch, fds[2].revents != 0 { perform(watch.onReadable()) }
            if fds[1].revents & Int16(POLLIN) != 0 { acceptConnections() }
        }
    }

    private func closeConnection(_ connection: ControlConnection) {
        // Deferred replies still name the connection; `isOpen` keeps them off a reused fd number.
        connection.isOpen = false
        close(connection.fd)
    }

    private func perform(_ outputs: [ControlOutput]) {
        for output in outputs {
            switch output {
            case .reply(let ticket, let result):
                guard let request = pending.removeValue(forKey: ticket) else {
                    logger.error("a deferred reply names no waiting request", metadata: ["ticket": "\(ticket)"])
                    continue
                }
                let reply = ControlCodec.encode(.reply(ControlReply(id: request.id, result)))
                if let payload = request.payload {
                    pendingByID[request.id] = nil
                    replies.store(id: request.id, request: payload, reply: reply)
                }
                for connection in request.waiters where connection.isOpen {
                    Frame.encode(reply, into: &connection.outbound)
                    _ = flush(connection)
                }
            case .event(let event):
                let frame = ControlCodec.encode(.event(event))
                for connection in connections where connection.isOpen && connection.peer != nil {
                    Frame.encode(frame, into: &connection.outbound)
                    _ = flush(connection)
                }
            }
        }
    }

    private func acceptConnections() {
        while true {
            let fd = accept(listenFD, nil, nil)
            guard fd >= 0 else { return }
            guard UnixSocket.setNonBlockingCloseOnExec(fd) else {
                close(fd)
                continue
            }
            connections.append(ControlConnection(fd: fd))
            logger.debug("control connection accepted", metadata: ["fd": "\(fd)"])
        }
    }

    /// Reads, answers and flushes one connection. Returns false when it must be closed.
    private func service(_ connection: ControlConnection, revents: Int16) -> Bool {
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            var chunk = [UInt8](repeating: 0, count: 16384)
            let n = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
                logger.info("control connection closed by peer", metadata: connection.metadata)
                return false
            }
            if n > 0 {
                connection.decoder.append(chunk[0..<n])
                do {
                    while let payload = try connection.decoder.next() { handle(payload, on: connection) }
                } catch {
                    logger.error("control connection sent an oversized frame; closing",
                                 metadata: connection.metadata.merging(["error": "\(error)"]) { $1 })
                    return false
                }
            }
        }
        guard flush(connection) else { return false }
        // A refused handshake closes once its refusal has been written out.
        return !(connection.closeAfterFlush && connection.outbound.isEmpty)
    }

    private func handle(_ payload: [UInt8], on connection: ControlConnection) {
        let message: ControlMessage
        do {
            message = try ControlCodec.decode(payload)
        } catch {
            logger.warning("refused a bad control message",
                           metadata: connection.metadata.merging(["error": "\(error.failure)"]) { $1 })
            send(.reply(.failure(id: error.id ?? 0, error.failure)), on: connection)
            return
        }
        guard case .request(let request) = message else {
            // Replies and events flow from palisade-media, never to it.
            logger.warning("refused a control message that is not a request", metadata: connection.metadata)
            send(.reply(.failure(id: 0, ControlFailure(.malformed, "palisade-media accepts only requests"))),
                 on: connection)
            return
        }
        switch (connection.peer, request.body) {
        case (nil, .hello(let hello)):
            switch Handshake.answer(hello, server: identity) {
            case .success(let answer):
                connection.peer = hello
                logger.info("control handshake done", metadata: connection.metadata)
                send(.reply(.success(id: request.id, .hello(answer))), on: connection)
            case .failure(let failure):
                logger.error("refused control handshake", metadata: ["reason": "\(failure.message)"])
                send(.reply(.failure(id: request.id, failure)), on: connection)
                connection.closeAfterFlush = true
            }
        case (nil, _):
            logger.warning("refused a control request before hello",
                           metadata: ["command": "\(request.command.rawValue)"])
            send(.reply(.failure(id: request.id, ControlFailure(.handshakeRequired, "send hello first"))),
                 on: connection)
        case (.some, .hello):
            send(.reply(.failure(id: request.id, ControlFailure(.malformed, "hello was already done"))), on: connection)
        case (.some, .ping):
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            send(.reply(.success(id: request.id, .pong(Pong(time: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)))),
                 on: connection)
        case (.some, _) where request.command.changesState:
            // Idempotent by id: a retransmission is answered from the cache, never executed twice.
            switch replies.lookup(id: request.id, request: payload) {
            case .replay(let reply):
                logger.info("answered a retransmitted control request from the reply cache",
                            metadata: ["id": "\(request.id)", "command": "\(request.command.rawValue)"])
                Frame.encode(reply, into: &connection.outbound)
                _ = flush(connection)
            case .conflict:
                logger.warning("refused a control request reusing an id",
                               metadata: ["id": "\(request.id)", "command": "\(request.command.rawValue)"])
                send(.reply(.failure(id: request.id, ControlFailure(
                    .idReused, "request id \(request.id) was already used for a different request"))), on: connection)
            case .fresh:
                if let ticket = pendingByID[request.id] {
                    // The original is still being executed: wait for its answer too.
                    guard let original = pending[ticket], original.payload == payload else {
                        send(.reply(.failure(id: request.id, ControlFailure(
                            .idReused, "request id \(request.id) was already used for a different request"))),
                             on: connection)
                        return
                    }
                    pending[ticket]?.waiters.append(connection)
                    return
                }
                let ticket = makeTicket()
                switch responder(request, ticket) {
                case .now(let result):
                    let reply = ControlCodec.encode(.reply(ControlReply(id: request.id, result)))
                    replies.store(id: request.id, request: payload, reply: reply)
                    Frame.encode(reply, into: &connection.outbound)
                    _ = flush(connection)
                case .later:
                    pending[ticket] = PendingRequest(id: request.id, payload: payload, waiters: [connection])
                    pendingByID[request.id] = ticket
                }
            }
        case (.some, .status), (.some, .processMetrics), (.some, .querySession), (.some, .listSessions),
             (.some, .createSession), (.some, .updateSession), (.some, .deleteSession), (.some, .banSource):
            let ticket = makeTicket()
            switch responder(request, ticket) {
            case .now(let result):
                send(.reply(ControlReply(id: request.id, result)), on: connection)
            case .later:
                pending[ticket] = PendingRequest(id: request.id, payload: nil, waiters: [connection])
            }
        }
    }

    private func makeTicket() -> DeferredReply {
        defer { nextTicket += 1 }
        return DeferredReply(nextTicket)
    }

    private func send(_ message: ControlMessage, on connection: ControlConnection) {
        Frame.encode(ControlCodec.encode(message), into: &connection.outbound)
        _ = flush(connection)
    }

    /// Writes what the socket takes now. Returns false when the connection failed.
    private func flush(_ connection: ControlConnection) -> Bool {
        while !connection.outbound.isEmpty {
            let n = connection.outbound.withUnsafeBytes {
                Glibc.send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN
            }
            connection.outbound.removeFirst(n)
        }
        return true
    }
}

/// A request answered `.later`, owned by the control thread.
struct PendingRequest {
    var id: UInt64
    /// The request's bytes when it changes state: its reply goes into the reply cache.
    var payload: [UInt8]?
    /// The connection that sent it, and any that resent it before the answer.
    var waiters: [ControlConnection]
}

/// State of one control connection, owned by the control thread.
final class ControlConnection {
    let fd: Int32
    var decoder = FrameDecoder()
    var outbound: [UInt8] = []
    /// The client's hello once the handshake succeeded.
    var peer: Hello?
    /// Set after a refused handshake: send the refusal, then close.
    var closeAfterFlush = false
    /// False once closed; the fd number may then belong to a newer connection.
    var isOpen = true

    init(fd: Int32) { self.fd = fd }

    var metadata: Logger.Metadata {
        guard let peer else { return ["fd": "\(fd)"] }
        return ["fd": "\(fd)", "peer": "\(peer.role)", "peer_pid": "\(peer.pid)", "peer_version": "\(peer.software)"]
    }
}
