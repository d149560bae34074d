import AdminProtocol
import Logging
import NIOCore
import NIOFraming
import NIOPosix
import PosixSupport
import ServiceLifecycle

/// Answers an admin request. Runs concurrently for concurrent palisadectl invocations.
public typealias AdminResponder = @Sendable (AdminRequest) async -> Result<AdminReply.Body, AdminFailure>

/// The admin Unix socket of palisade-signal: framed JSON requests from palisadectl.
public final class AdminServer: Service, Sendable {
    public let socketPath: String
    private let server: NIOAsyncChannel<NIOAsyncChannel<[UInt8], [UInt8]>, Never>
    private let responder: AdminResponder
    private let logger: Logger

    /// Binds the socket now (replacing a stale one, refusing a live one), so that a bind error
    /// stops start-up before any service runs.
    public static func bind(socketPath: String, group: any EventLoopGroup, logger: Logger,
                            responder: @escaping AdminResponder) async throws -> AdminServer {
        if try UnixSocket.prepareListeningPath(socketPath) == .replacedStale {
            logger.warning("removed stale admin socket left by an earlier run", metadata: ["path": "\(socketPath)"])
        }
        let server = try await ServerBootstrap(group: group)
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: false) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addFrameCodec(maximumPayload: 64 * 1024)
                    return try NIOAsyncChannel<[UInt8], [UInt8]>(wrappingChannelSynchronously: channel)
                }
            }
        logger.info("admin socket listening", metadata: ["path": "\(socketPath)"])
        return AdminServer(socketPath: socketPath, server: server, responder: responder, logger: logger)
    }

    private init(socketPath: String, server: NIOAsyncChannel<NIOAsyncChannel<[UInt8], [UInt8]>, Never>,
                 responder: @escaping AdminResponder, logger: Logger) {
        self.socketPath = socketPath
        self.server = server
        self.responder = responder
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
        unlink(socketPath)
    }

    private func serve(_ connection: NIOAsyncChannel<[UInt8], [UInt8]>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await payload in inbound {
                    let (id, decoded) = AdminCodec.decodeRequest(payload)
                    let result: Result<AdminReply.Body, AdminFailure>
                    switch decoded {
                    case .success(let request):
                        result = await responder(request)
                    case .failure(let failure):
                        logger.warning("refused an admin request", metadata: ["reason": "\(failure.message)"])
                        result = .failure(failure)
                    }
                    try await outbound.write(AdminCodec.encode(AdminReply(id: id, result)))
                }
            }
        } catch {
            logger.debug("admin connection ended", metadata: ["error": "\(error)"])
        }
    }
}
