import CPalisadeShims
import RTP
import SRTP
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Totals a worker publishes once per loop turn with relaxed stores; read by the control thread.
final class PublishedTotals: Sendable {
    let streams = Atomic<UInt64>(0)
    let receivedPackets = Atomic<UInt64>(0)
    let receivedBytes = Atomic<UInt64>(0)
    let relayedPackets = Atomic<UInt64>(0)
    let relayedBytes = Atomic<UInt64>(0)
    let authenticationFailure = Atomic<UInt64>(0)
    let replay = Atomic<UInt64>(0)
    let unknownSource = Atomic<UInt64>(0)
    let malformed = Atomic<UInt64>(0)
    let noRoute = Atomic<UInt64>(0)
    let sendFailure = Atomic<UInt64>(0)
    let receiveBatches = Atomic<UInt64>(0)
    let eventsLost = Atomic<UInt64>(0)
    let loopTurns = Atomic<UInt64>(0)

    func publish(_ t: WorkerTotals) {
        streams.store(t.streams, ordering: .relaxed)
        receivedPackets.store(t.receivedPackets, ordering: .relaxed)
        receivedBytes.store(t.receivedBytes, ordering: .relaxed)
        relayedPackets.store(t.relayedPackets, ordering: .relaxed)
        relayedBytes.store(t.relayedBytes, ordering: .relaxed)
        authenticationFailure.store(t.drops.authenticationFailure, ordering: .relaxed)
        replay.store(t.drops.replay, ordering: .relaxed)
        unknownSource.store(t.drops.unknownSource, ordering: .relaxed)
        malformed.store(t.drops.malformed, ordering: .relaxed)
        noRoute.store(t.drops.noRoute, ordering: .relaxed)
        sendFailure.store(t.drops.sendFailure, ordering: .relaxed)
        receiveBatches.store(t.receiveBatches, ordering: .relaxed)
        eventsLost.store(t.eventsLost, ordering: .relaxed)
        loopTurns.store(t.loopTurns, ordering: .relaxed)
    }

    func read(worker: Int) -> WorkerTotals {
        var t = WorkerTotals(worker: worker)
        t.streams = streams.load(ordering: .relaxed)
        t.receivedPackets = receivedPackets.load(ordering: .relaxed)
        t.receivedBytes = receivedBytes.load(ordering: .relaxed)
        t.relayedPackets = relayedPackets.load(ordering: .relaxed)
        t.relayedBytes = relayedBytes.load(ordering: .relaxed)
        t.drops.authenticationFailure = authenticationFailure.load(ordering: .relaxed)
        t.drops.replay = replay.load(ordering: .relaxed)
        t.drops.unknownSource = unknownSource.load(ordering: .relaxed)
        t.drops.malformed = malformed.load(ordering: .relaxed)
        t.drops.noRoute = noRoute.load(ordering: .relaxed)
        t.drops.sendFailure = sendFailure.load(ordering: .relaxed)
        t.receiveBatches = receiveBatches.load(ordering: .relaxed)
        t.eventsLost = eventsLost.load(ordering: .relaxed)
        t.loopTurns = loopTurns.load(ordering: .relaxed)
        return t
    }
}

/// One packet worker: a pthread that owns an epoll set, the sockets of its streams and a packet
/// slab. Everything it touches per packet is reached through `let` pointers allocated in `init`.
///
/// The control thread talks to it only through `commands` (+ `wakeFD` for the commands it
/// answers; it also adds a new stream's sockets to `epollFD`), and hears back through `replies`
/// (answers it asked for; never lost) and `events` (best effort; losses counted), after which the
/// worker signals `notifyFD`.
final class Worker: @unchecked Sendable {
    static let wakeToken = UInt64.max
    static let latchLogCapacity = 8
    /// recvmmsg calls per ready socket per loop turn: bounds how long one busy socket can starve
    /// the others (level-triggered epoll brings it back next turn).
    static let batchesPerWakeup = 8

    let index: Int
    let capacity: Int
    let epollFD: Int32
    let wakeFD: Int32
    let notifyFD: Int32
    let housekeepingNanoseconds: UInt64
    let pinToCPU: Int32
    let commands: SPSCQueue<WorkerCommand>
    let replies: SPSCQueue<WorkerReply>
    let events: SPSCQueue<EngineEvent>
    let published = PublishedTotals()
    let stopRequested = Atomic<Bool>(false)
    /// Commands taken off `commands` and carried out, stored with release ordering after each:
    /// the engine frees SRTP contexts an update or remove retired once this passes that command.
    let commandsDone = Atomic<UInt64>(0)

    let slab: PacketSlab
    let streams: UnsafeMutablePointer<StreamState>
    /// Two per stream: slot * 2 + side.
    let legs: UnsafeMutablePointer<LegState>
    /// `latchLogCapacity` per stream.
    let latchLog: UnsafeMutablePointer<LatchRecord>
    let tokens: UnsafeMutablePointer<UInt64>
    /// Plain counters, touched by the worker thread only.
    let totals: UnsafeMutablePointer<WorkerTotals>
    /// Highest slot in use + 1, to bound housekeeping scans.
    let slotHighWater: UnsafeMutablePointer<Int>
    let pendingNotify: UnsafeMutablePointer<Bool>

    private var thread: pthread_t?

    init?(index: Int, capacity: Int, batchSize: Int, queueCapacity: Int, housekeeping: Duration,
          notifyFD: Int32, pinToCPU: Int?) {
        guard let slab = PacketSlab(count: batchSize) else { return nil }
        let epollFD = palisade_epoll_create()
        let wakeFD = palisade_eventfd_create()
        guard epollFD >= 0, wakeFD >= 0, palisade_epoll_add(epollFD, wakeFD, Self.wakeToken) == 0 else {
            if epollFD >= 0 { close(epollFD) }
            if wakeFD >= 0 { close(wakeFD) }
            slab.deallocate()
            return nil
        }
        self.index = index
        self.capacity = capacity
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.notifyFD = notifyFD
        self.housekeepingNanoseconds = max(housekeeping.nanoseconds, 1_000_000)
        self.pinToCPU = pinToCPU.map { Int32($0) } ?? -1
        self.slab = slab
        commands = SPSCQueue(capacity: queueCapacity)
        // Each command yields at most one reply, and the engine never has more than this many
        // outstanding, so a reply never finds the ring full.
        replies = SPSCQueue(capacity: queueCapacity + capacity)
        events = SPSCQueue(capacity: queueCapacity)
        streams = .allocate(capacity: capacity)
        streams.initialize(repeating: StreamState(), count: capacity)
        legs = .allocate(capacity: capacity * 2)
        legs.initialize(repeating: LegState(), count: capacity * 2)
        let blank = LatchRecord(side: .a, channel: .rtp, source: IPv4Endpoint(address: 0, port: 0),
                                reason: .matchedSignalled, at: 0)
        latchLog = .allocate(capacity: capacity * Self.latchLogCapacity)
        latchLog.initialize(repeating: blank, count: capacity * Self.latchLogCapacity)
        tokens = .allocate(capacity: 64)
        tokens.initialize(repeating: 0, count: 64)
        totals = .allocate(capacity: 1)
        totals.initialize(to: WorkerTotals(worker: index))
        slotHighWater = .allocate(capacity: 1)
        slotHighWater.initialize(to: 0)
        pendingNotify = .allocate(capacity: 1)
        pendingNotify.initialize(to: false)
    }

    deinit {
        slab.deallocate()
        streams.deallocate()
        legs.deallocate()
        latchLog.deallocate()
        tokens.deallocate()
        totals.deallocate()
        slotHighWater.deallocate()
        pendingNotify.deallocate()
        close(epollFD)
        close(wakeFD)
    }

    // MARK: control-thread side

    func start() -> Int32 {
        var handle = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&handle, nil, { raw in
            let worker = Unmanaged<Worker>.fromOpaque(raw!).takeRetainedValue()
            worker.run()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<Worker>.fromOpaque(context).release()
            return created
        }
        thread = handle
        return 0
    }

    /// Ends the loop, closes every socket the worker owns, and joins.
    func stop() {
        guard let handle = thread else { return }
        stopRequested.store(true, ordering: .releasing)
        _ = palisade_eventfd_signal(wakeFD)
        pthread_join(handle, nil)
        thread = nil
    }

    /// Queues a command. Only a snapshot (a query someone waits for) wakes the worker: an add
    /// or update needs to be in effect by the next packet of its stream, and a packet wakes the
    /// worker, which takes its commands before the ready list; a remove waits for the next
    /// packet or housekeeping tick too (the call it belongs to has ended; its final counters are
    /// at most one interval late, and on a busy worker a packet comes first). Housekeeping wakes
    /// it within its interval anyway. So a call's commands wake neither the worker nor, through
    /// `notifyFD`, the control thread of their own, and the removes of one interval are answered
    /// together.
    func send(_ command: WorkerCommand) -> Bool {
        guard commands.push(command) else { return false }
        switch command {
        case .add(let slot, let setup): watch(slot: slot, setup)
        case .update, .remove: break
        case .snapshot: _ = palisade_eventfd_signal(wakeFD)
        }
        return true
    }

    /// Puts an added stream's sockets in the worker's epoll set, after its `.add` is queued:
    /// a packet on them wakes the worker, which finds the add before the packet's token.
    private func watch(slot: Int, _ setup: StreamSetup) {
        watch(slot: slot, side: .a, setup.a)
        watch(slot: slot, side: .b, setup.b)
    }

    private func watch(slot: Int, side: LegSide, _ leg: LegSetup) {
        let base = UInt64(slot) << 2 | UInt64(side.rawValue) << 1
        _ = palisade_epoll_add(epollFD, leg.rtpFD, base)
        if leg.rtcpFD >= 0 { _ = palisade_epoll_add(epollFD, leg.rtcpFD, base | 1) }
    }

    // MARK: worker thread

    private func run() {
        if pinToCPU >= 0 { _ = palisade_pin_current_thread(pinToCPU) }
        let timeoutMilliseconds = Int32(clamping: housekeepingNanoseconds / 1_000_000)
        var lastHousekeeping = MonotonicClock.nanoseconds()
        while !stopRequested.load(ordering: .acquiring) {
            let ready = palisade_epoll_wait(epollFD, tokens, 64, timeoutMilliseconds)
            // Commands before the ready list: a command the control thread queued before a
            // packet arrived (an update with new keys, answered to the signalling at once) is in
            // effect for that packet. A token of a stream removed just now finds its slot unused
            // (relay checks), and a slot reused by an add in the same turn is read from its new
            // sockets, which is harmless: epoll is level-triggered.
            processCommands()
            if ready > 0 {
                for k in 0..<Int(ready) {
                    let token = tokens[k]
                    if token == Self.wakeToken {
                        _ = palisade_eventfd_drain(wakeFD)
                    } else {
                        relay(token: token)
                    }
                }
            }
            processCommands()
            let now = MonotonicClock.nanoseconds()
            if now &- lastHousekeeping >= housekeepingNanoseconds {
                lastHousekeeping = now
                scanTimeouts(now: now)
            }
            totals.pointee.loopTurns &+= 1
            published.publish(totals.pointee)
            if pendingNotify.pointee {
                pendingNotify.pointee = false
                _ = palisade_eventfd_signal(notifyFD)
            }
        }
        for slot in 0..<slotHighWater.pointee where streams[slot].inUse {
            closeSockets(slot: slot)
            streams[slot].inUse = false
        }
    }

    private func processCommands() {
        while let command = commands.pop() {
            switch command {
            case .add(let slot, let setup): add(slot: slot, setup)
            case .update(let slot, let update, let a, let b): apply(update, crypto: (a, b), slot: slot)
            case .remove(let slot):
                let final = snapshot(slot: slot)
                closeSockets(slot: slot)
                streams[slot].inUse = false
                totals.pointee.streams &-= 1
                reply(.removed(slot: slot, final))
            case .snapshot(let slot):
                reply(.statistics(snapshot(slot: slot)))
            }
            commandsDone.add(1, ordering: .releasing)
        }
    }

    private func reply(_ reply: WorkerReply) {
        // Cannot fail: see the capacity of `replies`.
        _ = replies.push(reply)
        pendingNotify.pointee = true
    }

    func emit(_ event: EngineEvent) {
        if events.push(event) {
            pendingNotify.pointee = true
        } else {
            totals.pointee.eventsLost &+= 1
        }
    }

    private func add(slot: Int, _ setup: StreamSetup) {
        let now = MonotonicClock.nanoseconds()
        var state = StreamState()
        state.id = setup.id
        state.inUse = true
        state.clockRate = setup.clockRate
        state.activeTimeout = setup.timeouts.active.nanoseconds
        state.onHoldTimeout = setup.timeouts.onHold.nanoseconds
        state.onHold = setup.onHold
        state.lastActivity = now
        streams[slot] = state
        legs[slot * 2] = LegState(setup: setup.a)
        legs[slot * 2 + 1] = LegState(setup: setup.b)
        slotHighWater.pointee = max(slotHighWater.pointee, slot + 1)
        totals.pointee.streams &+= 1
    }

    private func apply(_ update: StreamUpdate, crypto: (a: CryptoChange?, b: CryptoChange?), slot: Int) {
        guard streams[slot].inUse else { return }
        let now = MonotonicClock.nanoseconds()
        for side in LegSide.allCases {
            let leg = legs + (slot * 2 + Int(side.rawValue))
            if let change = side == .a ? crypto.a : crypto.b {
                leg.pointee.crypto.isSRTP = change.isSRTP
                Self.apply(change.inbound, to: &leg.pointee.crypto.inbound)
                Self.apply(change.outbound, to: &leg.pointee.crypto.outbound)
            }
            guard let change = side == .a ? update.a : update.b else { continue }
            let oldSignalled = leg.pointee.signalled
            leg.pointee.apply(remote: change.remote, remoteRTCP: change.remoteRTCP, latching: change.latching)
            // A new signalled address means a new peer (re-INVITE): learn again.
            if oldSignalled != change.remote {
                if let old = leg.pointee.latched {
                    record(slot: slot, LatchRecord(side: side, channel: .rtp, source: old, reason: .clearedByUpdate,
                                                   at: now))
                }
                leg.pointee.latched = nil
                leg.pointee.latchedRTCP = nil
            }
        }
        if let onHold = update.onHold { streams[slot].onHold = onHold }
        if let timeouts = update.timeouts {
            streams[slot].activeTimeout = timeouts.active.nanoseconds
            streams[slot].onHoldTimeout = timeouts.onHold.nanoseconds
        }
        // A changed policy starts the idle clock afresh.
        streams[slot].lastActivity = now
        streams[slot].timedOut = false
    }

    /// Control work on the worker thread (a command, not a packet): srtp_update allocates.
    private static func apply(_ change: ContextChange, to context: inout Unmanaged<SRTPContext>?) {
        switch change {
        case .keep: break
        case .replace(let replacement): context = replacement
        case .rekey(let key):
            // The engine re-keys only a context of the same suite with a key of the right length,
            // which srtp_update accepts; were it refused, the old key stays and packets under the
            // new one are counted as authentication failures.
            guard let context else { return }
            try? context.takeUnretainedValue().update(key: key)
        }
    }

    private func closeSockets(slot: Int) {
        for offset in 0..<2 {
            let leg = legs + (slot * 2 + offset)
            // Closing takes a socket out of the epoll set (nothing dups these descriptors), so the
            // number cannot come back as a stale token.
            UDPSocket.close(leg.pointee.rtpFD)
            UDPSocket.close(leg.pointee.rtcpFD)
            leg.pointee.rtpFD = -1
            leg.pointee.rtcpFD = -1
        }
    }

    private func snapshot(slot: Int) -> StreamStatistics {
        let state = streams[slot]
        var log: [LatchRecord] = []
        log.reserveCapacity(state.latchCount)
        let base = slot * Self.latchLogCapacity
        let oldest = (state.latchHead - state.latchCount + Self.latchLogCapacity) % Self.latchLogCapacity
        for k in 0..<state.latchCount {
            log.append(latchLog[base + (oldest + k) % Self.latchLogCapacity])
        }
        return StreamStatistics(id: state.id, a: legs[slot * 2].snapshot(), b: legs[slot * 2 + 1].snapshot(),
                                latchLog: log, timedOut: state.timedOut)
    }

    /// Appends to the stream's ring, skipping a record identical (but for time) to the newest, so
    /// a flood from one hijacker leaves the earlier decisions readable.
    func record(slot: Int, _ entry: LatchRecord) {
        let base = slot * Self.latchLogCapacity
        let state = streams + slot
        if state.pointee.latchCount > 0 {
            let newest = latchLog[base + (state.pointee.latchHead - 1 + Self.latchLogCapacity) % Self.latchLogCapacity]
            if newest.side == entry.side, newest.channel == entry.channel, newest.source == entry.source,
               newest.reason == entry.reason {
                return
            }
        }
        latchLog[base + state.pointee.latchHead] = entry
        state.pointee.latchHead = (state.pointee.latchHead + 1) % Self.latchLogCapacity
        state.pointee.latchCount = min(state.pointee.latchCount + 1, Self.latchLogCapacity)
        if entry.accepted { emit(.latched(state.pointee.id, entry)) }
    }

    private func scanTimeouts(now: UInt64) {
        for slot in 0..<slotHighWater.pointee where streams[slot].inUse && !streams[slot].timedOut {
            let state = streams + slot
            let limit = state.pointee.onHold ? state.pointee.onHoldTimeout : state.pointee.activeTimeout
            guard limit > 0 else { continue }
            let idle = now &- state.pointee.lastActivity
            if now > state.pointee.lastActivity, idle >= limit {
                state.pointee.timedOut = true
                emit(.timedOut(state.pointee.id, idleNanoseconds: idle, onHold: state.pointee.onHold))
            }
        }
    }
}
