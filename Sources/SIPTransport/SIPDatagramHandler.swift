import NIOCore
import SIPMessage

/// The end of a UDP listener's pipeline: one datagram, one message (RFC 3261 §18.3).
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let layer: TransportLayer
    private let listener: ListenerID
    private var local: SocketAddress?

    init(layer: TransportLayer, listener: ListenerID) {
        self.layer = layer
        self.listener = listener
    }

    func channelActive(context: ChannelHandlerContext) {
        local = context.channel.localAddress
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let view = envelope.data.readableBytesView
        // Keepalives on UDP (CRLF or CRLFCRLF, as some phones send them) need no answer.
        if view.allSatisfy({ $0 == 13 || $0 == 10 }) { return }
        guard view.count <= layer.settings.limits.maxMessageSize else {
            layer.counters.parseError(.messageTooLarge)
            return
        }
        guard let local = local ?? context.channel.localAddress else { return }
        let flow = Flow(transport: .udp, listener: listener, realm: listener.realm, local: local,
                        remote: envelope.remoteAddress, connection: nil)
        let remote = envelope.remoteAddress
        layer.receive(Array(view), flow: flow, framing: .datagram) { [context] reply in
            // A rejected request is answered to where it came from: with no parsed Via there is no
            // other address to trust, and behind NAT this is the only one that works.
            let out = AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: reply))
            context.writeAndFlush(NIOAny(out), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors surface here on a connected socket only; an unconnected listener just logs none.
    }
}
