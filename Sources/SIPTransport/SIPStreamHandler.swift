import NIOCore
import NIOSSL
import NIOTLS
import SIPMessage

/// The end of a TCP or TLS pipeline: frames the byte stream (RFC 3261 §18.3), answers keepalives
/// (RFC 5626 §4.4.1), watches the TLS handshake and hands messages to the transport layer.
///
/// Order on a TLS connection: handshake completes (identity checked and put on the flow) → the
/// connection is usable (`ready`) → application bytes arrive. NIOSSL passes no application bytes
/// before the handshake, so no message is ever delivered with a flow lacking its identity.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let layer: TransportLayer
    private(set) var flow: Flow
    private var framer: SIPStreamFramer
    /// Outbound: succeeded once the connection can carry messages.
    private var ready: EventLoopPromise<Flow>?
    /// Outbound TLS: what the server must prove.
    private let peerPolicy: TLSPeerPolicy?
    private var handshakePending: Bool
    private var handshakeTimer: Scheduled<Void>?
    private var pongTimer: Scheduled<Void>?
    /// The next periodic ping (connections Palisade opened, when `pingInterval` is set).
    private var pingTimer: Scheduled<Void>?
    private var closing = false
    /// The connection's BoringSSL object, for what swift-nio-ssl does not offer (TLS only).
    private var boringSSL: BoringSSLConnection?

    init(layer: TransportLayer, flow: Flow, ready: EventLoopPromise<Flow>?, peerPolicy: TLSPeerPolicy?) {
        self.layer = layer
        self.flow = flow
        self.framer = SIPStreamFramer(limits: layer.settings.limits)
        self.ready = ready
        self.peerPolicy = peerPolicy
        self.handshakePending = flow.transport == .tls
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard flow.transport == .tls,
              let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self) else { return }
        boringSSL = BoringSSLConnection(tls)
        // Certificate and key copies, cipher and group lists: needed for the handshake only.
        // The handshake starts on channelActive, after this.
        boringSSL?.shedConfigurationAfterHandshake()
    }

    func channelActive(context: ChannelHandlerContext) {
        // An outbound connection learns its local address only now.
        if let local = context.channel.localAddress, local != flow.local {
            flow.local = local
            layer.registry.updateFlow(flow)
        }
        if handshakePending {
            let timeout = TimeAmount(layer.settings.handshakeTimeout)
            handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
                guard handshakePending else { return }
                handshakeFailed(context: context, .timeout, TransportError(.handshakeFailed, "timeout"))
            }
        } else {
            succeedReady(context: context)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if handshakePending, context.channel.remoteAddress != nil {
            // The peer went away mid-handshake without an error we could classify.
            layer.counters.handshake(.other)
        }
        finish()
        context.fireChannelInactive()
    }

    /// Also reached when a connect fails before the channel was ever active.
    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    /// Idempotent: timers off, the waiting sender told, the registry entry gone.
    private func finish() {
        // The SSL object belongs to the NIOSSLHandler, which may go before this handler.
        boringSSL = nil
        handshakePending = false
        handshakeTimer?.cancel()
        handshakeTimer = nil
        pongTimer?.cancel()
        pongTimer = nil
        pingTimer?.cancel()
        pingTimer = nil
        ready?.fail(TransportError(.flowClosed, "\(flow)"))
        ready = nil
        if let id = flow.connection { layer.registry.remove(id) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            handshakeCompleted(context: context)
        } else if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            layer.counters.deadFlow(.idle)
            close(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if handshakePending {
            handshakeFailed(context: context, HandshakeFailure.classify(error, verifyResult: boringSSL?.verifyResult), error)
            return
        }
        if !closing {
            if let tlsError = error as? NIOSSLError, case .uncleanShutdown = tlsError {
                // A peer closing TCP without close_notify: common, and not a dead flow.
            } else {
                layer.counters.deadFlow(.error)
            }
        }
        close(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        while !closing, let frame = framer.next() {
            switch frame {
            case .message(let bytes):
                layer.receive(bytes, flow: flow, framing: .stream) { [context] reply in
                    context.writeAndFlush(NIOAny(ByteBuffer(bytes: reply)), promise: nil)
                }
            case .ping:
                // RFC 5626 §4.4.1: answer a double CRLF with a single CRLF.
                layer.counters.update { $0.keepalivesAnswered += 1 }
                context.writeAndFlush(NIOAny(ByteBuffer(bytes: [13, 10])), promise: nil)
            case .pong:
                pongTimer?.cancel()
                pongTimer = nil
            case .error(let error):
                // No resynchronising a stream after a framing error: count, refuse, close.
                layer.counters.parseError(error.code)
                layer.counters.refused(.framingError)
                close(context: context)
            }
        }
    }

    /// RFC 5626 §4.4.1 client side: ping; no pong within `pongTimeout`, or a ping that cannot be
    /// written, means the flow is dead: it is closed and counted.
    func sendPing(context: ChannelHandlerContext) {
        guard !closing else { return }
        framer.pingSent()
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenFailure { [self] _ in
            guard !closing else { return }
            layer.counters.deadFlow(.writeFailed)
            close(context: context)
        }
        context.writeAndFlush(NIOAny(ByteBuffer(bytes: [13, 10, 13, 10])), promise: written)
        guard pongTimer == nil else { return }
        pongTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(layer.settings.pongTimeout)) { [self] in
            pongTimer = nil
            layer.counters.deadFlow(.noPong)
            close(context: context)
        }
    }

    private func handshakeCompleted(context: ChannelHandlerContext) {
        handshakePending = false
        handshakeTimer?.cancel()
        let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self).peerCertificate
        if let certificate {
            // Inbound: NIOSSL verified the chain (optional/required policy) before we get here.
            // Outbound: the chain is verified unless verification is off; the domain is ours to check.
            if peerPolicy?.verification != TLSPeerPolicy.Verification.none {
                flow.peerIdentity = CertificateIdentity.identity(of: certificate)
            }
        }
        if let policy = peerPolicy, policy.verification == .rfc5922 {
            let identity = flow.peerIdentity ?? TLSPeerIdentity(dnsNames: [], uris: [])
            guard CertificateIdentity.matches(identity, sipDomain: policy.sipDomain) else {
                handshakeFailed(context: context, .domainMismatch,
                                TransportError(.handshakeFailed, "certificate does not name \(policy.sipDomain)"))
                return
            }
        }
        layer.counters.handshake(boringSSL?.sessionReused == true ? .resumed : .success)
        if peerPolicy == nil, let boringSSL, boringSSL.flushHandshakeData() {
            // RFC 8446 §4.6.1: a TLS 1.3 server sends its session tickets after the handshake, and
            // BoringSSL holds them back until the server first writes. A phone that only
            // registered, or only keeps its flow open, would never get one, and a fleet
            // reconnecting after an outage would all pay full handshakes. An empty write makes
            // the NIOSSLHandler send what the flush above put into its BIO.
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0)), promise: nil)
        }
        layer.registry.updateFlow(flow)
        succeedReady(context: context)
    }

    private func handshakeFailed(context: ChannelHandlerContext, _ result: TLSHandshakeResult, _ error: any Error) {
        handshakePending = false
        handshakeTimer?.cancel()
        layer.counters.handshake(result)
        ready?.fail(TransportError(.handshakeFailed, "\(result.rawValue): \(error)"))
        ready = nil
        close(context: context)
    }

    /// The connection can carry messages: the opener is told, and a connection Palisade opened
    /// starts its keepalive pings (RFC 5626 §4.4.1: the side that opened a flow keeps it alive).
    private func succeedReady(context: ChannelHandlerContext) {
        ready?.succeed(flow)
        ready = nil
        if flow.listener == nil, let interval = layer.settings.pingInterval {
            schedulePing(context: context, after: TimeAmount(interval))
        }
    }

    private func schedulePing(context: ChannelHandlerContext, after interval: TimeAmount) {
        pingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { [self] in
            guard !closing else { return }
            sendPing(context: context)
            schedulePing(context: context, after: interval)
        }
    }

    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.close(promise: nil)
    }
}
