/// Which socket of a leg a packet came in on.
public enum MediaChannel: UInt8, Equatable, Sendable {
    case rtp
    case rtcp
}

/// RFC 4961 latching decisions, for the operator.
public enum LatchReason: UInt8, Equatable, Sendable {
    /// Learn mode: the first packet came from the signalled address.
    case matchedSignalled
    /// Learn mode: the first packet came from elsewhere (typically NAT); latched to it.
    case learnedFromFirstPacket
    /// Strict mode: a packet from other than the signalled address; dropped.
    case rejectedNotSignalled
    /// Already latched to another source; dropped (a hijack attempt or a stray).
    case rejectedAlreadyLatched
    /// An authenticated packet moved the latch (SRTP; the NAT binding changed).
    case relatchedAuthenticated
    /// An update changed the signalled address, so the latch was cleared.
    case clearedByUpdate
}

public struct LatchRecord: Equatable, Sendable {
    public var side: LegSide
    public var channel: MediaChannel
    public var source: IPv4Endpoint
    public var reason: LatchReason
    /// CLOCK_MONOTONIC nanoseconds.
    public var at: UInt64

    public init(side: LegSide, channel: MediaChannel, source: IPv4Endpoint, reason: LatchReason, at: UInt64) {
        self.side = side
        self.channel = channel
        self.source = source
        self.reason = reason
        self.at = at
    }

    public var accepted: Bool {
        switch reason {
        case .matchedSignalled, .learnedFromFirstPacket, .relatchedAuthenticated: true
        case .rejectedNotSignalled, .rejectedAlreadyLatched, .clearedByUpdate: false
        }
    }
}
