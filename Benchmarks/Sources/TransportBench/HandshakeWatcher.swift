import NIOCore
import NIOSSL
import NIOTLS

/// What one connection's handshake came to, taken on its event loop when it completed.
struct Handshake: Sendable {
    let ssl: SSLPointer
    let resumed: Bool
    let version: String
    let completedAt: NIODeadline
}

struct HandshakeFailure: Error, CustomStringConvertible {
    let description: String
}

/// Sits after the TLS handler and completes `done` once: on handshakeCompleted, on an error, when
/// the connection closes first, or when `timeout` passes (so every load loop ends).
final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let ssl: SSLPointer
    private let done: EventLoopPromise<Handshake>
    private let timeout: TimeAmount
    private var finished = false
    private var timer: Scheduled<Void>?

    init(ssl: SSLPointer, done: EventLoopPromise<Handshake>, timeout: TimeAmount) {
        self.ssl = ssl
        self.done = done
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.finish(.failure(HandshakeFailure(description: "handshake timeout")))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            finish(.success(Handshake(
                ssl: ssl, resumed: TLSSessionAccess.wasResumed(ssl), version: TLSSessionAccess.version(ssl),
                completedAt: .now())))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(HandshakeFailure(description: "closed before the handshake completed")))
        context.fireChannelInactive()
    }

    /// The server may send data (it doesn't, for idle SIP flows); drop it.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func finish(_ result: Result<Handshake, any Error>) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        done.completeWith(result)
    }
}
