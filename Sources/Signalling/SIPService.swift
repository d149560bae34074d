import Logging
import ServiceLifecycle
import SIPCore
import SIPMessage
import SIPTransport
import Synchronization

/// palisade-signal's SIP engine: every message from the transports runs through the transaction
/// layer (SIPCore), whose actions this shell performs — sends on the message's flow, timers as
/// tasks, deliveries to the transaction user. Until the B2BUA exists, the transaction user is the
/// local request policy: OPTIONS to the SBC itself is answered 200, everything else gets a proper
/// refusal, never silence.
public actor SIPService: Service {
    private struct TimerKey: Hashable {
        let transaction: TransactionKey
        let timer: TransactionTimer
    }

    /// One send, in the order the transaction layer asked for it.
    private struct Outbound: Sendable {
        let message: SIPMessage
        let flow: Flow
        let transaction: TransactionKey?
    }

    private let transport: TransportLayer
    private let policy: LocalRequestPolicy
    private let registrar: RegistrarService?
    private let logger: Logger
    private var transactions: TransactionLayer
    /// The flow each transaction's request arrived on: its responses go back that way.
    private var flows: [TransactionKey: Flow] = [:]
    private var timers: [TimerKey: Task<Void, Never>] = [:]
    private var timersOf: [TransactionKey: Set<TransactionTimer>] = [:]
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

    /// Transactions that timed out (Timers B, F, H), by timer; read by /metrics.
    private let timeouts = Mutex<[TransactionTimer: Int]>([:])
    private let outbound: AsyncStream<Outbound>
    private let outboundContinuation: AsyncStream<Outbound>.Continuation

    public init(transport: TransportLayer, timers: TransactionTimers, capacity: Int, policy: LocalRequestPolicy,
                registrar: RegistrarService? = nil, logger: Logger) {
        self.transport = transport
        self.policy = policy
        self.registrar = registrar
        self.logger = logger
        transactions = TransactionLayer(capacity: capacity, timers: timers)
        (outbound, outboundContinuation) = AsyncStream.makeStream(of: Outbound.self)
    }

    /// Consumes the transports' messages until shutdown; one task sends, in order.
    public nonisolated func run() async throws {
        let transport = self.transport
        await withDiscardingTaskGroup { group in
            group.addTask { await self.sendLoop() }
            await withGracefulShutdownHandler {
                for await inbound in transport.messages { await self.receive(inbound) }
            } onGracefulShutdown: {
                Task { await transport.shutdown() }
            }
            await self.finish()
        }
    }

    public nonisolated var trafficCounts: [TrafficKey: Int] { traffic.withLock { $0 } }

    nonisolated func count(_ message: SIPMessage, _ direction: String, on flow: Flow) {
        let kind: String
        if let method = message.method {
            if case .extension = method { kind = "other" } else { kind = method.description }
        } else {
            kind = "\((message.statusCode ?? 0) / 100)xx"
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
        outboundContinuation.finish()
        for task in timers.values { task.cancel() }
        timers = [:]
        timersOf = [:]
    }

    private nonisolated func sendLoop() async {
        for await item in outbound {
            do {
                if item.message.isRequest {
                    try await transport.send(item.message.printed, on: item.flow)
                } else {
                    try await transport.sendResponse(item.message, to: item.flow)
                }
                count(item.message, "out", on: item.flow)
            } catch {
                logger.warning("could not send", metadata: ["flow": "\(item.flow)", "error": "\(error)"])
                if let key = item.transaction { await transportFailed(key) }
            }
        }
    }

    private func receive(_ inbound: InboundMessage) {
        let kind: TransactionTransport = inbound.flow.transport.isStream ? .reliable : .unreliable
        count(inbound.message, "in", on: inbound.flow)
        do {
            switch try transactions.receive(inbound.message, transport: kind, now: .now) {
            case .created(let key, let actions, _):
                flows[key] = inbound.flow
                perform(actions, for: key)
            case .matched(let key, let actions):
                perform(actions, for: key)
            case .unmatched(let message):
                // A response to no transaction of ours, or an ACK for a 2xx we never sent.
                logger.debug("dropped a message matching no transaction",
                             metadata: ["flow": "\(inbound.flow)", "start": "\(message.startLineText)"])
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
        outboundContinuation.yield(Outbound(message: response, flow: inbound.flow, transaction: nil))
    }

    private func perform(_ actions: [TransactionAction], for key: TransactionKey) {
        for action in actions {
            switch action {
            case .transmit(let message):
                guard let flow = flows[key] else { continue }
                outboundContinuation.yield(Outbound(message: message, flow: flow, transaction: key))
            case .startTimer(let timer, let deadline):
                arm(timer, of: key, at: deadline)
            case .cancelTimer(let timer):
                timers.removeValue(forKey: TimerKey(transaction: key, timer: timer))?.cancel()
                timersOf[key]?.remove(timer)
            case .deliverToTU(let message):
                deliver(message, on: key)
            case .timeoutToTU(let timer, _):
                timeouts.withLock { $0[timer, default: 0] += 1 }
                logger.info("transaction timed out", metadata: ["transaction": "\(key)", "timer": "\(timer)"])
            case .transportErrorToTU:
                logger.warning("transport error on a transaction", metadata: ["transaction": "\(key)"])
            case .terminated:
                flows[key] = nil
                for timer in timersOf.removeValue(forKey: key) ?? [] {
                    timers.removeValue(forKey: TimerKey(transaction: key, timer: timer))?.cancel()
                }
            }
        }
    }

    private func arm(_ timer: TransactionTimer, of key: TransactionKey, at deadline: ContinuousClock.Instant) {
        let id = TimerKey(transaction: key, timer: timer)
        timers[id]?.cancel()
        timersOf[key, default: []].insert(timer)
        timers[id] = Task {
            do {
                try await Task.sleep(until: deadline, clock: .continuous)
            } catch {
                return
            }
            fire(timer, of: key)
        }
    }

    private func fire(_ timer: TransactionTimer, of key: TransactionKey) {
        guard timers.removeValue(forKey: TimerKey(transaction: key, timer: timer)) != nil else { return }
        timersOf[key]?.remove(timer)
        guard let actions = try? transactions.handle(.timerFired(timer), for: key, now: .now) else { return }
        perform(actions, for: key)
    }

    private func transportFailed(_ key: TransactionKey) {
        guard let actions = try? transactions.handle(.transportError, for: key, now: .now) else { return }
        perform(actions, for: key)
    }

    /// The transaction user, for now: the local request policy answers every new request.
    private func deliver(_ message: SIPMessage, on key: TransactionKey) {
        // Registrations (issue 6 items 5, 9; RegistrarService.swift): the registrar answers REGISTER,
        // sometimes late (the auth-failure throttle); the server transaction absorbs retransmissions.
        if key.role == .server, message.method == .register, let registrar, let flow = flows[key] {
            let answer = registrar.answer(message, on: flow, toTag: Self.makeTag())
            guard let delay = answer.delay else { return respond(answer.response, on: key) }
            Task { try? await Task.sleep(for: delay); respond(answer.response, on: key) }
            return
        }
        guard key.role == .server, message.isRequest,
              let response = policy.answer(message, toTag: Self.makeTag()) else { return }
        guard let actions = try? transactions.handle(.send(response), for: key, now: .now) else { return }
        perform(actions, for: key)
    }

    private func respond(_ response: SIPMessage, on key: TransactionKey) {
        guard let actions = try? transactions.handle(.send(response), for: key, now: .now) else { return }
        perform(actions, for: key)
    }

    /// A To tag (RFC 3261 §19.3): at least 32 bits of randomness.
    static func makeTag() -> String {
        String(UInt64.random(in: .min ... .max), radix: 36)
    }
}

extension SIPMessage {
    var startLineText: String { String(decoding: bytes[..<startLineEnd], as: UTF8.self) }
}
