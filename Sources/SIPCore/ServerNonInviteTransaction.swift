import SIPMessage

/// The server non-INVITE transaction of RFC 3261 §17.2.2 (Figure 8), as a value.
///
/// Trying → (TU 1xx) Proceeding → (TU final) Completed → (Timer J) Terminated. Retransmitted
/// requests are absorbed in Trying and answered with the last response afterwards.
public struct ServerNonInviteTransaction: Sendable {
    public enum State: Sendable, Equatable { case trying, proceeding, completed, terminated }

    public private(set) var state: State
    // The request is not kept: it went to the TU, and the table's key matches its retransmissions.
    public let transport: TransactionTransport
    public let timers: TransactionTimers
    public private(set) var lastResponse: SIPMessage?

    /// §17.2.2: Trying; the request goes to the TU.
    public static func start(
        request: SIPMessage, transport: TransactionTransport, timers: TransactionTimers = .default,
        now: ContinuousClock.Instant
    ) -> (ServerNonInviteTransaction, [TransactionAction]) {
        (ServerNonInviteTransaction(state: .trying, transport: transport, timers: timers, lastResponse: nil),
         [.deliverToTU(request)])
    }

    public mutating func handle(_ event: TransactionEvent, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch event {
        case .received(let message):
            guard message.isRequest else { return [] }
            switch state {
            case .trying, .terminated:
                // §17.2.2: retransmissions in Trying are discarded.
                return []
            case .proceeding, .completed:
                return lastResponse.map { [.transmit($0)] } ?? []
            }
        case .send(let response):
            guard let status = response.statusCode else { return [] }
            switch state {
            case .trying, .proceeding:
                lastResponse = response
                if status < 200 {
                    state = .proceeding
                    return [.transmit(response)]
                }
                // §17.2.2: Completed for 64*T1 (Timer J) on unreliable transports, zero on reliable.
                switch transport {
                case .unreliable:
                    state = .completed
                    return [.transmit(response), .startTimer(.j, deadline: now + timers.timeout)]
                case .reliable:
                    state = .terminated
                    return [.transmit(response), .terminated]
                }
            case .completed, .terminated:
                // §17.2.2: further TU responses after the final one are discarded.
                return []
            }
        case .timerFired(let timer):
            switch (timer, state) {
            case (.j, .completed):
                state = .terminated
                return [.terminated]
            case (.j, _), (.a, _), (.b, _), (.d, _), (.e, _), (.f, _), (.g, _), (.h, _), (.i, _), (.k, _), (.l, _), (.m, _),
                 (.trying, _):
                return []
            }
        case .transportError:
            switch state {
            case .trying, .proceeding, .completed:
                // §17.2.4: the TU is told and the transaction ends.
                state = .terminated
                return [.transportErrorToTU(response: nil), .terminated]
            case .terminated:
                return []
            }
        }
    }
}
