/// The control side's name for a stream (one media line of a call: two legs). Chosen by the
/// caller, unique while the stream exists.
public struct StreamID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "stream-\(rawValue)" }
}

/// Leg A faces one peer, leg B the other; packets received on A go out on B and back.
public enum LegSide: UInt8, Equatable, Sendable, CaseIterable {
    case a = 0
    case b = 1
    var other: LegSide { self == .a ? .b : .a }
}

/// RFC 4961 symmetric RTP: where a leg may receive from.
public enum LatchMode: Equatable, Sendable {
    /// Learn the peer from the first acceptable packet (the peer may be behind NAT), then accept
    /// only that source.
    case learn
    /// Accept only the signalled address and port; never learn.
    case strict
}

/// No packets for this long → a `.timedOut` event. Zero disables the timeout.
public struct TimeoutPolicy: Equatable, Sendable {
    public var active: Duration
    public var onHold: Duration

    public init(active: Duration, onHold: Duration) {
        self.active = active
        self.onHold = onHold
    }

    public static let disabled = TimeoutPolicy(active: .zero, onHold: .zero)
}

/// How one leg is set up.
public struct LegSpec: Equatable, Sendable {
    /// The interface whose address and port range the leg uses (`MediaEngine.Interface.name`).
    public var interface: String
    /// RFC 5761: RTP and RTCP share the RTP port.
    public var rtcpMux: Bool
    /// The peer's RTP address from signalling, if known yet.
    public var remote: IPv4Endpoint?
    /// The peer's RTCP address; nil means RTP port + 1 (or the RTP address when muxed).
    public var remoteRTCP: IPv4Endpoint?
    public var latching: LatchMode
    public var transform: LegTransform

    public init(interface: String, rtcpMux: Bool = false, remote: IPv4Endpoint? = nil,
                remoteRTCP: IPv4Endpoint? = nil, latching: LatchMode = .learn,
                transform: LegTransform = .passthrough) {
        self.interface = interface
        self.rtcpMux = rtcpMux
        self.remote = remote
        self.remoteRTCP = remoteRTCP
        self.latching = latching
        self.transform = transform
    }
}

public struct StreamSpec: Equatable, Sendable {
    public var id: StreamID
    public var a: LegSpec
    public var b: LegSpec
    /// RTP clock rate for jitter (RFC 3550 §6.4.1 reports jitter in timestamp units).
    public var clockRate: UInt32
    public var timeouts: TimeoutPolicy
    public var onHold: Bool

    public init(id: StreamID, a: LegSpec, b: LegSpec, clockRate: UInt32 = 8000,
                timeouts: TimeoutPolicy = .disabled, onHold: Bool = false) {
        self.id = id
        self.a = a
        self.b = b
        self.clockRate = clockRate
        self.timeouts = timeouts
        self.onHold = onHold
    }
}

/// Changes to a running stream. Nil fields stay as they are; a non-nil leg replaces that leg's
/// remote addresses, latching mode and transform together, and a changed remote address clears
/// the leg's latch. Ports never change: a new port is a new stream.
public struct StreamUpdate: Equatable, Sendable {
    public struct Leg: Equatable, Sendable {
        public var remote: IPv4Endpoint?
        public var remoteRTCP: IPv4Endpoint?
        public var latching: LatchMode
        public var transform: LegTransform

        public init(remote: IPv4Endpoint?, remoteRTCP: IPv4Endpoint? = nil, latching: LatchMode = .learn,
                    transform: LegTransform = .passthrough) {
            self.remote = remote
            self.remoteRTCP = remoteRTCP
            self.latching = latching
            self.transform = transform
        }
    }

    public var a: Leg?
    public var b: Leg?
    public var onHold: Bool?
    public var timeouts: TimeoutPolicy?

    public init(a: Leg? = nil, b: Leg? = nil, onHold: Bool? = nil, timeouts: TimeoutPolicy? = nil) {
        self.a = a
        self.b = b
        self.onHold = onHold
        self.timeouts = timeouts
    }
}

/// What the signalling writes into SDP for one leg.
public struct LegPorts: Equatable, Sendable {
    public let local: IPv4Endpoint
    /// Nil when muxed.
    public let rtcpPort: UInt16?
    let pair: PortPair
    let interface: String
}

public struct StreamPorts: Equatable, Sendable {
    public let a: LegPorts
    public let b: LegPorts
}
