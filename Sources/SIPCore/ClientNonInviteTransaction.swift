import SIPMessage

/// The client non-INVITE transaction of RFC 3261 §17.1.2 (Figure 6), as a value.
///
/// Trying → (1xx) Proceeding → (final) Completed → (Timer K) Terminated. On unreliable transports
/// Timer E retransmits the request, doubling from T1 up to T2 (§17.1.2.2); in Proceeding it stays
/// at T2. Timer F (64*T1) ends the transaction in Trying or Proceeding and is reported to the TU
/// as a 408 (§8.1.3.1).
public struct ClientNonInviteTransaction: Sendable {
    public enum State: Sendable, Equatable { case trying, proceeding, completed, terminated }

    public private(set) var state: State
    public let request: SIPMessage
    public let transport: TransactionTransport
    public let timers: TransactionTimers
    /// The interval Timer E was last armed with.
    private var intervalE: Duration

    /// §17.1.2.2: the transaction starts in Trying, passes the request to the transport, and
    /// arms Timer F and, on unreliable transports, Timer E at T1.
    public static func start(
        request: SIPMessage, transport: TransactionTransport, timers: TransactionTimers = .default,
        now: ContinuousClock.Instant
    ) -> (ClientNonInviteTransaction, [TransactionAction]) {
        let t = ClientNonInviteTransaction(state: .trying, request: request, transport: transport, timers: timers,
                                           intervalE: timers.t1)
        var actions: [TransactionAction] = [.transmit(request)]
        switch transport {
        case .unreliable: actions.append(.startTimer(.e, deadline: now + timers.t1))
        case .reliable: break
        }
        actions.append(.startTimer(.f, deadline: now + timers.timeout))
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
            // §17.1.4: the TU is told; §8.1.3.1: as a 503.
            switch state {
            case .trying, .proceeding:
                state = .terminated
                return [.transportErrorToTU(response: SIPResponseBuilder.response(to: request, status: 503)), .terminated]
            case .completed, .terminated:
                return []
            }
        }
    }

    private mutating func receive(_ response: SIPMessage, status: Int, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch state {
        case .trying, .proceeding:
            if status < 200 {
                state = .proceeding
                return [.deliverToTU(response)]
            }
            // §17.1.2.2: a final response goes to the TU; Completed absorbs its retransmissions
            // for T4 (Timer K) on unreliable transports, and for zero seconds on reliable ones.
            var actions: [TransactionAction] = []
            switch transport {
            case .unreliable:
                actions.append(.cancelTimer(.e))
                actions.append(.cancelTimer(.f))
                actions.append(.deliverToTU(response))
                actions.append(.startTimer(.k, deadline: now + timers.t4))
                state = .completed
            case .reliable:
                actions.append(.deliverToTU(response))
                actions.append(.terminated)
                state = .terminated
            }
            return actions
        case .completed, .terminated:
            return []
        }
    }

    private mutating func fire(_ timer: TransactionTimer, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch (timer, state) {
        case (.e, .trying) where transport == .unreliable:
            // §17.1.2.2: min(2*previous, T2).
            intervalE = min(intervalE * 2, timers.t2)
            return [.transmit(request), .startTimer(.e, deadline: now + intervalE)]
        case (.e, .proceeding) where transport == .unreliable:
            // §17.1.2.2: in Proceeding Timer E is reset to T2.
            intervalE = timers.t2
            return [.transmit(request), .startTimer(.e, deadline: now + intervalE)]
        case (.f, .trying), (.f, .proceeding):
            state = .terminated
            return [.timeoutToTU(.f, response: SIPResponseBuilder.response(to: request, status: 408)), .terminated]
        case (.k, .completed):
            state = .terminated
            return [.terminated]
        case (.e, _), (.f, _), (.k, _), (.a, _), (.b, _), (.d, _), (.g, _), (.h, _), (.i, _), (.j, _), (.l, _), (.m, _),
             (.trying, _):
            // A timer of another state (a race between firing and cancelling) changes nothing.
            return []
        }
    }
}
