import SIPMessage

/// What a transaction asks its shell to do, in order. The transaction never performs I/O and
/// never reads the clock: it returns these and the shell carries them out.
///
/// `.terminated` is always last. On it the shell forgets the transaction and drops every timer it
/// still holds for it; the transaction does not list `.cancelTimer` for each of them first.
public enum TransactionAction: Sendable {
    /// Send the message on the transaction's flow (the shell prints it with `print(into:)`).
    case transmit(SIPMessage)
    /// Arm (or re-arm, replacing any earlier deadline) the named timer.
    case startTimer(TransactionTimer, deadline: ContinuousClock.Instant)
    /// Disarm the named timer; firing it later would be ignored anyway.
    case cancelTimer(TransactionTimer)
    /// Hand a message to the transaction user: a response (client) or the request, or an ACK
    /// that arrived in the Accepted state (server).
    case deliverToTU(SIPMessage)
    /// A timeout the TU must hear of (Timers B, F, H). For a client transaction `response` is the
    /// 408 RFC 3261 §8.1.3.1 says to treat it as, built from the request; nil for a server one.
    case timeoutToTU(TransactionTimer, response: SIPMessage?)
    /// The transport failed (§17.1.4, §17.2.4). For a client transaction `response` is the 503
    /// RFC 3261 §8.1.3.1 says to treat it as, built from the request; nil for a server one.
    case transportErrorToTU(response: SIPMessage?)
    /// The transaction is over; the shell removes it.
    case terminated
}

extension TransactionAction: Equatable {
    /// Messages compare by their printed bytes: what would go on the wire or reach the TU.
    public static func == (lhs: TransactionAction, rhs: TransactionAction) -> Bool {
        switch (lhs, rhs) {
        case (.transmit(let a), .transmit(let b)): a.printed == b.printed
        case (.startTimer(let a, let da), .startTimer(let b, let db)): a == b && da == db
        case (.cancelTimer(let a), .cancelTimer(let b)): a == b
        case (.deliverToTU(let a), .deliverToTU(let b)): a.printed == b.printed
        case (.timeoutToTU(let a, let ra), .timeoutToTU(let b, let rb)): a == b && ra?.printed == rb?.printed
        case (.transportErrorToTU(let a), .transportErrorToTU(let b)): a?.printed == b?.printed
        case (.terminated, .terminated): true
        case (.transmit, _), (.startTimer, _), (.cancelTimer, _), (.deliverToTU, _), (.timeoutToTU, _),
             (.transportErrorToTU, _), (.terminated, _):
            false
        }
    }
}

extension TransactionAction: CustomStringConvertible {
    public var description: String {
        func first(_ m: SIPMessage) -> String { String(decoding: m.bytes[..<m.startLineEnd], as: UTF8.self).trimmingCRLF }
        switch self {
        case .transmit(let m): return "transmit(\(first(m)))"
        case .startTimer(let t, let d): return "startTimer(\(t), \(d))"
        case .cancelTimer(let t): return "cancelTimer(\(t))"
        case .deliverToTU(let m): return "deliverToTU(\(first(m)))"
        case .timeoutToTU(let t, let r): return "timeoutToTU(\(t), \(r.map(first) ?? "nil"))"
        case .transportErrorToTU(let r): return "transportErrorToTU(\(r.map(first) ?? "nil"))"
        case .terminated: return "terminated"
        }
    }
}

extension String {
    var trimmingCRLF: String {
        var s = Substring(self)
        while let last = s.last, last == "\r\n" || last == "\n" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
