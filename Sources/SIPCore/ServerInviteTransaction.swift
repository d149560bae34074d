import SIPMessage

/// The server INVITE transaction of RFC 3261 §17.2.1 (Figure 7) as amended by RFC 6026 §8.5-8.7
/// (Figure 5 there): a 2xx from the TU moves it to Accepted for 64*T1 (Timer L), where the TU's
/// own 2xx retransmissions pass through and INVITE retransmissions are absorbed.
///
/// Proceeding → (TU 300-699) Completed → (ACK) Confirmed → (Timer I) Terminated;
/// Completed → (Timer H) Terminated, the TU told; Proceeding → (TU 2xx) Accepted → (Timer L) Terminated.
public struct ServerInviteTransaction: Sendable {
    public enum State: Sendable, Equatable { case proceeding, completed, confirmed, accepted, terminated }

    public private(set) var state: State
    // The INVITE is not kept: it went to the TU, and the table's key matches its retransmissions.
    public let transport: TransactionTransport
    public let timers: TransactionTimers
    /// The one message the transaction holds: the INVITE until the first response leaves (a
    /// 100 (Trying) is built from it if the TU has not answered within 200 ms or the INVITE is
    /// retransmitted first), then the last response sent. One field, not two: the transaction
    /// table's entries are as large as its largest transaction.
    private enum Held: Sendable {
        case unanswered(SIPMessage)
        case response(SIPMessage)
        case nothing
    }

    private var held: Held
    private var intervalG: Duration

    /// The last response sent, which answers a retransmitted INVITE (§17.2.1). Nil in Accepted:
    /// there the INVITE's retransmissions are absorbed and the TU retransmits its own 2xx, so the
    /// 2xx (with its SDP) is not held for the 64*T1 of Timer L.
    public var lastResponse: SIPMessage? {
        if case .response(let response) = held { response } else { nil }
    }

    private var isUnanswered: Bool {
        if case .unanswered = held { true } else { false }
    }

    /// §17.2.1: created on an INVITE that matched no transaction; the request goes to the TU.
    /// The transaction "MUST generate a 100 (Trying) response unless it knows that the TU will
    /// generate a provisional or final response within 200 ms": it waits those 200 ms (the
    /// Trying timer) and sends one only if the TU has sent nothing by then. A B2BUA whose next
    /// hop answers quickly relays that hop's 180 instead: one message less per call.
    public static func start(
        request: SIPMessage, transport: TransactionTransport, timers: TransactionTimers = .default,
        now: ContinuousClock.Instant
    ) -> (ServerInviteTransaction, [TransactionAction]) {
        let t = ServerInviteTransaction(state: .proceeding, transport: transport, timers: timers,
                                        held: .unanswered(request), intervalG: timers.t1)
        // The timer first: the TU may answer before `start`'s caller gets past the delivery,
        // and that answer cancels it.
        return (t, [.startTimer(.trying, deadline: now + TransactionTimers.trying), .deliverToTU(request)])
    }

    /// The 100 (Trying) in place of a first response that has not come.
    private mutating func sendTrying() -> SIPMessage? {
        guard case .unanswered(let invite) = held else { return nil }
        let trying = SIPResponseBuilder.response(to: invite, status: 100)
        held = .response(trying)
        return trying
    }

    public mutating func handle(_ event: TransactionEvent, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch event {
        case .received(let message):
            guard let method = message.method else { return [] }
            return receive(method, message: message, now: now)
        case .send(let response):
            guard let status = response.statusCode else { return [] }
            return send(response, status: status, now: now)
        case .timerFired(let timer):
            return fire(timer, now: now)
        case .transportError:
            switch state {
            case .proceeding, .completed, .accepted:
                // §17.2.4: the TU is told and the transaction ends.
                state = .terminated
                return [.transportErrorToTU(response: nil), .terminated]
            case .confirmed, .terminated:
                return []
            }
        }
    }

    private mutating func receive(_ method: SIPMethod, message: SIPMessage, now: ContinuousClock.Instant) -> [TransactionAction] {
        let isACK = method == .ack
        switch state {
        case .proceeding:
            // §17.2.1: a retransmitted INVITE is answered with the last provisional response, or
            // with 100 (Trying) now if none has been sent.
            if isACK { return [] }
            if let trying = sendTrying() { return [.cancelTimer(.trying), .transmit(trying)] }
            return retransmission
        case .completed:
            guard isACK else { return retransmission }
            // §17.2.1: the ACK for the non-2xx ends retransmissions; Confirmed absorbs further
            // ACKs for T4 (Timer I) on unreliable transports, zero on reliable ones. The ACK is
            // not passed to the TU.
            switch transport {
            case .unreliable:
                state = .confirmed
                return [.cancelTimer(.g), .cancelTimer(.h), .startTimer(.i, deadline: now + timers.t4)]
            case .reliable:
                state = .terminated
                return [.terminated]
            }
        case .confirmed:
            return []
        case .accepted:
            // RFC 6026 §8.7: INVITE retransmissions are absorbed; an ACK that matches here is an
            // ACK for the 2xx and goes to the TU.
            return isACK ? [.deliverToTU(message)] : []
        case .terminated:
            return []
        }
    }

    private mutating func send(_ response: SIPMessage, status: Int, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch state {
        case .proceeding:
            if isUnanswered {
                held = .nothing
                return [.cancelTimer(.trying)] + send(response, status: status, now: now)
            }
            held = .response(response)
            if status < 200 { return [.transmit(response)] }
            if status < 300 {
                // RFC 6026 §8.5: Accepted, Timer L = 64*T1 on every transport.
                state = .accepted
                held = .nothing
                return [.transmit(response), .startTimer(.l, deadline: now + timers.timeout)]
            }
            // §17.2.1: Completed; Timer G (T1) on unreliable transports, Timer H (64*T1) always.
            state = .completed
            var actions: [TransactionAction] = [.transmit(response)]
            switch transport {
            case .unreliable: actions.append(.startTimer(.g, deadline: now + timers.t1))
            case .reliable: break
            }
            actions.append(.startTimer(.h, deadline: now + timers.timeout))
            return actions
        case .accepted:
            // RFC 6026 §8.6: the TU retransmits its 2xx through the transaction.
            guard status >= 200, status < 300 else { return [] }
            return [.transmit(response)]
        case .completed, .confirmed, .terminated:
            return []
        }
    }

    private var retransmission: [TransactionAction] { lastResponse.map { [.transmit($0)] } ?? [] }

    private mutating func fire(_ timer: TransactionTimer, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch (timer, state) {
        case (.g, .completed) where transport == .unreliable:
            // §17.2.1: retransmit, and double the interval up to T2.
            intervalG = min(intervalG * 2, timers.t2)
            return retransmission + [.startTimer(.g, deadline: now + intervalG)]
        case (.h, .completed):
            // §17.2.1: no ACK came; the TU is told of the failure.
            state = .terminated
            return [.timeoutToTU(.h, response: nil), .terminated]
        case (.i, .confirmed), (.l, .accepted):
            state = .terminated
            return [.terminated]
        case (.trying, .proceeding):
            return sendTrying().map { [.transmit($0)] } ?? []
        case (.g, _), (.h, _), (.i, _), (.l, _), (.trying, _), (.a, _), (.b, _), (.d, _), (.e, _), (.f, _), (.j, _),
             (.k, _), (.m, _):
            // Another state's timer, or a retransmit timer never armed on a reliable transport.
            return []
        }
    }
}
