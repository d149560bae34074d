import RTP

/// Why a packet was not relayed. One catalogue for counters, events and metric labels.
public enum DropReason: UInt8, CaseIterable, Equatable, Sendable {
    /// SRTP/SRTCP authentication tag did not verify.
    case authenticationFailure
    /// SRTP replay protection rejected the index.
    case replay
    /// Source is neither the latched nor (strict mode) the signalled address.
    case unknownSource
    /// Not RTP/RTCP: too short, wrong version, bad lengths, or larger than a slot.
    case malformed
    /// The other leg has no address to send to yet.
    case noRoute
    /// The kernel refused the send (buffer full, unreachable).
    case sendFailure

    public var metricLabel: String {
        switch self {
        case .authenticationFailure: "auth_failure"
        case .replay: "replay"
        case .unknownSource: "unknown_source"
        case .malformed: "malformed"
        case .noRoute: "no_route"
        case .sendFailure: "send_failure"
        }
    }
}

/// Drop counters, one plain integer per reason.
public struct DropCounters: Equatable, Sendable {
    public var authenticationFailure: UInt64 = 0
    public var replay: UInt64 = 0
    public var unknownSource: UInt64 = 0
    public var malformed: UInt64 = 0
    public var noRoute: UInt64 = 0
    public var sendFailure: UInt64 = 0

    public init() {}

    public subscript(reason: DropReason) -> UInt64 {
        get {
            switch reason {
            case .authenticationFailure: authenticationFailure
            case .replay: replay
            case .unknownSource: unknownSource
            case .malformed: malformed
            case .noRoute: noRoute
            case .sendFailure: sendFailure
            }
        }
        set {
            switch reason {
            case .authenticationFailure: authenticationFailure = newValue
            case .replay: replay = newValue
            case .unknownSource: unknownSource = newValue
            case .malformed: malformed = newValue
            case .noRoute: noRoute = newValue
            case .sendFailure: sendFailure = newValue
            }
        }
    }

    public var total: UInt64 { DropReason.allCases.reduce(0) { $0 + self[$1] } }
}

/// Per-leg counters as seen from the leg's peer: what it sent us, and what we relayed from it.
public struct LegStatistics: Equatable, Sendable {
    /// RTP packets and bytes received from this leg's peer and accepted.
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public var rtcpPackets: UInt64 = 0
    public var rtcpBytes: UInt64 = 0
    /// Packets and bytes from this leg handed to the kernel on the other leg.
    public var relayedPackets: UInt64 = 0
    public var relayedBytes: UInt64 = 0
    /// Packets received on this leg's ports that were dropped, by reason.
    public var drops = DropCounters()
    /// RFC 3550 A.3 cumulative lost packets from sequence gaps (negative with duplicates).
    public var lost: Int64 = 0
    /// Late or duplicate packets (at or below the highest sequence number seen).
    public var misordered: UInt64 = 0
    /// RFC 3550 §6.4.1 interarrival jitter, in timestamp units.
    public var jitter: UInt32 = 0
    /// SSRC of the last accepted RTP packet.
    public var ssrc: UInt32 = 0
    /// CLOCK_MONOTONIC nanoseconds of the last accepted packet; nil before the first.
    public var lastPacketNanoseconds: UInt64?
    /// SRTP only: per-SSRC libsrtp2 streams removed from this leg's contexts because a peer used
    /// more SSRCs than a context keeps (`SRTPContext.defaultMaximumStreams`), and the streams
    /// its inbound and outbound contexts hold now.
    public var srtpStreamsEvicted: UInt64 = 0
    public var srtpStreams: Int = 0
    /// The latched source addresses, if latched.
    public var latched: IPv4Endpoint?
    public var latchedRTCP: IPv4Endpoint?

    public init() {}
}

public struct StreamStatistics: Equatable, Sendable {
    public let id: StreamID
    public var a: LegStatistics
    public var b: LegStatistics
    /// Oldest first; at most `LatchLog.capacity`.
    public var latchLog: [LatchRecord]
    public var timedOut: Bool
}

/// Per-worker totals, published with relaxed atomics once per loop turn.
public struct WorkerTotals: Equatable, Sendable {
    public var worker: Int
    public var streams: UInt64 = 0
    public var receivedPackets: UInt64 = 0
    public var receivedBytes: UInt64 = 0
    public var relayedPackets: UInt64 = 0
    public var relayedBytes: UInt64 = 0
    public var drops = DropCounters()
    /// Batches returned by recvmmsg.
    public var receiveBatches: UInt64 = 0
    /// Events the worker could not queue because the control thread did not collect them.
    public var eventsLost: UInt64 = 0
    public var loopTurns: UInt64 = 0

    public init(worker: Int) { self.worker = worker }
}
