import ControlFraming
import Logging
import MediaControlProtocol
import NIOCore
import NIOFraming
import NIOPosix
import PosixSupport
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// palisade-signal's connection to palisade-media over the control socket.
///
/// Connects, says hello, then pings on an interval; a closed socket or a missed pong marks the
/// media plane down and the link retries with backoff until it is back — palisade-signal never
/// needs a restart for it. Other parts send requests through `request(_:timeout:)`.
public final class MediaPlaneLink: Service, Sendable {
    public struct Configuration: Sendable {
        public var socketPath: String
        public var reconnectMinimumMilliseconds: Int
        public var reconnectMaximumMilliseconds: Int
        public var pingIntervalMilliseconds: Int
        public var pingTimeoutMilliseconds: Int
        /// Our side of the hello.
        public var identity: Hello

        public init(socketPath: String, reconnectMinimumMilliseconds: Int, reconnectMaximumMilliseconds: Int,
                    pingIntervalMilliseconds: Int, pingTimeoutMilliseconds: Int, identity: Hello) {
            self.socketPath = socketPath
            self.reconnectMinimumMilliseconds = reconnectMinimumMilliseconds
            self.reconnectMaximumMilliseconds = reconnectMaximumMilliseconds
            self.pingIntervalMilliseconds = pingIntervalMilliseconds
            self.pingTimeoutMilliseconds = pingTimeoutMilliseconds
            self.identity = identity
        }
    }

    public struct LinkError: Error, CustomStringConvertible {
        public var description: String
    }

    private typealias Outbound = NIOAsyncChannelOutboundWriter<ByteBuffer>

    private struct Shared: ~Copyable {
        var state: MediaPlaneLinkState
        /// The control connection once the hello is answered: requests are written to it directly.
        var channel: (any Channel)?
        /// `channel`'s socket (NIO's: it closes it with the channel).
        var socket: Int32 = -1
        /// Frames handed to NIO's write queue and not yet written (see `writeFrame`).
        var queuedWrites = 0
        var pending: [UInt64: CheckedContinuation<ControlReply, any Error>] = [:]
        var nextID: UInt64 = 1
    }

    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let shared: Mutex<Shared>
    /// Events palisade-media sends on its own (stream timeouts, latches, SRTP failures), for one
    /// consumer (the B2BUA); the newest 1,024 are kept while nobody reads.
    public let events: AsyncStream<MediaEvent>
    private let eventSink: AsyncStream<MediaEvent>.Continuation

    public init(configuration: Configuration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        shared = Mutex(Shared(state: MediaPlaneLinkState(now: WallClock.now())))
        (events, eventSink) = AsyncStream.makeStream(of: MediaEvent.self, bufferingPolicy: .bufferingNewest(1_024))
    }

    /// The current state, for status and metrics.
    public var state: MediaPlaneLinkState { shared.withLock { $0.state } }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.connectAndServe()
                let delay = self.state.retryDelayMilliseconds(
                    minimum: self.configuration.reconnectMinimumMilliseconds,
                    maximum: self.configuration.reconnectMaximumMilliseconds)
                try? await Task.sleep(for: .milliseconds(delay))
            }
        }
    }

    /// Sends one request and waits for its reply. Fails at once when the media plane is down.
    public func request(_ body: ControlRequest.Body, timeoutMilliseconds: Int,
                        isolation: isolated (any Actor)? = #isolation) async throws -> ControlReply.Body {
        let (id, channel) = shared.withLock { shared -> (UInt64, (any Channel)?) in
            defer { shared.nextID += 1 }
            return (shared.nextID, shared.channel)
        }
        guard let channel else { throw LinkError(description: "media plane not connected") }
        return try await exchange(ControlRequest(id: id, body), on: channel, timeoutMilliseconds: timeoutMilliseconds,
                                  isolation: isolation)
    }

    /// Writes `request` and waits for its reply. No task of its own: the write and the timeout are
    /// the control channel's (its event loop), so a call's media requests cost no thread hand-offs
    /// beyond that loop's.
    private func exchange(_ request: ControlRequest, on channel: any Channel, timeoutMilliseconds: Int,
                          isolation: isolated (any Actor)?) async throws -> ControlReply.Body {
        let id = request.id
        var timer: NIOScheduledCallback?
        let reply = try await withCheckedThrowingContinuation(isolation: isolation) { continuation in
            shared.withLock { $0.pending[id] = continuation }
            timer = try? channel.eventLoop.scheduleCallback(
                in: .milliseconds(Int64(timeoutMilliseconds)),
                handler: ReplyTimeout(link: self, id: id, command: request.command,
                                      milliseconds: Int32(clamping: timeoutMilliseconds)))
            let frame = Frame.encode(ControlCodec.encode(.request(request)))
            if channel.eventLoop.inEventLoop {
                send(frame, of: id, on: channel)
            } else {
                channel.eventLoop.execute { self.send(frame, of: id, on: channel) }
            }
        }
        timer?.cancel()
        switch reply.result {
        case .success(let body): return body
        case .failure(let failure): throw failure
        }
    }

    /// Writes a request's frame; a write that fails fails the request.
    private func send(_ frame: [UInt8], of id: UInt64, on channel: any Channel) {
        let failed = { @Sendable (error: any Error) in
            self.resolve(id, .failure(LinkError(description: "control connection lost: \(error)")))
        }
        switch writeFrame(frame, on: channel) {
        case .written: break
        case .failed(let error): failed(error)
        case .queued(let future): future.whenFailure(failed)
        }
    }

    private enum FrameWrite {
        case written
        case failed(any Error)
        case queued(EventLoopFuture<Void>)
    }

    /// Writes one frame, on the channel's loop: `send` on the socket itself while nothing waits in
    /// NIO's write queue (NIO's write path — pipeline, encoder, buffer, promise — cost half again
    /// what the system call did, three times a call). What a short write or a full socket buffer
    /// leaves goes to NIO's queue, and every frame after it follows there until the queue is
    /// empty, so frames stay whole and in order. NIO closes the socket only on this loop, so an
    /// active channel's descriptor is the connection's.
    private func writeFrame(_ frame: [UInt8], on channel: any Channel) -> FrameWrite {
        channel.eventLoop.preconditionInEventLoop()
        let (socket, direct) = shared.withLock { ($0.socket, $0.channel === channel && $0.queuedWrites == 0) }
        var offset = 0
        if direct, channel.isActive {
            while offset < frame.count {
                let sent = frame.withUnsafeBytes { bytes in
                    Glibc.send(socket, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                }
                if sent > 0 {
                    offset += sent
                    continue
                }
                let code = errno
                if sent < 0, code == EINTR { continue }
                if sent < 0, code == EAGAIN || code == EWOULDBLOCK { break }
                return .failed(IOError(errnoCode: code, reason: "send on the control socket"))
            }
            if offset == frame.count { return .written }
        }
        shared.withLock { $0.queuedWrites += 1 }
        let written = channel.writeAndFlush(ByteBuffer(bytes: frame[offset...]))
        written.whenComplete { _ in self.shared.withLock { $0.queuedWrites -= 1 } }
        return .queued(written)
    }

    /// Fails a request without its reply in time: a callback whose fields fit inline (three
    /// words), where scheduleTask made a promise, future and closure per request.
    private struct ReplyTimeout: NIOScheduledCallbackHandler, Sendable {
        let link: MediaPlaneLink
        let id: UInt64
        let command: ControlCommand
        let milliseconds: Int32

        func handleScheduledCallback(eventLoop: some EventLoop) {
            link.resolve(id, .failure(LinkError(description: "no reply to \(command.rawValue) within \(milliseconds) ms")))
        }
    }

    /// Completes a pending request once; later calls for the same id do nothing.
    private func resolve(_ id: UInt64, _ result: Result<ControlReply, any Error>) {
        let continuation = shared.withLock { $0.pending.removeValue(forKey: id) }
        continuation?.resume(with: result)
    }

    /// The socket is connected here (non-blocking: a full backlog is a failed attempt, retried)
    /// and handed to NIO, which reads it and closes it with the channel; requests are written to
    /// it directly (`writeFrame`), so the pipeline decodes frames but encodes none.
    private func connectAndServe() async {
        let channel: NIOAsyncChannel<[UInt8], ByteBuffer>
        let socket: Int32
        do {
            socket = try UnixSocket.connect(path: configuration.socketPath, nonBlocking: true)
            channel = try await ClientBootstrap(group: group).withConnectedSocket(socket) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addFrameDecoder()
                    try channel.pipeline.syncOperations.addHandler(ReplyDispatcher(link: self))
                    return try NIOAsyncChannel<[UInt8], ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            record(failure: "cannot connect to \(configuration.socketPath): \(Self.describe(error))")
            return
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await self.serve(inbound: inbound, outbound: outbound, channel: channel.channel, socket: socket)
            }
        } catch {
            record(failure: "\(error)")
        }
    }

    /// Replies to requests and the media plane's events, taken off the channel on its own event
    /// loop: a reply resumes its waiting request from there, without a task of the link's in
    /// between. Everything else (the hello's answer, anything unreadable) goes on to `serve`.
    private final class ReplyDispatcher: ChannelInboundHandler {
        typealias InboundIn = [UInt8]
        typealias InboundOut = [UInt8]
        let link: MediaPlaneLink

        init(link: MediaPlaneLink) { self.link = link }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let payload = unwrapInboundIn(data)
            switch try? ControlCodec.decode(payload) {
            case .reply(let reply)? where reply.id != 0:
                link.resolve(reply.id, .success(reply))
            case .event(let event)?:
                link.eventSink.yield(event)
            default:
                context.fireChannelRead(data)
            }
        }
    }

    private func serve(inbound: NIOAsyncChannelInboundStream<[UInt8]>, outbound: Outbound,
                       channel: any Channel, socket: Int32) async throws {
        var frames = inbound.makeAsyncIterator()
        // Hello first, answered before anything else may be sent: so it is written whole before
        // `writeFrame` writes to the socket directly.
        let hello = ControlCodec.encode(.request(ControlRequest(id: 0, .hello(configuration.identity))))
        try await outbound.write(ByteBuffer(bytes: Frame.encode(hello)))
        guard let first = try await frames.next() else {
            throw LinkError(description: "palisade-media closed the connection during the handshake")
        }
        guard case .reply(let reply) = try ControlCodec.decode(first), reply.id == 0 else {
            throw LinkError(description: "palisade-media answered the hello with something else")
        }
        switch reply.result {
        case .failure(let failure):
            throw LinkError(description: "handshake refused: \(failure.message)")
        case .success(.hello(let peer)):
            let transition = shared.withLock { shared in
                shared.channel = channel
                shared.socket = socket
                return shared.state.connected(peer: peer, now: WallClock.now())
            }
            log(transition)
        case .success:
            throw LinkError(description: "palisade-media answered the hello with something else")
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(self.configuration.pingIntervalMilliseconds))
                    do {
                        _ = try await self.exchange(ControlRequest(id: self.takeID(), .ping), on: channel,
                                                    timeoutMilliseconds: self.configuration.pingTimeoutMilliseconds, isolation: nil)
                    } catch {
                        // Closing the channel ends the read loop below.
                        channel.close(promise: nil)
                        throw LinkError(description: "palisade-media stopped answering pings: \(error)")
                    }
                }
            }
            while let payload = try await frames.next() {
                switch try? ControlCodec.decode(payload) {
                case .reply(let reply)?:
                    resolve(reply.id, .success(reply))
                case .event(let event)?:
                    eventSink.yield(event)
                case .request?, nil:
                    logger.warning("ignored an unreadable message from palisade-media")
                }
            }
            group.cancelAll()
            // Prefer the pinger's reason when it is what closed the connection.
            if case .some(.failure(let error as LinkError)) = await group.nextResult() { throw error }
            throw LinkError(description: "palisade-media closed the control connection")
        }
    }

    private func takeID() -> UInt64 {
        shared.withLock { shared in
            defer { shared.nextID += 1 }
            return shared.nextID
        }
    }

    private func record(failure reason: String) {
        let (transition, orphans) = shared.withLock { shared in
            shared.channel = nil
            let orphans = shared.pending
            shared.pending = [:]
            return (shared.state.failed(reason, now: WallClock.now()), orphans)
        }
        for continuation in orphans.values {
            continuation.resume(throwing: LinkError(description: "control connection lost: \(reason)"))
        }
        // Shutting down is not an outage.
        if let transition, !Task.isCancelled { log(transition) }
    }

    private func log(_ transition: MediaPlaneLinkState.Transition) {
        switch transition {
        case .up(let peer, let reconnect):
            logger.notice(reconnect ? "media plane reconnected" : "media plane connected",
                          metadata: ["media_pid": "\(peer.pid)", "media_version": "\(peer.software)",
                                     "path": "\(configuration.socketPath)"])
        case .down(let reason):
            logger.error("media plane down; retrying with backoff", metadata: ["reason": "\(reason)"])
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode))
        }
        return "\(error)"
    }
}
