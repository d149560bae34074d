import SIPMessage

/// The client INVITE transaction of RFC 3261 §17.1.1 (Figure 5) as amended by RFC 6026 §8.4
/// (Figure 3 there): a 2xx moves it to Accepted instead of ending it, so 2xx retransmissions still
/// match a transaction and reach the TU, which ACKs them itself.
///
/// Calling → (1xx) Proceeding → (300-699) Completed → (Timer D) Terminated;
/// Calling/Proceeding → (2xx) Accepted → (Timer M) Terminated.
public struct ClientInviteTransaction: Sendable {
    public enum State: Sendable, Equatable { case calling, proceeding, completed, accepted, terminated }

    public private(set) var state: State
    public let transport: TransactionTransport
    public let timers: TransactionTimers
    private var intervalA: Duration
    /// The one message the transaction needs in its state: the INVITE while Calling or Proceeding
    /// (its retransmissions, and the ACK of a non-2xx is built from it), that ACK in Completed
    /// (§17.1.1.3: to answer the final response's retransmissions), nothing in Accepted, where
    /// the INVITE (SDP and all) would otherwise stay for 64*T1.
    private var held: SIPMessage?

    /// The INVITE, while it may still be retransmitted or answered.
    public var request: SIPMessage? { state == .calling || state == .proceeding ? held : nil }
    private var ack: SIPMessage? { state == .completed ? held : nil }

    /// §17.1.1.2: Calling; the INVITE goes to the transport; Timer B (64*T1) always, Timer A
    /// (T1) on unreliable transports.
    public static func start(
        request: SIPMessage, transport: TransactionTransport, timers: TransactionTimers = .default,
        now: ContinuousClock.Instant
    ) -> (ClientInviteTransaction, [TransactionAction]) {
        let t = ClientInviteTransaction(state: .calling, transport: transport, timers: timers,
                                        intervalA: timers.t1, held: request)
        var actions: [TransactionAction] = [.transmit(request)]
        switch transport {
        case .unreliable: actions.append(.startTimer(.a, deadline: now + timers.t1))
        case .reliable: break
        }
        actions.append(.startTimer(.b, deadline: now + timers.timeout))
        return (t, actions)
    }

    public mutating func handle(_ event: TransactionEvent, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch event {
        case .received(let message):
            guard let status = message.statusCode else { return [] }
            return receive(message, status: status, now: now)
        case .send:
            return []
        case .timerFired(let timer):
            return fire(timer, now: now)
        case .transportError:
            switch state {
            case .calling, .proceeding:
                // §17.1.1.2: in Calling the TU is told; §8.1.3.1: as a 503.
                let response = request.map { SIPResponseBuilder.response(to: $0, status: 503) }
                state = .terminated
                return [.transportErrorToTU(response: response), .terminated]
            case .completed, .accepted, .terminated:
                // RFC 6026 §8.4 / §17.1.1.2: a failed ACK or a late error changes nothing the TU must hear.
                return []
            }
        }
    }

    /// Timers A and B are only armed in Calling.
    private var callingTimers: [TransactionAction] {
        switch transport {
        case .unreliable: [.cancelTimer(.a), .cancelTimer(.b)]
        case .reliable: [.cancelTimer(.b)]
        }
    }

    private mutating func receive(_ response: SIPMessage, status: Int, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch state {
        case .calling, .proceeding:
            var actions: [TransactionAction] = state == .calling ? callingTimers : []
            if status < 200 {
                // §17.1.1.2: a provisional response stops retransmissions; Timer B no longer applies.
                state = .proceeding
                actions.append(.deliverToTU(response))
                return actions
            }
            if status < 300 {
                // RFC 6026 §8.4: Accepted, for 64*T1 (Timer M) on every transport.
                state = .accepted
                held = nil
                actions.append(.deliverToTU(response))
                actions.append(.startTimer(.m, deadline: now + timers.timeout))
                return actions
            }
            // §17.1.1.2, §17.1.1.3: ACK the non-2xx final response, tell the TU, and absorb
            // retransmissions in Completed for Timer D (≥ 32 s unreliable, zero reliable).
            if let request {
                let ack = SIPResponseBuilder.ack(for: request, response: response)
                held = ack
                actions.append(.transmit(ack))
            }
            actions.append(.deliverToTU(response))
            switch transport {
            case .unreliable:
                state = .completed
                actions.append(.startTimer(.d, deadline: now + timers.timerD))
            case .reliable:
                state = .terminated
                actions.append(.terminated)
            }
            return actions
        case .completed:
            // §17.1.1.2: a retransmitted final response is ACKed again and not passed up.
            guard status >= 300, let ack else { return [] }
            return [.transmit(ack)]
        case .accepted:
            // RFC 6026 §8.4: 2xx retransmissions (and 2xx from other forks) go to the TU.
            guard status >= 200, status < 300 else { return [] }
            return [.deliverToTU(response)]
        case .terminated:
            return []
        }
    }

    private mutating func fire(_ timer: TransactionTimer, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch (timer, state) {
        case (.a, .calling) where transport == .unreliable:
            // §17.1.1.2: retransmit, and double the interval (no T2 cap for INVITE requests).
            intervalA = intervalA * 2
            return (request.map { [.transmit($0)] } ?? []) + [.startTimer(.a, deadline: now + intervalA)]
        case (.b, .calling):
            let response = request.map { SIPResponseBuilder.response(to: $0, status: 408) }
            state = .terminated
            return [.timeoutToTU(.b, response: response), .terminated]
        case (.d, .completed), (.m, .accepted):
            state = .terminated
            return [.terminated]
        case (.a, _), (.b, _), (.d, _), (.m, _), (.e, _), (.f, _), (.g, _), (.h, _), (.i, _), (.j, _), (.k, _), (.l, _),
             (.trying, _):
            return []
        }
    }
}
