import SIPMessage

/// Any of the four transaction machines, so a table can hold them side by side.
public enum Transaction: Sendable {
    case clientInvite(ClientInviteTransaction)
    case clientNonInvite(ClientNonInviteTransaction)
    case serverInvite(ServerInviteTransaction)
    case serverNonInvite(ServerNonInviteTransaction)

    public mutating func handle(_ event: TransactionEvent, now: ContinuousClock.Instant) -> [TransactionAction] {
        switch self {
        case .clientInvite(var t):
            let actions = t.handle(event, now: now)
            self = .clientInvite(t)
            return actions
        case .clientNonInvite(var t):
            let actions = t.handle(event, now: now)
            self = .clientNonInvite(t)
            return actions
        case .serverInvite(var t):
            let actions = t.handle(event, now: now)
            self = .serverInvite(t)
            return actions
        case .serverNonInvite(var t):
            let actions = t.handle(event, now: now)
            self = .serverNonInvite(t)
            return actions
        }
    }
}
