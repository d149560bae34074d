import NIOCore
import NIOPosix
import NIOSSL
import SIPMessage
import Synchronization

/// A started listener: its id, its configuration and the address it is bound to.
public struct BoundListener: Sendable {
    public let id: ListenerID
    public let spec: ListenerSpec
    public let localAddress: SocketAddress

    /// What peers must use to reach it: the advertised address, else the bound one.
    public var advertised: HostPort {
        spec.advertised ?? HostPort(spec.bind.host, localAddress.port ?? spec.bind.port)
    }
}

/// Palisade's SIP transports: listeners per realm, flows, connection pool, TLS and keepalives.
///
/// Received messages are delivered through `messages`, an `AsyncStream` with one consumer (the
/// transaction layer), each with the `Flow` it came on. Requests that fail parsing or validation
/// are answered here with the validator's 4xx/5xx and never delivered; faulty responses are
/// dropped and counted (RFC 3261 §18.1.2). Requests are delivered with their top Via already
/// stamped with `received`/`rport` (RFC 3261 §18.2.1, RFC 3581 §4), so a response built from them
/// carries what `sendResponse(_:to:)` needs.
public final class TransportLayer: Sendable {
    public let messages: AsyncStream<InboundMessage>
    public let specs: [ListenerSpec]
    public let settings: TransportSettings
    let group: any EventLoopGroup
    private let datagramGroup: any EventLoopGroup
    let counters: CounterStore
    let registry: ConnectionRegistry
    private let continuation: AsyncStream<InboundMessage>.Continuation
    /// The consumer's own loop and a handler that runs on it (`deliverInline`).
    private let inline = Mutex<InlineDelivery?>(nil)
    let started = Mutex<Started?>(nil)
    private let clientContexts = Mutex<[TLSPeerPolicy: NIOSSLContext]>([:])
    private let connecting = Mutex<[PendingConnect: Task<Flow, any Error>]>([:])

    struct PendingConnect: Hashable {
        var pool: PoolKey
        var tls: TLSPeerPolicy?
    }

    /// A UDP listener's channel, and its socket for writes on the channel's loop.
    struct DatagramListener: Sendable {
        let channel: any Channel
        let socket: DatagramSocket
    }

    struct Started: Sendable {
        var listeners: [BoundListener]
        var channels: [any Channel]
        var udp: [ListenerID: DatagramListener]
        var tls: [ListenerID: TLSServerContexts]
    }

    /// `datagramLoop`: the loop UDP listeners read and write on (the group's next one when nil).
    /// palisade-signal gives SIPService's own loop, so a datagram is read, handled and answered on
    /// one thread; TCP and TLS connections spread over the group.
    public init(listeners: [ListenerSpec], settings: TransportSettings = TransportSettings(),
                group: any EventLoopGroup, datagramLoop: (any EventLoop)? = nil) {
        self.specs = listeners
        self.settings = settings
        self.group = group
        self.datagramGroup = datagramLoop ?? group
        self.counters = CounterStore(realms: Set(listeners.map(\.realm)))
        self.registry = ConnectionRegistry(maxTotal: settings.maxConnections,
                                           maxPerAddress: settings.maxConnectionsPerAddress)
        let (stream, continuation) = AsyncStream.makeStream(of: InboundMessage.self,
                                                            bufferingPolicy: .bufferingOldest(settings.deliveryBuffer))
        self.messages = stream
        self.continuation = continuation
    }

    /// A message received on `loop` itself is handed to `handler` there and then, instead of
    /// through `messages`: the consumer runs on that loop (palisade-signal's UDP listeners share
    /// SIPService's), and a stream would cost two scheduled jobs per message. Messages received on
    /// other loops (TCP, TLS) still come through `messages`. Nil stops it.
    public func deliverInline(on loop: (any EventLoop)?, _ handler: @escaping @Sendable (InboundMessage) -> Void) {
        inline.withLock { $0 = loop.map { InlineDelivery(loop: $0, handler: handler) } }
    }

    private struct InlineDelivery: Sendable {
        var loop: any EventLoop
        var handler: @Sendable (InboundMessage) -> Void
    }

    // MARK: Lifecycle

    /// Binds every listener. On failure the ones already bound are closed again.
    public func start() async throws {
        var state = Started(listeners: [], channels: [], udp: [:], tls: [:])
        do {
            for (index, spec) in specs.enumerated() {
                let id = ListenerID(index: index, realm: spec.realm, transport: spec.transport)
                let channel: any Channel
                switch spec.transport {
                case .udp:
                    let listener = try await bindUDP(spec, id)
                    state.udp[id] = listener
                    channel = listener.channel
                case .tcp:
                    channel = try await bindStream(spec, id, tls: nil)
                case .tls:
                    guard let tlsSpec = spec.tls else {
                        throw TransportError(.tlsConfiguration, "listener \(id) has no tls section")
                    }
                    let contexts = try TLSServerContexts(spec: tlsSpec)
                    state.tls[id] = contexts
                    channel = try await bindStream(spec, id, tls: contexts)
                }
                state.channels.append(channel)
                guard let local = channel.localAddress else { throw TransportError(.badAddress, "\(spec.bind)") }
                state.listeners.append(BoundListener(id: id, spec: spec, localAddress: local))
            }
        } catch {
            for channel in state.channels { try? await channel.close() }
            throw error
        }
        started.withLock { $0 = state }
    }

    /// Closes listeners and every connection, then ends `messages`.
    public func shutdown() async {
        let channels = started.withLock { s -> [any Channel] in
            defer { s = nil }
            return s?.channels ?? []
        }
        for channel in channels { try? await channel.close() }
        for channel in registry.allChannels() { try? await channel.close() }
        continuation.finish()
    }

    public var listeners: [BoundListener] { started.withLock { $0?.listeners ?? [] } }

    /// Reads every TLS listener's PEM files again. New handshakes use the new certificates;
    /// established connections keep theirs. All-or-nothing per listener: a bad file keeps the old.
    public func reloadCertificates() throws {
        let all = started.withLock { $0?.tls ?? [:] }
        for (_, contexts) in all.sorted(by: { $0.key.index < $1.key.index }) { try contexts.reload() }
    }

    /// A snapshot of every counter.
    public func counterSnapshot() -> TransportCounters {
        var s = counters.snapshot()
        s.openConnections = registry.openByTransport()
        return s
    }

    // MARK: Addresses for Via, Contact, Record-Route

    /// The advertised address of the first listener of `realm` on `transport`.
    public func advertised(realm: String, transport: TransportKind) -> HostPort? {
        // Searched in place: `listeners` copies the array (several times per call).
        started.withLock { s in s?.listeners.first { $0.id.realm == realm && $0.id.transport == transport }?.advertised }
    }

    /// A top Via for a request sent on `transport` in `realm` (RFC 3261 §18.1.1, RFC 3581 `rport`).
    public func via(realm: String, transport: TransportKind, branch: String) -> String? {
        advertised(realm: realm, transport: transport).map {
            "SIP/2.0/\(transport.viaToken) \($0);branch=\(branch);rport"
        }
    }

    /// A URI reaching this SBC in `realm` on `transport`, for Contact and Record-Route.
    public func uri(realm: String, transport: TransportKind, user: String? = nil) -> String? {
        advertised(realm: realm, transport: transport).map { hp in
            let scheme = transport == .tls ? "sips" : "sip"
            let userPart = user.map { "\($0)@" } ?? ""
            let param = transport == .udp ? "" : ";transport=\(transport.rawValue)"
            return "\(scheme):\(userPart)\(hp)\(param)"
        }
    }

    // MARK: Sending

    /// Sends on the flow a message came on: its connection, or its UDP listener to its remote address.
    public func send(_ bytes: [UInt8], on flow: Flow, isolation: isolated (any Actor)? = #isolation) async throws {
        if let id = flow.connection {
            guard let entry = registry.entry(id) else { throw TransportError(.flowClosed, "\(flow)") }
            try await entry.channel.writeAndFlush(ByteBuffer(bytes: bytes)).settled()
        } else {
            guard let listener = flow.listener, let channel = started.withLock({ $0?.udp[listener]?.channel }) else {
                throw TransportError(.noListener, "\(flow)")
            }
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: flow.remote, data: ByteBuffer(bytes: bytes))).settled()
        }
        counters.messageOut(flow.realm, flow.transport)
    }

    /// What `sendDatagramNow` did with a datagram.
    public enum DatagramSend: Sendable {
        case sent
        case failed(any Error & Sendable)
        /// The socket's send buffer was full: the datagram waits in NIO's queue, and the future
        /// says how its write went (it completes on the listener's loop).
        case queued(EventLoopFuture<Void>)
    }

    /// The write of `send(_:on:)` for a UDP flow, done now by a caller on the listener's own
    /// loop: `sendto` on the listener's socket, without NIO's write path. Nil, and nothing sent,
    /// for a stream flow or from another thread; the caller then takes the async path.
    /// A datagram queued behind a full send buffer can be overtaken by a later one sent directly;
    /// UDP promises no order, and SIP over UDP expects none.
    public func sendDatagramNow(_ bytes: [UInt8], on flow: Flow) -> DatagramSend? {
        guard flow.connection == nil, flow.transport == .udp, let id = flow.listener,
              let listener = started.withLock({ $0?.udp[id] }), listener.channel.eventLoop.inEventLoop
        else { return nil }
        // The channel closes its socket on this loop, so an active channel's socket is open
        // until this returns.
        guard listener.channel.isActive else { return .failed(TransportError(.noListener, "\(flow)")) }
        switch listener.socket.send(bytes, to: flow.remote) {
        case .sent:
            counters.messageOut(flow.realm, flow.transport)
            return .sent
        case .failed(let error):
            return .failed(error)
        case .wouldBlock:
            counters.messageOut(flow.realm, flow.transport)
            return .queued(listener.channel.writeAndFlush(AddressedEnvelope(remoteAddress: flow.remote,
                                                                           data: ByteBuffer(bytes: bytes))))
        }
    }

    /// The flow `send(_:to:)` takes to a UDP destination whose address is an IP literal (no name
    /// lookup): from the realm's UDP listener of the address's family. Nil for any other.
    public func datagramFlow(to destination: OutboundDestination) -> Flow? {
        guard destination.transport == .udp,
              let remote = try? SocketAddress(ipAddress: destination.address.host, port: destination.address.port)
        else { return nil }
        return datagramFlow(realm: destination.realm, to: remote)
    }

    private func datagramFlow(realm: String, to remote: SocketAddress) -> Flow? {
        let listener = started.withLock { s in
            s?.listeners.first { $0.id.realm == realm && $0.id.transport == .udp && $0.localAddress.protocol == remote.protocol }
        }
        return listener.map {
            Flow(transport: .udp, listener: $0.id, realm: realm, local: $0.localAddress, remote: remote, connection: nil)
        }
    }

    /// Where `sendResponse(_:to:)` sends a response to a request received over UDP, when that
    /// needs no name lookup (RFC 3581 `received`/`rport` is an IP literal); nil otherwise.
    public func datagramResponseFlow(_ response: SIPMessage, to requestFlow: Flow) -> Flow? {
        guard requestFlow.connection == nil, requestFlow.transport == .udp, let via = response.topVia else { return nil }
        let target = ViaStamping.responseDestination(topVia: via, transport: .udp)
        guard let remote = try? SocketAddress(ipAddress: target.host, port: target.port) else { return nil }
        var flow = requestFlow
        flow.remote = remote
        return flow
    }

    /// RFC 3261 §18.2.2: a response goes back on the request's connection while it is open; else a
    /// new connection to `received` (or sent-by) and the sent-by port. Over UDP it goes to
    /// `received`:`rport` (RFC 3581 §4), `received`:port, or sent-by, from the listener it came to.
    @discardableResult
    public func sendResponse(_ response: SIPMessage, to requestFlow: Flow,
                             isolation: isolated (any Actor)? = #isolation) async throws -> Flow {
        let bytes = response.printed
        if let id = requestFlow.connection, registry.entry(id) != nil {
            try await send(bytes, on: requestFlow)
            return requestFlow
        }
        guard let via = response.topVia else { throw TransportError(.badAddress, "response without Via") }
        let target = ViaStamping.responseDestination(topVia: via, transport: requestFlow.transport)
        if requestFlow.transport == .udp {
            var flow = requestFlow
            flow.remote = try await resolve(target)
            try await send(bytes, on: flow)
            return flow
        }
        return try await send(bytes, to: OutboundDestination(realm: requestFlow.realm, transport: requestFlow.transport,
                                                              address: target))
    }

    /// Sends to a destination: over UDP from the realm's listener; over TCP/TLS on a pooled
    /// connection (opened, verified and pooled on first use). Returns the flow used.
    @discardableResult
    public func send(_ bytes: [UInt8], to destination: OutboundDestination,
                     isolation: isolated (any Actor)? = #isolation) async throws -> Flow {
        var destination = destination
        if destination.transport == .tls, destination.tls == nil {
            destination.tls = tlsPolicy(realm: destination.realm, host: destination.address.host)
        }
        let flow: Flow
        switch destination.transport {
        case .udp:
            let remote = try await resolve(destination.address)
            guard let datagramFlow = datagramFlow(realm: destination.realm, to: remote) else {
                throw TransportError(.noListener, "\(destination.realm)/udp for \(remote)")
            }
            flow = datagramFlow
        case .tcp, .tls:
            flow = try await connection(to: destination)
        }
        try await send(bytes, on: flow)
        return flow
    }

    /// How a TLS server of `realm` reached as `host` is verified, from `settings.tlsPeers`.
    public func tlsPolicy(realm: String, host: String) -> TLSPeerPolicy {
        TLSPeerRule.policy(for: host, realm: realm, in: settings.tlsPeers)
    }

    /// RFC 5626 §4.4.1: sends a CRLFCRLF ping on a stream flow; without a pong in
    /// `settings.pongTimeout` the connection is closed and counted as a dead flow.
    /// On a UDP flow it sends one CRLFCRLF datagram to the flow's remote address from the flow's
    /// listener (RFC 5626 §3.5.1 style; no answer expected), so it refreshes the NAT mapping the
    /// flow's messages use. It is not a SIP message and is not counted as one.
    public func keepalive(_ flow: Flow) async throws {
        if flow.connection == nil, flow.transport == .udp {
            guard let listener = flow.listener, let channel = started.withLock({ $0?.udp[listener]?.channel }) else {
                throw TransportError(.noListener, "\(flow)")
            }
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: flow.remote,
                                                              data: ByteBuffer(bytes: Self.crlfcrlf)))
            return
        }
        guard let id = flow.connection, let entry = registry.entry(id) else {
            throw TransportError(.flowClosed, "\(flow)")
        }
        let channel = entry.channel
        try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: SIPStreamHandler.self)
            let context = try channel.pipeline.syncOperations.context(handlerType: SIPStreamHandler.self)
            handler.sendPing(context: context)
        }.get()
    }

    private static let crlfcrlf: [UInt8] = Array("\r\n\r\n".utf8)

    /// False for a stream flow whose connection has closed: nothing reaches its peer along it any
    /// more (Palisade never connects towards a phone). A UDP flow is always open.
    public func isOpen(_ flow: Flow) -> Bool {
        flow.connection.map { registry.entry($0) != nil } ?? true
    }

    /// Closes a stream flow's connection. UDP flows have nothing to close.
    public func close(_ flow: Flow) async {
        guard let id = flow.connection, let entry = registry.entry(id) else { return }
        try? await entry.channel.close()
    }

    // MARK: Receiving (called by the handlers on their event loop)

    /// Parses and checks one framed message, then delivers it or answers/drops it.
    func receive(_ bytes: [UInt8], flow: Flow, framing: SIPMessage.Framing, reply: ([UInt8]) -> Void) {
        let limits = settings.limits
        var message: SIPMessage
        do {
            message = try SIPMessage(parsing: bytes, framing: framing, limits: limits)
            try message.validate(limits: limits)
        } catch {
            counters.parseError(error.code)
            // The verdict API decides what a fault means: answer a request, drop a response.
            switch checkSIPMessage(bytes, limits: limits) {
            case .reject(let status, let reason, _, _, _):
                if let answer = ErrorResponse.make(status: status, reason: reason, request: bytes) {
                    reply(answer)
                    counters.messageOut(flow.realm, flow.transport)
                }
            case .drop:
                counters.update { $0.droppedResponses += 1 }
            case .accept:
                // Datagram-lenient parsing accepts what stream parsing refused (e.g. bytes after
                // the body): still not a valid stream message, so it is dropped.
                counters.update { $0.droppedResponses += 1 }
            }
            return
        }
        counters.messageIn(flow.realm, flow.transport)
        if message.isRequest {
            if let stamped = ViaStamping.stamp(message, source: flow.remote, framing: framing, limits: limits) {
                message = stamped
            }
            noteAlias(message, flow: flow)
        }
        let inbound = InboundMessage(message: message, flow: flow)
        if let inline = inline.withLock({ $0 }), inline.loop.inEventLoop {
            inline.handler(inbound)
            return
        }
        if case .dropped = continuation.yield(inbound) {
            counters.update { $0.deliveryDrops += 1 }
        }
    }

    /// RFC 5923 §5: a request whose top Via carries `alias` lets requests to (source IP, sent-by
    /// port) reuse this connection. Over TLS the alias is taken only from a peer whose certificate
    /// verified (its identity is on the flow).
    private func noteAlias(_ message: SIPMessage, flow: Flow) {
        guard let id = flow.connection, let via = message.topVia,
              via.parameters.contains(where: { ASCIIName.equals($0.name, "alias") }),
              let ip = flow.remote.ipAddress else { return }
        if flow.transport == .tls, flow.peerIdentity == nil { return }
        let key = PoolKey(realm: flow.realm, transport: flow.transport, host: ViaStamping.canonicalIP(ip),
                          port: via.port ?? flow.transport.defaultPort)
        registry.pool(key, id)
    }

    // MARK: Binding and connecting

    /// No SO_REUSEADDR on UDP: it would let a second process bind the same address and port
    /// (and the kernel hand one port-0 listener another's port), silently splitting the traffic.
    /// The socket is bound here and handed to NIO, which reads from it and closes it with the
    /// channel; `sendDatagramNow` writes to it (see `DatagramSocket`).
    private func bindUDP(_ spec: ListenerSpec, _ id: ListenerID) async throws -> DatagramListener {
        let socket = try DatagramSocket.bound(to: try await resolve(spec.bind))
        let bootstrap = DatagramBootstrap(group: datagramGroup)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SIPDatagramHandler(layer: self, listener: id))
                }
            }
        // From here the descriptor is NIO's. A channel that fails to start is not closed by NIO
        // (nor here: it may hold the descriptor); the daemon exits on a listener that fails.
        let channel = try await bootstrap.withBoundSocket(socket.descriptor).get()
        return DatagramListener(channel: channel, socket: socket)
    }

    private func bindStream(_ spec: ListenerSpec, _ id: ListenerID, tls: TLSServerContexts?) async throws -> any Channel {
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        if tls != nil {
            // NIOSSL's per-connection buffers on pages of their own (see PagedBufferAllocator).
            // Each channel also keeps its last receive buffer for the next read: start it at 1 KiB
            // (a ClientHello fits; NIO's 2 KiB default is kept by every idle connection), it grows
            // after a read that fills it.
            bootstrap = bootstrap.childChannelOption(.allocator, value: PagedBufferAllocator.allocator)
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1024,
                                                                                           maximum: 65_536))
        }
        return try await bootstrap
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let remote = channel.remoteAddress, let local = channel.localAddress else {
                        throw TransportError(.badAddress, "accepted socket without addresses")
                    }
                    let flow = Flow(transport: spec.transport, listener: id, realm: spec.realm, local: local,
                                    remote: remote, connection: registry.makeID())
                    let entry = ConnectionRegistry.Entry(channel: channel, flow: flow,
                                                         inboundIP: ViaStamping.canonicalIP(remote.ipAddress ?? ""))
                    if let refusal = registry.admit(entry) {
                        counters.refused(refusal)
                        throw TransportError(.connectionLimit, "\(refusal.rawValue) for \(remote)")
                    }
                    let sync = channel.pipeline.syncOperations
                    if let tls {
                        try sync.addHandler(NIOSSLServerHandler(context: tls.context))
                    }
                    try sync.addHandler(IdleStateHandler(readTimeout: TimeAmount(settings.idleTimeout)))
                    try sync.addHandler(SIPStreamHandler(layer: self, flow: flow, ready: nil, peerPolicy: nil))
                }
            }
            .bind(host: spec.bind.host, port: spec.bind.port).get()
    }

    /// A usable connection to `destination`: pooled, or opened (and verified) now and pooled.
    private func connection(to destination: OutboundDestination) async throws -> Flow {
        let remote = try await resolve(destination.address)
        let key = PoolKey(realm: destination.realm, transport: destination.transport,
                          host: ViaStamping.canonicalIP(remote.ipAddress ?? destination.address.host),
                          port: destination.address.port)
        if let entry = registry.pooled(key), entry.channel.isActive, acceptable(entry.flow, for: destination) {
            return entry.flow
        }
        // Requests racing to a destination with no connection yet share one connect, so a burst at
        // start-up opens one connection, not one per request.
        let pendingKey = PendingConnect(pool: key, tls: destination.tls)
        let (task, opener) = connecting.withLock { pending -> (Task<Flow, any Error>, Bool) in
            if let running = pending[pendingKey] { return (running, false) }
            let task = Task { try await self.openConnection(to: destination, remote: remote, key: key) }
            pending[pendingKey] = task
            return (task, true)
        }
        defer {
            if opener { _ = connecting.withLock { $0.removeValue(forKey: pendingKey) } }
        }
        return try await task.value
    }

    private func openConnection(to destination: OutboundDestination, remote: SocketAddress,
                                key: PoolKey) async throws -> Flow {
        var policy: TLSPeerPolicy?
        var context: NIOSSLContext?
        if destination.transport == .tls {
            guard let p = destination.tls else {
                throw TransportError(.tlsConfiguration, "TLS destination \(destination.address) without a peer policy")
            }
            policy = p
            context = try clientContext(p)
        }
        let id = registry.makeID()
        let realm = destination.realm
        let transport = destination.transport
        let loop = group.next()
        let ready = loop.makePromise(of: Flow.self)
        let sslContext = context
        let peerPolicy = policy
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(settings.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.allocator, value: sslContext == nil ? ByteBufferAllocator() : PagedBufferAllocator.allocator)
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        let flow = Flow(transport: transport, listener: nil, realm: realm,
                                        local: channel.localAddress ?? remote, remote: remote, connection: id)
                        if let refusal = registry.admit(ConnectionRegistry.Entry(channel: channel, flow: flow, inboundIP: nil)) {
                            counters.refused(refusal)
                            let error = TransportError(.connectionLimit, refusal.rawValue)
                            ready.fail(error)
                            throw error
                        }
                        let sync = channel.pipeline.syncOperations
                        if let sslContext, let peerPolicy {
                            let isName = (try? SocketAddress(ipAddress: peerPolicy.sipDomain, port: 0)) == nil
                            try sync.addHandler(NIOSSLClientHandler(context: sslContext,
                                                                    serverHostname: isName ? peerPolicy.sipDomain : nil))
                        }
                        try sync.addHandler(IdleStateHandler(readTimeout: TimeAmount(settings.idleTimeout)))
                        try sync.addHandler(SIPStreamHandler(layer: self, flow: flow, ready: ready, peerPolicy: peerPolicy))
                    }
                }
                .connect(to: remote).get()
        } catch {
            // A completed promise ignores this; an untouched one must not leak.
            ready.fail(error)
            throw error
        }
        do {
            var flow = try await ready.futureResult.get()
            // The local address is known only once connected.
            if let local = channel.localAddress { flow.local = local }
            registry.updateFlow(flow)
            registry.pool(key, id)
            return flow
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// A pooled connection serves a TLS destination only if it proved the same SIP domain.
    private func acceptable(_ flow: Flow, for destination: OutboundDestination) -> Bool {
        guard destination.transport == .tls, let policy = destination.tls else { return true }
        switch policy.verification {
        case .none, .chainOnly: return true
        case .rfc5922:
            guard let identity = flow.peerIdentity else { return false }
            return CertificateIdentity.matches(identity, sipDomain: policy.sipDomain)
        }
    }

    private func clientContext(_ policy: TLSPeerPolicy) throws(TransportError) -> NIOSSLContext {
        if let cached = clientContexts.withLock({ $0[policy] }) { return cached }
        let context = try policy.makeContext()
        clientContexts.withLock { $0[policy] = context }
        return context
    }

    /// IP literals directly; names through getaddrinfo on NIO's thread pool, since it blocks.
    private func resolve(_ address: HostPort, isolation: isolated (any Actor)? = #isolation) async throws -> SocketAddress {
        if let literal = try? SocketAddress(ipAddress: address.host, port: address.port) { return literal }
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try SocketAddress.makeAddressResolvingHost(address.host, port: address.port)
            }
        } catch {
            throw TransportError(.badAddress, "\(address): \(error)")
        }
    }
}

/// Case-insensitive comparison of a parameter name's bytes with a lowercase ASCII name.
enum ASCIIName {
    static func equals(_ bytes: ArraySlice<UInt8>, _ name: StaticString) -> Bool {
        // Only an upper-case letter ORs to its lower-case one; `name` is letters.
        bytes.count == name.utf8CodeUnitCount
            && zip(bytes, UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)).allSatisfy { $0 | 0x20 == $1 }
    }
}

extension EventLoopFuture where Value: Sendable {
    /// The future's result, awaited on the caller's executor. NIO's own async `writeAndFlush` and
    /// `get()` are plain nonisolated async functions: each await of them hopped from SIPService's
    /// event loop to the global concurrency pool and back, two thread hand-offs per message sent.
    ///
    /// The caller's isolation is an explicit parameter on purpose, here and in every function
    /// that reaches this one: inside a `nonisolated(nonsending)` function `#isolation` is `nil`,
    /// so the continuation would run on, and resume to, the global pool after all.
    func settled(isolation: isolated (any Actor)? = #isolation) async throws -> Value {
        try await withCheckedThrowingContinuation(isolation: isolation) { continuation in
            whenComplete { continuation.resume(with: $0) }
        }
    }
}
