import Logging
import MediaControlProtocol
import NIOCore
import NIOFraming
import NIOPosix
import Signalling
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// MediaPlaneLink's request/reply exchange against a control server of the test's own: answered
/// requests come back, an unanswered one fails after its timeout and leaves the link up.
@Suite("Media plane link: requests, replies and timeouts")
struct MediaPlaneLinkTests {
    /// Answers the hello and pings like palisade-media; never answers anything else.
    final class PingOnlyMediaPlane: ChannelInboundHandler, Sendable {
        typealias InboundIn = [UInt8]
        typealias OutboundOut = [UInt8]

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .request(let request)? = try? ControlCodec.decode(unwrapInboundIn(data)) else { return }
            let body: ControlReply.Body
            switch request.body {
            case .hello: body = .hello(Hello(software: "test", pid: getpid(), role: "palisade-media"))
            case .ping: body = .pong(Pong(time: 0))
            default: return
            }
            context.writeAndFlush(wrapOutboundOut(ControlCodec.encode(.reply(.success(id: request.id, body)))), promise: nil)
        }
    }

    /// A MediaPlaneLink connected to a `PingOnlyMediaPlane` on a socket of its own; `body` gets the
    /// link and the media plane's end of the connection.
    func withConnectedLink(_ body: (MediaPlaneLink, AcceptedChannel) async throws -> Void) async throws {
        let path = "/tmp/palisade-link-test-\(getpid())-\(UInt32.random(in: 1 ... .max)).sock"
        defer { unlink(path) }
        let group = MultiThreadedEventLoopGroup.singleton
        let accepted = AcceptedChannel()
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    accepted.channel.withLock { $0 = channel }
                    try channel.pipeline.syncOperations.addFrameCodec()
                    try channel.pipeline.syncOperations.addHandler(PingOnlyMediaPlane())
                }
            }
            .bind(unixDomainSocketPath: path).get()
        let link = MediaPlaneLink(
            configuration: .init(socketPath: path, reconnectMinimumMilliseconds: 50, reconnectMaximumMilliseconds: 200,
                                 pingIntervalMilliseconds: 60_000, pingTimeoutMilliseconds: 5_000,
                                 identity: Hello(software: "test", pid: getpid(), role: "palisade-signal")),
            group: group, logger: Logger(label: "test"))
        let running = Task { try await link.run() }
        defer { running.cancel() }
        var connected = false
        for _ in 0..<200 where !connected {
            connected = link.state.isConnected
            if !connected { try await Task.sleep(for: .milliseconds(25)) }
        }
        try #require(connected, "the link never connected")
        try await body(link, accepted)
        try await server.close()
    }

    @Test("a ping is answered; a request the media plane never answers fails after its timeout, naming it, and the link stays up")
    func timeout() async throws {
        try await withConnectedLink { link, _ in
            let pong = try await link.request(.ping, timeoutMilliseconds: 5_000)
            #expect(pong == .pong(Pong(time: 0)))

            let started = ContinuousClock.now
            await #expect {
                _ = try await link.request(.listSessions, timeoutMilliseconds: 200)
            } throws: { error in
                "\(error)".contains("no reply to \(ControlCommand.listSessions.rawValue) within 200 ms")
            }
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            #expect(link.state.isConnected, "one unanswered request does not take the link down")
            #expect(try await link.request(.ping, timeoutMilliseconds: 5_000) == .pong(Pong(time: 0)))
        }
    }

    final class AcceptedChannel: Sendable {
        let channel = Mutex<(any Channel)?>(nil)
    }

    @Test("requests written while the media plane does not read fill the socket, queue in NIO, and arrive whole once it reads")
    func fullSocketBuffer() async throws {
        try await withConnectedLink { link, accepted in
            let media = try #require(accepted.channel.withLock { $0 })
            try await media.setOption(ChannelOptions.autoRead, value: false).get()

            // 2,000 pings: a Unix stream socket charges each write a buffer of its own (about 1 KiB
            // here), so this is several times what it holds. Not many more: their tasks share the
            // cooperative pool and the NIO loops with the tests running beside this one.
            let count = 2_000
            let answered = try await withThrowingTaskGroup(of: Bool.self) { requests in
                for _ in 0..<count {
                    requests.addTask { try await link.request(.ping, timeoutMilliseconds: 30_000) == .pong(Pong(time: 0)) }
                }
                try await Task.sleep(for: .milliseconds(300))
                try await media.setOption(ChannelOptions.autoRead, value: true).get()
                media.read()
                var pongs = 0
                for try await pong in requests where pong { pongs += 1 }
                return pongs
            }
            #expect(answered == count)
            #expect(link.state.isConnected)
        }
    }
}

