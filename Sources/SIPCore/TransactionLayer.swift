import SIPMessage

/// The table of live transactions (RFC 3261 §17): it matches incoming messages to transactions
/// (§17.1.3, §17.2.3), creates server transactions for new requests, starts client transactions
/// for the TU, and forgets a transaction when it reports `.terminated`.
///
/// A shell drives it: every message from the transport goes to `receive`, every request the TU
/// sends to `sendRequest`, every TU response, timer expiry and transport failure to `handle(_:for:)`.
/// The shell performs the returned actions for the transaction named by the key, keys its timers
/// by (key, timer), and remembers each transaction's flow itself.
public struct TransactionLayer: Sendable {
    /// What became of a received message.
    public enum Outcome: Sendable {
        /// It matched a live transaction, which returned these actions.
        case matched(TransactionKey, [TransactionAction])
        /// A new server transaction was created for it. For a CANCEL, `cancels` is the INVITE
        /// server transaction it targets (§9.2), or nil when none is live (the TU answers 481).
        case created(TransactionKey, [TransactionAction], cancels: TransactionKey?)
        /// It belongs to no transaction and goes to the TU core as it is: a response matching no
        /// client transaction (§17.1.3), or an ACK matching no INVITE transaction (an ACK for a 2xx,
        /// §17.2.3), which must not create a transaction.
        case unmatched(SIPMessage)
    }

    public let capacity: Int
    public let timers: TransactionTimers
    public private(set) var transactions: [TransactionKey: Transaction] = [:]

    public init(capacity: Int, timers: TransactionTimers = .default) {
        precondition(capacity > 0, "a transaction table needs room for at least one transaction")
        self.capacity = capacity
        self.timers = timers
    }

    public var count: Int { transactions.count }

    public subscript(key: TransactionKey) -> Transaction? { transactions[key] }

    /// A message from the transport, `transport` being how it arrived.
    public mutating func receive(
        _ message: SIPMessage, transport: TransactionTransport, now: ContinuousClock.Instant
    ) throws(TransactionLayerError) -> Outcome {
        guard let method = message.method else {
            let key = try TransactionKey.client(matching: message)
            guard transactions[key] != nil else { return .unmatched(message) }
            return .matched(key, run(.received(message), for: key, now: now))
        }
        let key = try TransactionKey.server(matching: message)
        if transactions[key] != nil {
            return .matched(key, run(.received(message), for: key, now: now))
        }
        if method == .ack { return .unmatched(message) }
        guard transactions.count < capacity else {
            throw TransactionLayerError(.tableFull, "\(capacity) transactions; refused \(method) \(key.branch)")
        }
        let cancels: TransactionKey?
        if method == .cancel {
            let target = try TransactionKey.cancelTarget(of: message)
            cancels = transactions[target] != nil ? target : nil
        } else {
            cancels = nil
        }
        let actions: [TransactionAction]
        switch method {
        case .invite:
            let (t, a) = ServerInviteTransaction.start(request: message, transport: transport, timers: timers, now: now)
            transactions[key] = .serverInvite(t)
            actions = a
        case .ack, .bye, .cancel, .register, .options, .prack, .update, .info, .message, .notify, .subscribe,
             .refer, .publish, .extension:
            let (t, a) = ServerNonInviteTransaction.start(request: message, transport: transport, timers: timers, now: now)
            transactions[key] = .serverNonInvite(t)
            actions = a
        }
        return .created(key, actions, cancels: cancels)
    }

    /// The TU sends a request: a client transaction starts (§17.1). An ACK is not a transaction
    /// (the TU sends an ACK for a 2xx straight to the transport) and is refused as `.notARequest`.
    public mutating func sendRequest(
        _ request: SIPMessage, transport: TransactionTransport, now: ContinuousClock.Instant
    ) throws(TransactionLayerError) -> (TransactionKey, [TransactionAction]) {
        let key = try TransactionKey.client(sending: request)
        guard key.method != .ack else { throw TransactionLayerError(.notARequest, "ACK is sent without a transaction") }
        guard transactions[key] == nil else { throw TransactionLayerError(.duplicateTransaction, key.description) }
        guard transactions.count < capacity else {
            throw TransactionLayerError(.tableFull, "\(capacity) transactions; refused \(key.method) \(key.branch)")
        }
        switch key.method {
        case .invite:
            let (t, actions) = ClientInviteTransaction.start(request: request, transport: transport, timers: timers, now: now)
            transactions[key] = .clientInvite(t)
            return (key, actions)
        case .ack, .bye, .cancel, .register, .options, .prack, .update, .info, .message, .notify, .subscribe,
             .refer, .publish, .extension:
            let (t, actions) = ClientNonInviteTransaction.start(request: request, transport: transport, timers: timers, now: now)
            transactions[key] = .clientNonInvite(t)
            return (key, actions)
        }
    }

    /// A TU response (`.send`), a timer expiry or a transport failure for one transaction.
    public mutating func handle(
        _ event: TransactionEvent, for key: TransactionKey, now: ContinuousClock.Instant
    ) throws(TransactionLayerError) -> [TransactionAction] {
        guard transactions[key] != nil else { throw TransactionLayerError(.unknownTransaction, key.description) }
        return run(event, for: key, now: now)
    }

    private mutating func run(_ event: TransactionEvent, for key: TransactionKey, now: ContinuousClock.Instant) -> [TransactionAction] {
        guard var t = transactions[key] else { return [] }
        let actions = t.handle(event, now: now)
        if actions.last == .terminated {
            transactions[key] = nil
        } else {
            transactions[key] = t
        }
        return actions
    }
}
