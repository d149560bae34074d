import NIOCore
import NIOPosix
import NIOSSL

/// One established TLS connection of the fleet.
struct FleetConnection: Sendable {
    let channel: any Channel
    let handshake: Handshake
}

/// Opens TLS connections to one server from 127.0.0.2 … 127.0.0.(1+sources), so that neither the
/// ephemeral ports of one source address nor a per-address limit of the server shape the result.
struct TLSClientFleet: Sendable {
    let group: MultiThreadedEventLoopGroup
    let context: NIOSSLContext
    let host: String
    let port: Int
    let serverName: String
    let sources: Int
    let timeout: TimeAmount

    init(options: Options, group: MultiThreadedEventLoopGroup) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(try options.string("ca"))
        configuration.minimumTLSVersion = .tlsv12
        if options.string("max-tls", default: "1.3") == "1.2" { configuration.maximumTLSVersion = .tlsv12 }
        self.group = group
        self.context = try NIOSSLContext(configuration: configuration)
        guard TLSSessionAccess.keepClientSessions(context) else {
            throw HandshakeFailure(description: "swift-nio-ssl internals changed: no SSL_CTX* found")
        }
        self.host = options.string("host", default: "127.0.0.1")
        self.port = try options.int("port")
        self.serverName = options.string("server-name", default: "sip.example.com")
        self.sources = options.int("sources", default: 16)
        self.timeout = .seconds(Int64(options.int("timeout", default: 60)))
    }

    /// Connects client `index`, offering `session` for resumption when given.
    func connect(index: Int, session: TLSSession? = nil) -> EventLoopFuture<FleetConnection> {
        let done = group.next().makePromise(of: Handshake.self)
        let (context, serverName, timeout) = (self.context, self.serverName, self.timeout)
        let source: SocketAddress
        do {
            source = try SocketAddress(ipAddress: "127.0.0.\(2 + index % sources)", port: 0)
        } catch {
            done.fail(error)
            return group.next().makeFailedFuture(error)
        }
        let connected = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .bind(to: source)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture(withResultOf: {
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                    guard let ssl = TLSSessionAccess.ssl(of: tls) else {
                        throw HandshakeFailure(description: "swift-nio-ssl internals changed: no SSL* found")
                    }
                    if let session, !TLSSessionAccess.offer(session, on: ssl) {
                        throw HandshakeFailure(description: "SSL_set_session refused the session")
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        tls, HandshakeWatcher(ssl: ssl, done: done, timeout: timeout))
                })
            }
            .connect(host: host, port: port)
        connected.whenFailure { done.fail($0) }
        return connected.flatMap { channel in
            done.futureResult.map { FleetConnection(channel: channel, handshake: $0) }
        }
    }

    /// Connects clients `indices` all at once; results in index order.
    func connectAll(_ indices: Range<Int>, sessions: [TLSSession]? = nil)
        -> [Result<FleetConnection, any Error>]
    {
        let futures = indices.map { connect(index: $0, session: sessions?[$0]) }
        return (try? EventLoopFuture.whenAllComplete(futures, on: group.next()).wait()) ?? []
    }

    func closeAll(_ connections: [FleetConnection]) {
        let closed = connections.map { $0.channel.close() }
        _ = try? EventLoopFuture.whenAllComplete(closed, on: group.next()).wait()
    }
}
