/// The protocol timer values of RFC 3261 §17.1.1.1 and Table 4 (Appendix A). T1 is the round-trip
/// estimate, T2 the cap on non-INVITE request and INVITE response retransmission intervals, T4 the
/// longest time a message stays in the network.
public struct TransactionTimers: Sendable, Equatable {
    public var t1: Duration
    public var t2: Duration
    public var t4: Duration
    /// RFC 3261 §17.2.1: how long a server INVITE transaction waits for the TU's first response
    /// before it sends 100 (Trying) itself: 200 ms.
    public static let trying: Duration = .milliseconds(200)

    /// RFC 3261 §17.1.1.1 / Table 4: T1 500 ms, T2 4 s, T4 5 s.
    public static let `default` = TransactionTimers(t1: .milliseconds(500), t2: .seconds(4), t4: .seconds(5))

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    /// 64*T1: Timers B, F, H and J (unreliable), and Timers L and M of RFC 6026 §8.
    public var timeout: Duration { t1 * 64 }

    /// RFC 3261 §17.1.1.2: Timer D is at least 32 s on unreliable transports.
    public var timerD: Duration { max(timeout, .seconds(32)) }
}

/// The named timers of RFC 3261 §17 (Table 4) and RFC 6026 §8 (L and M). A transaction arms at
/// most one instance of each; the shell keys its timers by (transaction, timer).
public enum TransactionTimer: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// INVITE request retransmit (client, unreliable), §17.1.1.2.
    case a
    /// INVITE transaction timeout (client), §17.1.1.2.
    case b
    /// Wait for response retransmits (client INVITE, Completed), §17.1.1.2.
    case d
    /// Non-INVITE request retransmit (client, unreliable), §17.1.2.2.
    case e
    /// Non-INVITE transaction timeout (client), §17.1.2.2.
    case f
    /// INVITE response retransmit (server, unreliable), §17.2.1.
    case g
    /// Wait for ACK receipt (server INVITE), §17.2.1.
    case h
    /// Wait for ACK retransmits (server INVITE, Confirmed), §17.2.1.
    case i
    /// Wait for non-INVITE request retransmits (server, Completed), §17.2.2.
    case j
    /// Wait for response retransmits (client non-INVITE, Completed), §17.1.2.2.
    case k
    /// Wait for 2xx and INVITE retransmits (server INVITE, Accepted), RFC 6026 §8.7.
    case l
    /// Wait for 2xx retransmits (client INVITE, Accepted), RFC 6026 §8.4.
    case m
    /// Send 100 (Trying) unless the TU has answered by then (server INVITE, Proceeding), §17.2.1.
    case trying

    public var description: String {
        switch self {
        case .a: "A"
        case .b: "B"
        case .d: "D"
        case .e: "E"
        case .f: "F"
        case .g: "G"
        case .h: "H"
        case .i: "I"
        case .j: "J"
        case .k: "K"
        case .l: "L"
        case .m: "M"
        case .trying: "Trying"
        }
    }
}

/// Whether the transport retransmits for us (RFC 3261 §17.1.1.2, §18): over TCP, TLS, SCTP and WS
/// the transaction sends each message once, and the "wait for stragglers" timers D, I, J, K are zero.
public enum TransactionTransport: Sendable, Hashable {
    case reliable
    case unreliable
}
