import SIPMessage

/// What a shell feeds into a transaction (RFC 3261 §17: the transaction sits between the
/// transport and the transaction user, and is driven by both and by its timers).
public enum TransactionEvent: Sendable {
    /// A message from the transport that matched this transaction (§17.1.3, §17.2.3): a response
    /// for a client transaction, a retransmitted request or an ACK for a server transaction.
    case received(SIPMessage)
    /// The transaction user sends a response through a server transaction. Client transactions
    /// ignore it: their request is given when they start.
    case send(SIPMessage)
    /// A timer the transaction asked for with `.startTimer` has reached its deadline.
    case timerFired(TransactionTimer)
    /// The transport could not deliver what the transaction last sent (ICMP error, connection
    /// refused or reset), RFC 3261 §17.1.4, §17.2.4.
    case transportError
}
