import Logging
import MetricsExposition
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Renders the exposition text for one scrape.
public typealias MetricsRenderer = @Sendable () async -> String

/// GET /metrics over HTTP/1.1: the Prometheus scrape target for both daemons.
public final class MetricsServer: Service, Sendable {
    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Where the listener is bound (the real port when the configured one was 0).
    public let boundAddress: String
    private let server: NIOAsyncChannel<Connection, Never>
    private let render: MetricsRenderer
    private let logger: Logger

    public static func bind(host: String, port: Int, group: any EventLoopGroup, logger: Logger,
                            render: @escaping MetricsRenderer) async throws -> MetricsServer {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let address = server.channel.localAddress
        let bound = switch address {
        case .v6(let v6)?: "[\(v6.host)]:\(address?.port ?? port)"
        default: "\(address?.ipAddress ?? host):\(address?.port ?? port)"
        }
        logger.info("metrics listening", metadata: ["address": "http://\(bound)/metrics"])
        return MetricsServer(boundAddress: bound, server: server, render: render, logger: logger)
    }

    private init(boundAddress: String, server: NIOAsyncChannel<Connection, Never>,
                 render: @escaping MetricsRenderer, logger: Logger) {
        self.boundAddress = boundAddress
        self.server = server
        self.render = render
        self.logger = logger
    }

    public func run() async throws {
        let listener = server.channel
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            listener.close(promise: nil)
        }
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                    case .body:
                        continue
                    case .end:
                        guard let request = head else { continue }
                        head = nil
                        let (status, contentType, body) = await respond(to: request)
                        var headers = HTTPHeaders()
                        headers.add(name: "Content-Type", value: contentType)
                        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
                        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
                        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status,
                                                                        headers: headers)))
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: request.method == .HEAD ? "" : body))))
                        try await outbound.write(.end(nil))
                        if !request.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("metrics connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func respond(to request: HTTPRequestHead) async -> (HTTPResponseStatus, String, String) {
        let plain = "text/plain; charset=utf-8"
        guard request.method == .GET || request.method == .HEAD else {
            return (.methodNotAllowed, plain, "only GET is served here\n")
        }
        switch request.uri.split(separator: "?", maxSplits: 1).first ?? "" {
        case "/metrics": return (.ok, Exposition.contentType, await render())
        case "/": return (.ok, plain, "palisade: metrics at /metrics\n")
        default: return (.notFound, plain, "not found; metrics are at /metrics\n")
        }
    }
}
