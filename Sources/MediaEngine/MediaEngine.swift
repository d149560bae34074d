import CPalisadeShims
import SRTP
#if canImport(Glibc)
import Glibc
#endif

/// The media relay as the control thread sees it.
///
/// Drive it from one thread only (the control thread): every method here is the single producer
/// of the workers' command queues. Changes are handed to the stream's worker and take effect on
/// its next loop turn; answers and events come back through `collectEvents()`, and
/// `notificationFD` becomes readable when there is something to collect, so it can sit in the
/// control thread's poll set.
///
/// Commands to one worker apply in the order sent, on its next loop turn: the `.statistics` reply
/// to a later `requestStatistics` proves that earlier adds, updates and removes are in effect.
/// An engine runs once: after `stop()` make a new one.
public final class MediaEngine: @unchecked Sendable {
    /// A local address and the port range streams on it use.
    public struct Interface: Equatable, Sendable {
        public var name: String
        /// IPv4, host byte order.
        public var address: UInt32
        public var ports: ClosedRange<UInt16>

        public init(name: String, address: UInt32, ports: ClosedRange<UInt16>) {
            self.name = name
            self.address = address
            self.ports = ports
        }
    }

    public struct Configuration: Equatable, Sendable {
        public var interfaces: [Interface]
        /// Nil: one per CPU this process may use.
        public var workers: Int?
        public var maxStreamsPerWorker: Int
        /// Capacity of each command and event queue.
        public var queueCapacity: Int
        /// Datagrams per recvmmsg/sendmmsg.
        public var batchSize: Int
        /// How often workers look for timed-out streams.
        public var housekeepingInterval: Duration
        /// Pin worker i to CPU i modulo the CPU count.
        public var pinWorkers: Bool
        /// SO_RCVBUF/SO_SNDBUF for media sockets; nil keeps the kernel default.
        public var socketBufferBytes: Int32?

        public init(interfaces: [Interface], workers: Int? = nil, maxStreamsPerWorker: Int = 4096,
                    queueCapacity: Int = 1024, batchSize: Int = 64, housekeepingInterval: Duration = .milliseconds(100),
                    pinWorkers: Bool = false, socketBufferBytes: Int32? = nil) {
            self.interfaces = interfaces
            self.workers = workers
            self.maxStreamsPerWorker = maxStreamsPerWorker
            self.queueCapacity = queueCapacity
            self.batchSize = batchSize
            self.housekeepingInterval = housekeepingInterval
            self.pinWorkers = pinWorkers
            self.socketBufferBytes = socketBufferBytes
        }
    }

    private struct Placement {
        var worker: Int
        var slot: Int
        var ports: StreamPorts
        var removing: Bool
        /// The SRTP contexts of legs A and B, owned here for as long as the worker may use them.
        var crypto: (a: OwnedCrypto, b: OwnedCrypto)
    }

    /// One leg's SRTP contexts, owned by the control thread. The worker holds them unretained
    /// (`LegCrypto`); they are released only after the worker has stopped using them: with the
    /// stream's `.removed` reply, or once the worker has processed the update that replaced them.
    struct OwnedCrypto {
        var keys: SRTPLegKeys?
        var inbound: SRTPContext?
        var outbound: SRTPContext?

        static let passthrough = OwnedCrypto()

        init() {}

        init(_ transform: LegTransform) throws(SRTPError) {
            guard case .srtp(let keys) = transform else { return }
            self.keys = keys
            outbound = try SRTPContext(key: keys.local, direction: .outbound)
            if let remote = keys.remote { inbound = try SRTPContext(key: remote, direction: .inbound) }
        }

        var worker: LegCrypto {
            LegCrypto(isSRTP: keys != nil, inbound: inbound.map { Unmanaged.passUnretained($0) },
                      outbound: outbound.map { Unmanaged.passUnretained($0) })
        }

        /// What the worker must do to go from these contexts to `transform`'s, the contexts that
        /// result, and the ones the worker gives up. A context whose key changes within its suite
        /// is re-keyed in place (srtp_update keeps rollover counters and replay state); an
        /// outbound context is never replaced by a fresh one with the same key, which would
        /// restart its indices and reuse keystream.
        func change(to transform: LegTransform) throws(SRTPError)
            -> (CryptoChange?, OwnedCrypto, retired: [SRTPContext])
        {
            var next = OwnedCrypto()
            var retired: [SRTPContext] = []
            guard case .srtp(let keys) = transform else {
                guard self.keys != nil else { return (nil, self, []) }
                retired = [inbound, outbound].compactMap { $0 }
                return (CryptoChange(isSRTP: false, inbound: .replace(nil), outbound: .replace(nil)), next, retired)
            }
            next.keys = keys
            let outboundChange: ContextChange
            if let outbound, let old = self.keys, old.local.suite == keys.local.suite {
                next.outbound = outbound
                outboundChange = old.local == keys.local ? .keep : .rekey(keys.local)
            } else {
                let fresh = try SRTPContext(key: keys.local, direction: .outbound)
                next.outbound = fresh
                if let outbound { retired.append(outbound) }
                outboundChange = .replace(Unmanaged.passUnretained(fresh))
            }
            let inboundChange: ContextChange
            if let remote = keys.remote {
                if let inbound, let oldRemote = self.keys?.remote, oldRemote.suite == remote.suite {
                    next.inbound = inbound
                    inboundChange = oldRemote == remote ? .keep : .rekey(remote)
                } else {
                    let fresh = try SRTPContext(key: remote, direction: .inbound)
                    next.inbound = fresh
                    if let inbound { retired.append(inbound) }
                    inboundChange = .replace(Unmanaged.passUnretained(fresh))
                }
            } else if let inbound {
                retired.append(inbound)
                inboundChange = .replace(nil)
            } else {
                inboundChange = .keep
            }
            if self.keys != nil, case .keep = inboundChange, case .keep = outboundChange {
                return (nil, next, [])
            }
            return (CryptoChange(isSRTP: true, inbound: inboundChange, outbound: outboundChange), next, retired)
        }
    }

    public let configuration: Configuration
    /// Readable (an eventfd) when workers have queued events or replies.
    public let notificationFD: Int32
    private let workers: [Worker]
    private let interfaces: [String: Interface]
    private var pools: [String: PortPool]
    private var placements: [StreamID: Placement] = [:]
    private var freeSlots: [[Int]]
    private var outstandingReplies: [Int]
    private var collected: [EngineEvent] = []
    private var nextWorker = 0
    /// Commands sent to each worker, compared with its `commandsDone`.
    private var commandsSent: [UInt64]
    /// Contexts a worker gave up by an update: freed once it has processed command number `after`.
    private var retired: [(worker: Int, after: UInt64, contexts: [SRTPContext])] = []
    private var running = false
    private var stopped = false

    public init(_ configuration: Configuration) throws(MediaEngineError) {
        guard !configuration.interfaces.isEmpty else {
            throw MediaEngineError(.invalidConfiguration, "no media interface configured")
        }
        guard configuration.maxStreamsPerWorker > 0, configuration.maxStreamsPerWorker < 1 << 24,
              configuration.queueCapacity > 0, (1...1024).contains(configuration.batchSize) else {
            throw MediaEngineError(.invalidConfiguration, "engine limits out of range")
        }
        var interfaces: [String: Interface] = [:]
        var pools: [String: PortPool] = [:]
        for interface in configuration.interfaces {
            guard interfaces[interface.name] == nil else {
                throw MediaEngineError(.invalidConfiguration, "interface \(interface.name) configured twice")
            }
            do {
                pools[interface.name] = try PortPool(range: interface.ports)
            } catch {
                throw MediaEngineError(.invalidConfiguration, "interface \(interface.name): \(error)")
            }
            interfaces[interface.name] = interface
        }
        let cpus = Int(palisade_available_cpus())
        let count = configuration.workers ?? cpus
        guard count > 0 else { throw MediaEngineError(.invalidConfiguration, "workers must be at least 1") }
        let notify = palisade_eventfd_create()
        guard notify >= 0 else { throw MediaEngineError(.socket, "eventfd: \(String(cString: strerror(errno)))") }
        var workers: [Worker] = []
        for index in 0..<count {
            guard let worker = Worker(index: index, capacity: configuration.maxStreamsPerWorker,
                                      batchSize: configuration.batchSize, queueCapacity: configuration.queueCapacity,
                                      housekeeping: configuration.housekeepingInterval, notifyFD: notify,
                                      pinToCPU: configuration.pinWorkers ? index % cpus : nil)
            else {
                close(notify)
                throw MediaEngineError(.socket, "worker \(index): epoll, eventfd or slab allocation failed")
            }
            workers.append(worker)
        }
        self.configuration = configuration
        self.notificationFD = notify
        self.workers = workers
        self.interfaces = interfaces
        self.pools = pools
        self.freeSlots = Array(repeating: Array((0..<configuration.maxStreamsPerWorker).reversed()), count: count)
        self.outstandingReplies = Array(repeating: 0, count: count)
        self.commandsSent = Array(repeating: 0, count: count)
    }

    deinit {
        stop()
        close(notificationFD)
    }

    public var workerCount: Int { workers.count }
    public var streamCount: Int { placements.count }

    public func start() throws(MediaEngineError) {
        guard !running else { return }
        guard !stopped else { throw MediaEngineError(.notRunning, "a stopped engine cannot be restarted") }
        for worker in workers {
            let result = worker.start()
            guard result == 0 else {
                for started in workers { started.stop() }
                throw MediaEngineError(.socket, "pthread_create: \(String(cString: strerror(result)))")
            }
        }
        running = true
    }

    /// Stops every worker (they close their sockets) and forgets every stream.
    public func stop() {
        guard running else { return }
        for worker in workers { worker.stop() }
        running = false
        stopped = true
        for (_, placement) in placements {
            releasePorts(placement.ports)
        }
        // The workers are joined: nothing uses a context any more.
        placements.removeAll()
        retired.removeAll()
    }

    /// Port pairs still free on an interface.
    public func availablePorts(interface: String) -> Int? { pools[interface]?.available }

    /// The packet worker relaying a stream, nil once it is gone.
    public func worker(of stream: StreamID) -> Int? { placements[stream]?.worker }

    /// Every interface's port pairs in use and in all, by interface name (for /metrics).
    public func portPoolUsage() -> [(interface: String, inUse: Int, total: Int)] {
        pools.sorted { $0.key < $1.key }.map { ($0.key, $0.value.capacity - $0.value.available, $0.value.capacity) }
    }

    /// Allocates ports on both legs' interfaces, binds the sockets, and hands the stream to a worker.
    /// Returns the local addresses for SDP.
    public func addStream(_ spec: StreamSpec) -> Result<StreamPorts, MediaEngineError> {
        guard running else { return .failure(MediaEngineError(.notRunning, "engine not started")) }
        guard placements[spec.id] == nil else {
            return .failure(MediaEngineError(.duplicateStream, "\(spec.id) exists"))
        }
        guard let worker = pickWorker() else {
            return .failure(MediaEngineError(.streamCapacity, "every worker holds \(configuration.maxStreamsPerWorker) streams"))
        }
        let crypto: (a: OwnedCrypto, b: OwnedCrypto)
        do {
            crypto = (try OwnedCrypto(spec.a.transform), try OwnedCrypto(spec.b.transform))
        } catch {
            return .failure(MediaEngineError(.srtp, "libsrtp2 refused a key: \(error)"))
        }
        let a: (LegPorts, LegSetup)
        switch open(spec.a, crypto.a.worker) {
        case .success(let opened): a = opened
        case .failure(let error): return .failure(error)
        }
        let b: (LegPorts, LegSetup)
        switch open(spec.b, crypto.b.worker) {
        case .success(let opened): b = opened
        case .failure(let error):
            closeSockets(a.1)
            releasePorts(a.0)
            return .failure(error)
        }
        let slot = freeSlots[worker].removeLast()
        let setup = StreamSetup(id: spec.id, a: a.1, b: b.1, clockRate: spec.clockRate, timeouts: spec.timeouts,
                                onHold: spec.onHold)
        guard send(.add(slot: slot, setup), to: worker) else {
            freeSlots[worker].append(slot)
            closeSockets(a.1)
            closeSockets(b.1)
            releasePorts(a.0)
            releasePorts(b.0)
            return .failure(MediaEngineError(.workerBusy, "worker \(worker) command queue full"))
        }
        let ports = StreamPorts(a: a.0, b: b.0)
        placements[spec.id] = Placement(worker: worker, slot: slot, ports: ports, removing: false, crypto: crypto)
        return .success(ports)
    }

    public func updateStream(_ id: StreamID, _ update: StreamUpdate) -> Result<Void, MediaEngineError> {
        guard let placement = placements[id], !placement.removing else {
            return .failure(MediaEngineError(.unknownStream, "\(id)"))
        }
        reapRetired()
        var changes: (a: CryptoChange?, b: CryptoChange?) = (nil, nil)
        var next = placement.crypto
        var retiring: [SRTPContext] = []
        do {
            if let leg = update.a {
                let (change, owned, retired) = try placement.crypto.a.change(to: leg.transform)
                (changes.a, next.a) = (change, owned)
                retiring += retired
            }
            if let leg = update.b {
                let (change, owned, retired) = try placement.crypto.b.change(to: leg.transform)
                (changes.b, next.b) = (change, owned)
                retiring += retired
            }
        } catch {
            return .failure(MediaEngineError(.srtp, "\(id): libsrtp2 refused a key: \(error)"))
        }
        guard send(.update(slot: placement.slot, update, a: changes.a, b: changes.b), to: placement.worker) else {
            // Contexts made for this update die here, never seen by the worker.
            return .failure(MediaEngineError(.workerBusy, "worker \(placement.worker) command queue full"))
        }
        if !retiring.isEmpty {
            retired.append((placement.worker, commandsSent[placement.worker], retiring))
        }
        var updated = placement
        updated.crypto = next
        placements[id] = updated
        return .success(())
    }

    /// SRTP contexts retired by updates and not yet freed (the worker has not caught up).
    public var retiredContextCount: Int { retired.reduce(0) { $0 + $1.contexts.count } }

    /// Frees retired contexts whose worker has processed the command that retired them.
    private func reapRetired() {
        guard !retired.isEmpty else { return }
        retired.removeAll { entry in
            workers[entry.worker].commandsDone.load(ordering: .acquiring) >= entry.after
        }
    }

    private func send(_ command: WorkerCommand, to worker: Int) -> Bool {
        guard workers[worker].send(command) else { return false }
        commandsSent[worker] += 1
        return true
    }

    /// Asks the worker to close the stream's sockets. Its ports return to the pool, and a
    /// `.removed` event with the final counters appears, once the worker has done so.
    public func removeStream(_ id: StreamID) -> Result<Void, MediaEngineError> {
        guard var placement = placements[id], !placement.removing else {
            return .failure(MediaEngineError(.unknownStream, "\(id)"))
        }
        guard outstandingReplies[placement.worker] < workers[placement.worker].replies.capacity,
              send(.remove(slot: placement.slot), to: placement.worker) else {
            return .failure(MediaEngineError(.workerBusy, "worker \(placement.worker) command queue full"))
        }
        outstandingReplies[placement.worker] += 1
        placement.removing = true
        placements[id] = placement
        return .success(())
    }

    /// Asks for a stream's counters; they arrive as a `.statistics` event.
    public func requestStatistics(_ id: StreamID) -> Result<Void, MediaEngineError> {
        guard let placement = placements[id], !placement.removing else {
            return .failure(MediaEngineError(.unknownStream, "\(id)"))
        }
        guard outstandingReplies[placement.worker] < workers[placement.worker].replies.capacity,
              send(.snapshot(slot: placement.slot), to: placement.worker) else {
            return .failure(MediaEngineError(.workerBusy, "worker \(placement.worker) command queue full"))
        }
        outstandingReplies[placement.worker] += 1
        return .success(())
    }

    /// Everything workers have reported since the last call, replies first per worker. Finishes
    /// removals (ports back to the pool) as a side effect.
    public func collectEvents() -> [EngineEvent] {
        _ = palisade_eventfd_drain(notificationFD)
        for (index, worker) in workers.enumerated() {
            while let reply = worker.replies.pop() {
                outstandingReplies[index] -= 1
                switch reply {
                case .statistics(let statistics):
                    collected.append(.statistics(statistics))
                case .removed(let slot, let statistics):
                    if let placement = placements.removeValue(forKey: statistics.id) {
                        releasePorts(placement.ports)
                    }
                    freeSlots[index].append(slot)
                    collected.append(.removed(statistics))
                }
            }
            while let event = worker.events.pop() { collected.append(event) }
        }
        reapRetired()
        defer { collected.removeAll(keepingCapacity: true) }
        return collected
    }

    /// Per-worker totals, read from what each worker published on its last loop turn.
    public func workerTotals() -> [WorkerTotals] {
        workers.enumerated().map { $0.element.published.read(worker: $0.offset) }
    }

    // MARK: private

    private func pickWorker() -> Int? {
        for offset in 0..<workers.count {
            let candidate = (nextWorker + offset) % workers.count
            if !freeSlots[candidate].isEmpty {
                nextWorker = (candidate + 1) % workers.count
                return candidate
            }
        }
        return nil
    }

    /// Takes a port pair and binds its sockets. A pair some other process holds goes back to the
    /// end of the pool and the next one is tried, a bounded number of times.
    private func open(_ leg: LegSpec, _ crypto: LegCrypto) -> Result<(LegPorts, LegSetup), MediaEngineError> {
        guard let interface = interfaces[leg.interface] else {
            return .failure(MediaEngineError(.unknownInterface, "interface \(leg.interface) is not configured"))
        }
        var lastError = "no attempt"
        for _ in 0..<16 {
            let pair: PortPair
            switch pools[leg.interface]!.allocate() {
            case .success(let allocated): pair = allocated
            case .failure(let error):
                return .failure(MediaEngineError(.portsExhausted, "interface \(leg.interface): \(error.context)"))
            }
            let rtpFD: Int32
            switch UDPSocket.bind(address: interface.address, port: pair.rtp, bufferBytes: configuration.socketBufferBytes) {
            case .success(let fd): rtpFD = fd
            case .failure(let failure):
                _ = pools[leg.interface]!.release(pair)
                lastError = "bind \(pair.rtp): \(failure.text)"
                continue
            }
            var rtcpFD: Int32 = -1
            if !leg.rtcpMux {
                switch UDPSocket.bind(address: interface.address, port: pair.rtcp,
                                      bufferBytes: configuration.socketBufferBytes) {
                case .success(let fd): rtcpFD = fd
                case .failure(let failure):
                    UDPSocket.close(rtcpFD)
                    UDPSocket.close(rtpFD)
                    _ = pools[leg.interface]!.release(pair)
                    lastError = "bind \(pair.rtcp): \(failure.text)"
                    continue
                }
            }
            let ports = LegPorts(local: IPv4Endpoint(address: interface.address, port: pair.rtp),
                                 rtcpPort: leg.rtcpMux ? nil : pair.rtcp, pair: pair, interface: leg.interface)
            let setup = LegSetup(rtpFD: rtpFD, rtcpFD: rtcpFD, rtcpMux: leg.rtcpMux, remote: leg.remote,
                                 remoteRTCP: leg.remoteRTCP, latching: leg.latching, crypto: crypto)
            return .success((ports, setup))
        }
        return .failure(MediaEngineError(.socket, "interface \(leg.interface): \(lastError)"))
    }

    private func closeSockets(_ setup: LegSetup) {
        UDPSocket.close(setup.rtpFD)
        UDPSocket.close(setup.rtcpFD)
    }

    private func releasePorts(_ ports: LegPorts) {
        _ = pools[ports.interface]?.release(ports.pair)
    }

    private func releasePorts(_ ports: StreamPorts) {
        releasePorts(ports.a)
        releasePorts(ports.b)
    }
}
