import NIOCore
import NIOPosix
import NIOSSL
import SIPMessage
import SIPTransport
import Synchronization
import Testing

/// Polls `condition` until it holds or `timeout` passes. Component tests over real sockets wait
/// for the kernel and the event loops; every wait is bounded.
func eventually(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Collects what the transport layer delivers.
final class MessageSink: Sendable {
    private let store: SinkStore
    private let task: Task<Void, Never>

    init(_ layer: TransportLayer) {
        let store = SinkStore()
        let stream = layer.messages
        self.store = store
        self.task = Task {
            for await m in stream { store.append(m) }
        }
    }

    var all: [InboundMessage] { store.all }

    /// Waits for the `count`-th message and returns it.
    func message(_ index: Int, timeout: Duration = .seconds(5)) async throws -> InboundMessage {
        let ok = await eventually(timeout) { store.all.count > index }
        try #require(ok, "message \(index) not delivered within \(timeout)")
        return store.all[index]
    }

    deinit { task.cancel() }
}

final class SinkStore: Sendable {
    private let items = Mutex<[InboundMessage]>([])
    func append(_ m: InboundMessage) { items.withLock { $0.append(m) } }
    var all: [InboundMessage] { items.withLock { $0 } }
}

/// Collects bytes and the close of a raw TCP (or TLS) connection.
final class CollectingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let state = Mutex<(bytes: [UInt8], closed: Bool)>(([], false))

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let b = unwrapInboundIn(data)
        state.withLock { $0.bytes += Array(b.readableBytesView) }
    }
    func channelInactive(context: ChannelHandlerContext) {
        state.withLock { $0.closed = true }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A test peer on a raw stream: writes what a test says, records what comes back.
struct StreamPeer: Sendable {
    let channel: any Channel
    let collector: CollectingHandler

    static func connect(to address: SocketAddress, tls: NIOSSLContext? = nil,
                        serverName: String? = nil) async throws -> StreamPeer {
        let collector = CollectingHandler()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(3))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(to: address).get()
        return StreamPeer(channel: channel, collector: collector)
    }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func write(_ text: String) async throws { try await write(Array(text.utf8)) }

    var received: [UInt8] { collector.state.withLock { $0.bytes } }
    var text: String { String(decoding: received, as: UTF8.self) }
    var isClosed: Bool { collector.state.withLock { $0.closed } }

    func close() async { try? await channel.close() }
}

/// Collects datagrams.
final class DatagramCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let received = Mutex<[(SocketAddress, [UInt8])]>([])
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let e = unwrapInboundIn(data)
        received.withLock { $0.append((e.remoteAddress, Array(e.data.readableBytesView))) }
    }
}

struct DatagramPeer: Sendable {
    let channel: any Channel
    let collector: DatagramCollector

    static func bind(_ host: String) async throws -> DatagramPeer {
        let collector = DatagramCollector()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .bind(host: host, port: 0).get()
        return DatagramPeer(channel: channel, collector: collector)
    }

    var port: Int { channel.localAddress!.port! }

    func send(_ text: String, to address: SocketAddress) async throws {
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(string: text)))
    }

    var datagrams: [(SocketAddress, [UInt8])] { collector.received.withLock { $0 } }

    func close() async { try? await channel.close() }
}

/// A started transport layer for one test, shut down when the body ends.
func withTransport<R>(_ listeners: [ListenerSpec], settings: TransportSettings = TransportSettings(),
                      _ body: (TransportLayer, MessageSink) async throws -> R) async throws -> R {
    let layer = TransportLayer(listeners: listeners, settings: settings, group: MultiThreadedEventLoopGroup.singleton)
    try await layer.start()
    let sink = MessageSink(layer)
    do {
        let r = try await body(layer, sink)
        await layer.shutdown()
        return r
    } catch {
        await layer.shutdown()
        throw error
    }
}

extension TransportLayer {
    func address(_ index: Int) -> SocketAddress { listeners[index].localAddress }
}

/// An OPTIONS request in canonical form; `via` is the complete top Via value.
func options(via: String, callID: String = "c1@192.0.2.10", cseq: Int = 1, extra: String = "") -> String {
    "OPTIONS sip:sip.example.com SIP/2.0\r\n"
        + "Via: \(via)\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:sip.example.com>\r\n"
        + "Call-ID: \(callID)\r\n"
        + "CSeq: \(cseq) OPTIONS\r\n"
        + extra
        + "Content-Length: 0\r\n\r\n"
}

/// A 200 answering `request`: its Vias, From, To (with a tag), Call-ID and CSeq.
func ok(for request: SIPMessage) -> SIPMessage {
    var headers: [(String, String)] = request.values(.via).map { ("Via", String(decoding: $0, as: UTF8.self)) }
    for name in ["From", "Call-ID", "CSeq"] { if let v = request[name] { headers.append((name, v)) } }
    headers.append(("To", (request["To"] ?? "") + ";tag=b1"))
    return SIPMessage.response(200, reason: "OK", headers: headers)
}

/// A TCP server that accepts and reads everything but never writes: a peer without RFC 5626 pongs.
struct SilentServer: Sendable {
    let channel: any Channel
    let collector: CollectingHandler

    static func start() async throws -> SilentServer {
        let collector = CollectingHandler()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SilentServer(channel: channel, collector: collector)
    }

    var port: Int { channel.localAddress!.port! }
    var received: String { String(decoding: collector.state.withLock { $0.bytes }, as: UTF8.self) }

    func close() async { try? await channel.close() }
}
