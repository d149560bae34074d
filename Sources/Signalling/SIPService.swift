import B2BUA
import Logging
import NIOCore
import PosixSupport
import ServiceLifecycle
import SIPCore
import SIPMessage
import SIPTransport
import Synchronization

/// palisade-signal's SIP engine: every message from the transports runs through the transaction
/// layer (SIPCore), whose actions this shell performs — sends on the message's flow (or, for
/// client transactions, to their destination), timers on its event loop, deliveries to the
/// transaction user.
///
/// The transaction user is the B2BUA (`SIPService+Calls.swift`) for calls it can route, and the
/// local request policy for the rest: OPTIONS to the SBC itself is answered 200, everything else
/// gets a proper refusal, never silence.
///
/// The actor runs on one NIO event loop (its executor): the receive loop, the send loop, the
/// per-call queues and the transaction timers all run there, so a message does not hop between
/// the event loops and Swift's global pool on its way through (each hop a thread wake-up).
public actor SIPService: Service {
    /// The timers a transaction has running, as bits: a `Set` was an allocation per transaction.
    private struct TimerSet: Sequence {
        private var bits: UInt32 = 0

        private static func bit(_ timer: TransactionTimer) -> UInt32 {
            1 << UInt32(TransactionTimer.allCases.firstIndex(of: timer)!)
        }

        mutating func insert(_ timer: TransactionTimer) { bits |= Self.bit(timer) }
        mutating func remove(_ timer: TransactionTimer) { bits &= ~Self.bit(timer) }

        func makeIterator() -> IndexingIterator<[TransactionTimer]> {
            TransactionTimer.allCases.filter { bits & Self.bit($0) != 0 }.makeIterator()
        }
    }

    private struct TimerKey: Hashable {
        let transaction: TransactionKey
        let timer: TransactionTimer
    }

    /// Where a message goes: along a flow (responses, requests to a phone through its NAT
    /// binding) or to a destination the transport resolves and connects to.
    /// Boxed: a `Flow` is about 300 bytes (NIO's `SocketAddress` has room for a Unix socket path),
    /// and the hops table, one entry per transaction, would hold each inline with its slack.
    indirect enum Hop: Sendable {
        case flow(Flow)
        case destination(OutboundDestination)
    }

    /// One send, in the order the transaction layer asked for it.
    struct Outbound: Sendable {
        let message: SIPMessage
        let hop: Hop
        let transaction: TransactionKey?
    }

    let transport: TransportLayer
    let policy: LocalRequestPolicy
    /// The embedded registrar (nil: REGISTER goes to the local request policy).
    let registrar: RegistrarService?
    let logger: Logger
    var transactions: TransactionLayer
    /// Where each transaction sends: a server transaction's request flow (its responses go back
    /// that way), a client transaction's next hop.
    var hops: [TransactionKey: Hop] = [:]
    /// The B2BUA's configuration (nil: no calls are routed, the policy answers all). Replaced
    /// whole by a configuration reload (`replaceRouting`); calls in progress keep what they took.
    private let routing: Mutex<CallRouting?>
    nonisolated var calls: CallRouting? { routing.withLock { $0 } }
    var callTable = CallTable()
    var mediaEventTask: Task<Void, Never>?
    /// One OPTIONS probe loop per probed target (`SIPService+TargetProbes.swift`).
    var probeTasks: [Task<Void, Never>] = []
    /// Targets with a probe outstanding: a slow probe (Timer F outlasts a short interval) is not
    /// doubled by the next.
    var probesInFlight: Set<RouteTarget> = []
    /// The registration relay's expiry sweep (`SIPService+RegistrationRelay.swift`).
    var relaySweepTask: Task<Void, Never>?
    /// Which targets are up; read by new calls and by /metrics.
    let targetHealth = Mutex(TargetHealth())
    /// Transaction timers; one callback scheduled on the loop for the earliest (see `TimerQueue`).
    private var timers = TimerQueue<TimerKey>()
    /// The deadline of the earliest wake-up scheduled on the loop and not yet run.
    private var timerWake: NIODeadline?
    /// The event loop this actor runs on.
    nonisolated let loop: any EventLoop
    /// The loop as this actor's executor and as the task executor its tasks prefer (see `LoopExecutor`).
    nonisolated let loopExecutor: LoopExecutor

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loopExecutor.asUnownedSerialExecutor() }
    /// CANCEL server transactions and the INVITE server transaction each targets (§9.2).
    var cancelTargets: [TransactionKey: TransactionKey] = [:]
    private var timersOf: [TransactionKey: TimerSet] = [:]
    /// SIP messages that reached or left the transaction layer, by direction, realm, transport and
    /// method (requests) or status class (responses); read by /metrics.
    public struct TrafficKey: Hashable, Sendable {
        public let direction: String
        public let realm: String
        public let transport: String
        /// The method ("INVITE"; "other" for extension methods, so labels stay bounded), or the
        /// status class ("2xx").
        public let kind: String
        public let isRequest: Bool
    }

    private let traffic = Mutex<[TrafficKey: Int]>([:])

    /// Call counters for /metrics.
    public struct CallCounts: Sendable {
        public var active = 0
        /// By the caller's realm.
        public var attempted: [String: Int] = [:]
        public var answered: [String: Int] = [:]
        /// By the caller's realm and cause.
        public var failed: [CallFailureKey: Int] = [:]
        /// New INVITEs refused by admission control, by the realm at its limit and the limit.
        public var admissionRejected: [AdmissionRejectionKey: Int] = [:]
    }

    public struct AdmissionRejectionKey: Hashable, Sendable {
        public let realm: String
        public let reason: AdmissionControl.Rejection
    }

    public struct CallFailureKey: Hashable, Sendable {
        public let realm: String
        public let cause: String
    }

    let callCounts = Mutex(CallCounts())

    public nonisolated var callCounters: CallCounts { callCounts.withLock { $0 } }

    /// Call setup time and post-dial delay for /metrics (`SIPService+CallTimings.swift`).
    let callTimings = Mutex(CallTimings())
    /// Admission control (issue 6 item 9): the realms' limits and the calls holding slots. Read
    /// by /metrics, so behind a lock rather than on the actor.
    let admission: Mutex<AdmissionControl>
    /// What a caller refused by admission control is told to wait (Retry-After, seconds).
    public static let admissionRetryAfterSeconds = 10

    /// The realms calls go through, sorted (every one gets a line in /metrics, zeros included).
    public nonisolated var realmNames: [String] { (calls?.realms.keys).map { $0.sorted() } ?? [] }

    /// Calls each realm carries now, as admission control counts them.
    public nonisolated var activeCallsByRealm: [String: Int] { admission.withLock { $0.active } }

    /// Drain (`palisadectl drain`, SIGTERM): new calls and registrations are refused with 503 and
    /// Retry-After while calls in progress go on. A plain flag the receive path reads.
    private let drainFlag = Mutex(false)
    /// Seconds a SIGTERM waits for calls in progress to end before the transports stop.
    private let drainGrace: Duration
    /// What a refused caller is told to wait (Retry-After, seconds).
    public static let drainRetryAfterSeconds = 60

    public nonisolated var isDraining: Bool { drainFlag.withLock { $0 } }

    public nonisolated func setDraining(_ draining: Bool) {
        let changed = drainFlag.withLock { flag in
            defer { flag = draining }
            return flag != draining
        }
        if changed {
            logger.notice(draining ? "draining: new calls and registrations refused with 503"
                                   : "drain ended: new calls and registrations accepted",
                          metadata: ["active-calls": "\(callCounters.active)"])
        }
    }

    /// Transactions that timed out (Timers B, F, H), by timer; read by /metrics.
    private let timeouts = Mutex<[TransactionTimer: Int]>([:])
    private let outbound: AsyncStream<Outbound>
    private let outboundContinuation: AsyncStream<Outbound>.Continuation
    /// Messages queued for the sender task and not yet sent (`send(_:)`).
    private var outboundPending = 0

    public init(transport: TransportLayer, timers: TransactionTimers, capacity: Int, policy: LocalRequestPolicy,
                calls: CallRouting? = nil, registrar: RegistrarService? = nil, drainGrace: Duration = .zero,
                loop: any EventLoop, logger: Logger) {
        self.loop = loop
        loopExecutor = LoopExecutor(loop)
        self.drainGrace = drainGrace
        self.transport = transport
        self.policy = policy
        routing = Mutex(calls)
        self.registrar = registrar
        admission = Mutex(AdmissionControl(limits: (calls?.realms ?? [:]).mapValues(\.limits)))
        self.logger = logger
        transactions = TransactionLayer(capacity: capacity, timers: timers)
        (outbound, outboundContinuation) = AsyncStream.makeStream(of: Outbound.self)
    }

    /// Consumes the transports' messages until shutdown; one task sends, in order.
    public nonisolated func run() async throws {
        let transport = self.transport
        await withTaskExecutorPreference(loopExecutor) {
            await runOnLoop(transport)
        }
    }

    private nonisolated func runOnLoop(_ transport: TransportLayer) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.sendLoop() }
            await self.watchMediaEvents()
            await self.startProbing()
            await self.startRelaySweep()
            // Datagrams arrive on this actor's own loop: straight in, no stream in between.
            transport.deliverInline(on: loop) { [self] inbound in receiveOnLoop(inbound) }
            await withGracefulShutdownHandler {
                await self.consume(transport.messages)
            } onGracefulShutdown: {
                Task { await self.drainThenStop() }
            }
            await self.finish()
        }
    }

    /// A reloaded configuration's routes, targets, realm policies and limits, for new calls from
    /// now on (calls in progress keep theirs). Admission keeps its counts under the new limits;
    /// probing restarts for the new targets.
    public func replaceRouting(_ new: CallRouting?) {
        routing.withLock { $0 = new }
        admission.withLock { $0.replaceLimits((new?.realms ?? [:]).mapValues(\.limits)) }
        for task in probeTasks { task.cancel() }
        probeTasks = []
        startProbing()
    }

    public nonisolated var trafficCounts: [TrafficKey: Int] { traffic.withLock { $0 } }

    /// Responses' `kind` in the traffic counts, by status class, built once.
    private static let statusClasses = (0...6).map { "\($0)xx" }

    nonisolated func count(_ message: SIPMessage, _ direction: String, on flow: Flow) {
        let kind: String
        if let method = message.method {
            if case .extension = method { kind = "other" } else { kind = method.description }
        } else {
            let statusClass = (message.statusCode ?? 0) / 100
            kind = Self.statusClasses.indices.contains(statusClass) ? Self.statusClasses[statusClass] : "\(statusClass)xx"
        }
        let key = TrafficKey(direction: direction, realm: flow.realm, transport: flow.transport.rawValue, kind: kind,
                             isRequest: message.isRequest)
        traffic.withLock { $0[key, default: 0] += 1 }
    }

    /// Transaction timeouts so far, by timer name ("B", "F", "H").
    public nonisolated var transactionTimeouts: [String: Int] {
        timeouts.withLock { counts in
            Dictionary(uniqueKeysWithValues: counts.map { ("\($0.key)", $0.value) })
        }
    }

    private func finish() {
        transport.deliverInline(on: nil) { _ in }
        outboundContinuation.finish()
        timers.removeAll()
        timersOf = [:]
        callTable.finishAll()
        mediaEventTask?.cancel()
        for task in probeTasks { task.cancel() }
        probeTasks = []
        relaySweepTask?.cancel()
        relaySweepTask = nil
    }

    /// The transports' messages, one after another, on the actor's loop.
    private func consume(_ messages: AsyncStream<InboundMessage>) async {
        for await inbound in messages { receive(inbound) }
    }

    /// Sends a message, in order with every message sent before it. A UDP message with nothing
    /// queued ahead of it is sent at once from this loop (`TransportLayer.sendDatagramNow`);
    /// anything else — a stream flow, a destination named by a host name or reached over TCP/TLS,
    /// or a message behind queued ones — goes through the sender task.
    func send(_ item: Outbound) {
        if outboundPending == 0 {
            let flow: Flow?
            switch item.hop {
            case .flow(let requestFlow):
                flow = item.message.isRequest ? requestFlow : transport.datagramResponseFlow(item.message, to: requestFlow)
            case .destination(let destination):
                flow = transport.datagramFlow(to: destination)
            }
            if let flow, let written = transport.sendDatagramNow(item.message.printed, on: flow) {
                count(item.message, "out", on: flow)
                switch written {
                case .sent:
                    break
                case .failed(let error):
                    sendFailed(item, error)
                case .queued(let future):
                    future.whenFailure { [self] error in
                        // The listener's loop is this actor's.
                        assumeIsolated { $0.sendFailed(item, error) }
                    }
                }
                return
            }
        }
        outboundPending += 1
        outboundContinuation.yield(item)
    }

    private func sendFailed(_ item: Outbound, _ error: any Error) {
        logger.warning("could not send", metadata: ["hop": "\(item.hop)", "error": "\(error)"])
        if let key = item.transaction { transportFailed(key) }
    }

    private func sendLoop() async {
        for await item in outbound {
            defer { outboundPending -= 1 }
            do {
                let flow: Flow
                switch item.hop {
                case .flow(let f) where item.message.isRequest:
                    try await transport.send(item.message.printed, on: f)
                    flow = f
                case .flow(let f):
                    flow = try await transport.sendResponse(item.message, to: f)
                case .destination(let destination):
                    flow = try await transport.send(item.message.printed, to: destination)
                }
                count(item.message, "out", on: flow)
            } catch {
                sendFailed(item, error)
            }
        }
    }

    func receive(_ inbound: InboundMessage) {
        let kind: TransactionTransport = inbound.flow.transport.isStream ? .reliable : .unreliable
        count(inbound.message, "in", on: inbound.flow)
        do {
            switch try transactions.receive(inbound.message, transport: kind, now: .now) {
            case .created(let key, let actions, let cancels):
                hops[key] = .flow(inbound.flow)
                if let cancels { cancelTargets[key] = cancels }
                perform(actions, for: key)
            case .matched(let key, let actions):
                perform(actions, for: key)
            case .unmatched(let message):
                // An ACK for a 2xx goes to its call; a response to no transaction of ours (a late
                // 2xx retransmission) is ACKed by its call or dropped.
                if calls == nil || !unmatched(message, on: inbound.flow) {
                    logger.debug("dropped a message matching no transaction",
                                 metadata: ["flow": "\(inbound.flow)", "start": "\(message.startLineText)"])
                }
            }
        } catch {
            refuseStatelessly(inbound, error)
        }
    }

    /// A request the transaction layer cannot take (no branch, table full) is still answered.
    private func refuseStatelessly(_ inbound: InboundMessage, _ error: TransactionLayerError) {
        let message = inbound.message
        guard message.isRequest, message.method != .ack else {
            logger.debug("dropped a response the transaction layer refused", metadata: ["error": "\(error)"])
            return
        }
        let status = error.code == .tableFull ? 503 : 400
        logger.warning("refused a request statelessly", metadata: ["status": "\(status)", "error": "\(error)"])
        var headers: [(String, String)] = []
        if status == 503 { headers.append(("Retry-After", "5")) }
        let response = SIPResponseBuilder.response(to: message, status: status, toTag: Self.makeTag(),
                                                   headers: headers)
        send(Outbound(message: response, hop: .flow(inbound.flow), transaction: nil))
    }

    func perform(_ actions: [TransactionAction], for key: TransactionKey) {
        for action in actions {
            switch action {
            case .transmit(let message):
                guard let hop = hops[key] else { continue }
                send(Outbound(message: message, hop: hop, transaction: key))
            case .startTimer(let timer, let deadline):
                arm(timer, of: key, at: deadline)
            case .cancelTimer(let timer):
                timers.cancel(TimerKey(transaction: key, timer: timer))
                timersOf[key]?.remove(timer)
            case .deliverToTU(let message):
                deliver(message, on: key)
            case .timeoutToTU(let timer, let response):
                timeouts.withLock { $0[timer, default: 0] += 1 }
                logger.info("transaction timed out", metadata: ["transaction": "\(key)", "timer": "\(timer)"])
                // §17.1.1.2, §17.1.2.2: the client TU hears the timeout as a 408.
                if key.role == .client, let response { deliver(response, on: key) }
            case .transportErrorToTU(let response):
                logger.warning("transport error on a transaction", metadata: ["transaction": "\(key)"])
                // §8.1.3.1: a transport failure is a 503 for the client TU.
                if key.role == .client, let response { deliver(response, on: key) }
            case .terminated:
                hops[key] = nil
                cancelTargets[key] = nil
                clientTransactionEnded(key)
                for timer in timersOf.removeValue(forKey: key) ?? TimerSet() {
                    timers.cancel(TimerKey(transaction: key, timer: timer))
                }
            }
        }
    }

    private func arm(_ timer: TransactionTimer, of key: TransactionKey, at deadline: ContinuousClock.Instant) {
        timersOf[key, default: TimerSet()].insert(timer)
        let delay = ContinuousClock.now.duration(to: deadline)
        let due = NIODeadline.now() + TimeAmount(max(delay, .zero))
        timers.schedule(TimerKey(transaction: key, timer: timer), at: due)
        wakeForTimers(at: due)
    }

    /// Schedules a wake-up on the loop at `due` unless one at or before it is pending. A later
    /// wake-up left pending runs and finds nothing due; none is ever cancelled.
    private func wakeForTimers(at due: NIODeadline) {
        if let pending = timerWake, pending <= due { return }
        timerWake = due
        // A callback, not scheduleTask: no promise, future or closure context per wake-up (the
        // handler is one reference, stored inline). Only a loop shutting down refuses it.
        _ = try? loop.scheduleCallback(at: due, handler: TimerWake(service: self))
    }

    /// Runs `timersDue` on the service's loop; it holds the service as the closure it replaces did.
    private struct TimerWake: NIOScheduledCallbackHandler, Sendable {
        let service: SIPService
        func handleScheduledCallback(eventLoop: some EventLoop) {
            // Scheduled on this actor's own loop, so the callback runs isolated to it.
            service.timersDueOnLoop()
        }
    }

    // `Actor.assumeIsolated` allocates on every call (a box for its `withoutActuallyEscaping`),
    // once per datagram here. These two do what it does for the hot paths — check that the
    // caller is on the actor's executor (its loop), then call the isolated function as a plain
    // one, the same cast the standard library makes — with closures that capture nothing.

    /// `receive`, from the listener's handler on the actor's own loop.
    private nonisolated func receiveOnLoop(_ inbound: InboundMessage) {
        loop.preconditionInEventLoop()
        let isolated: (isolated SIPService, InboundMessage) -> Void = { service, inbound in service.receive(inbound) }
        unsafeBitCast(isolated, to: ((SIPService, InboundMessage) -> Void).self)(self, inbound)
    }

    /// `timersDue`, from a callback scheduled on the actor's own loop.
    private nonisolated func timersDueOnLoop() {
        loop.preconditionInEventLoop()
        let isolated: (isolated SIPService) -> Void = { service in service.timersDue() }
        unsafeBitCast(isolated, to: ((SIPService) -> Void).self)(self)
    }

    private func timersDue() {
        let now = NIODeadline.now()
        // The wake-up pending is this one or an earlier one that has passed too.
        if let pending = timerWake, pending <= now { timerWake = nil }
        while let id = timers.popExpired(now: now) { fire(id.timer, of: id.transaction) }
        if let next = timers.nextDeadline() { wakeForTimers(at: next) }
    }

    private func fire(_ timer: TransactionTimer, of key: TransactionKey) {
        timersOf[key]?.remove(timer)
        guard let actions = try? transactions.handle(.timerFired(timer), for: key, now: .now) else { return }
        perform(actions, for: key)
    }

    func transportFailed(_ key: TransactionKey) {
        guard let actions = try? transactions.handle(.transportError, for: key, now: .now) else { return }
        perform(actions, for: key)
    }

    /// The transaction user: responses to client transactions go to their call; a request goes
    /// to the B2BUA when it belongs to a call or can start one, else the local request policy
    /// answers it.
    func deliver(_ message: SIPMessage, on key: TransactionKey) {
        if key.role == .client {
            // Calls, probes and relayed registrations: `clientResponse` finds the purpose.
            clientResponse(message, on: key)
            return
        }
        guard message.isRequest else { return }
        if isDraining, message.method == .register || (message.method == .invite && message.to?.tag == nil) {
            let response = SIPResponseBuilder.response(
                to: message, status: 503, toTag: Self.makeTag(),
                headers: [("Retry-After", "\(Self.drainRetryAfterSeconds)")])
            return respond(response, on: key)
        }
        // Registrations (RegistrarService.swift): the registrar answers REGISTER, sometimes late
        // (the auth-failure throttle); the server transaction absorbs retransmissions meanwhile.
        if message.method == .register, let registrar, case .flow(let flow) = hops[key] {
            if let upstream = registrar.relayUpstream {
                return relayRegister(message, key: key, flow: flow, registrar: registrar, upstream: upstream)
            }
            let answer = registrar.answer(message, on: flow, toTag: Self.makeTag())
            guard let delay = answer.delay else { return respond(answer.response, on: key) }
            Task { try? await Task.sleep(for: delay); respond(answer.response, on: key) }
            return
        }
        if calls != nil, takeRequest(message, on: key) { return }
        guard let response = policy.answer(message, toTag: Self.makeTag()) else { return }
        respond(response, on: key)
    }

    /// SIGTERM: refuse new work, let calls in progress end (BYEs still flow) for up to the grace
    /// period, then stop the transports, which ends `run`.
    private func drainThenStop() async {
        setDraining(true)
        let deadline = ContinuousClock.now + drainGrace
        while callCounters.active > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if callCounters.active > 0 {
            logger.warning("drain grace period over; stopping with calls in progress",
                           metadata: ["active-calls": "\(callCounters.active)"])
        }
        await transport.shutdown()
    }

    /// Sends a response through its server transaction.
    func respond(_ response: SIPMessage, on key: TransactionKey) {
        if let call = callTable.byServerInvite[key], let status = response.statusCode { timeCallerResponse(call, status) }
        guard let actions = try? transactions.handle(.send(response), for: key, now: .now) else { return }
        perform(actions, for: key)
    }

    /// A To tag (RFC 3261 §19.3): at least 32 bits of randomness.
    static func makeTag() -> String {
        String(IdentifierRandom.word(), radix: 36)
    }
}

extension SIPMessage {
    var startLineText: String { String(decoding: bytes[..<startLineEnd], as: UTF8.self) }
}
