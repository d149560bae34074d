import MediaControlProtocol

/// What palisade-signal knows about its connection to palisade-media. Pure: time comes in as
/// a parameter, transitions come out as values the shell logs (once per change, not per retry).
public struct MediaPlaneLinkState: Sendable, Equatable {
    public enum Phase: String, Sendable { case starting, connected, down }

    /// A change worth telling the operator about.
    public enum Transition: Sendable, Equatable {
        case up(peer: Hello, reconnect: Bool)
        case down(reason: String)
    }

    public private(set) var phase: Phase = .starting
    /// Unix seconds of the last phase change (of process start while `.starting`).
    public private(set) var since: Double
    public private(set) var peer: Hello?
    public private(set) var lastError: String?
    /// Handshakes completed.
    public private(set) var connections = 0
    /// Failed attempts since the last success: drives the backoff.
    public private(set) var consecutiveFailures = 0

    public init(now: Double) { since = now }

    public var isConnected: Bool { phase == .connected }
    /// Handshakes completed after the first.
    public var reconnects: Int { max(0, connections - 1) }

    public mutating func connected(peer: Hello, now: Double) -> Transition {
        let reconnect = connections > 0
        phase = .connected
        since = now
        self.peer = peer
        lastError = nil
        connections += 1
        consecutiveFailures = 0
        return .up(peer: peer, reconnect: reconnect)
    }

    /// An attempt failed or a working connection was lost. Reported once per change to down.
    public mutating func failed(_ reason: String, now: Double) -> Transition? {
        lastError = reason
        consecutiveFailures += 1
        guard phase != .down else { return nil }
        phase = .down
        since = now
        peer = nil
        return .down(reason: reason)
    }

    /// Delay before the next attempt: the minimum, doubled per consecutive failure, capped.
    /// A connection that was just lost is retried at once-ish (the minimum).
    public func retryDelayMilliseconds(minimum: Int, maximum: Int) -> Int {
        let exponent = min(max(consecutiveFailures - 1, 0), 20)
        return min(maximum, minimum << exponent)
    }
}
