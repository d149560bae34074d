/// The media plane's view of a call: streams (one per SDP m= line), each joining two legs.
/// palisade-media knows nothing of SIP: these messages are all it is told.

public enum MediaDirection: String, Codable, Sendable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive
}

/// An IPv4 or IPv6 literal and a UDP port.
public struct Endpoint: Codable, Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var port: Int

    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }

    public var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }
}

/// How one leg's packets are protected. Keys are the SDES inline form: base64 of key||salt
/// (RFC 4568 §6.1). `localKey` nil asks palisade-media for a fresh key from its CSPRNG;
/// `remoteKey` nil means the peer's key is not known yet (an offer not yet answered).
public enum LegProfile: Codable, Sendable, Equatable {
    case rtp
    case srtp(suite: String, localKey: String?, remoteKey: String?)

    private enum Key: String, CodingKey { case kind, suite, localKey, remoteKey }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "rtp": self = .rtp
        case "srtp":
            self = .srtp(suite: try c.decode(String.self, forKey: .suite),
                         localKey: try c.decodeIfPresent(String.self, forKey: .localKey),
                         remoteKey: try c.decodeIfPresent(String.self, forKey: .remoteKey))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                                                   debugDescription: "unknown profile '\(other)' (rtp, srtp)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .rtp:
            try c.encode("rtp", forKey: .kind)
        case .srtp(let suite, let localKey, let remoteKey):
            try c.encode("srtp", forKey: .kind)
            try c.encode(suite, forKey: .suite)
            try c.encodeIfPresent(localKey, forKey: .localKey)
            try c.encodeIfPresent(remoteKey, forKey: .remoteKey)
        }
    }
}

/// One leg of a stream as palisade-signal wants it.
public struct LegSpec: Codable, Sendable, Equatable {
    /// The media interface (realm) whose port range and address the leg uses.
    public var interface: String
    public var rtcpMux: Bool
    /// Where the peer said it receives RTP (from its SDP); nil until known.
    public var remote: Endpoint?
    /// Where the peer receives RTCP when not muxed (a=rtcp, else RTP port + 1).
    public var remoteRTCP: Endpoint?
    public var profile: LegProfile
    public var direction: MediaDirection
    /// Accept media only from `remote` (no latching onto another address).
    public var strictSource: Bool

    public init(interface: String, rtcpMux: Bool, remote: Endpoint?, remoteRTCP: Endpoint? = nil,
                profile: LegProfile, direction: MediaDirection = .sendrecv, strictSource: Bool = false) {
        self.interface = interface
        self.rtcpMux = rtcpMux
        self.remote = remote
        self.remoteRTCP = remoteRTCP
        self.profile = profile
        self.direction = direction
        self.strictSource = strictSource
    }
}

public struct StreamSpec: Codable, Sendable, Equatable {
    /// The m= line index, stable for the life of the session.
    public var index: Int
    public var a: LegSpec
    public var b: LegSpec

    public init(index: Int, a: LegSpec, b: LegSpec) {
        self.index = index
        self.a = a
        self.b = b
    }
}

/// The whole desired state of a session. `update-session` sends it again in full: streams
/// absent from it are removed, present ones are changed in place (ports kept).
public struct SessionSpec: Codable, Sendable, Equatable {
    public var session: String
    public var streams: [StreamSpec]

    public init(session: String, streams: [StreamSpec]) {
        self.session = session
        self.streams = streams
    }
}

/// What palisade-media allocated for one leg: what palisade-signal writes into that leg's SDP.
public struct LegAllocation: Codable, Sendable, Equatable {
    public var interface: String
    /// The address to advertise in SDP c=.
    public var address: String
    public var rtpPort: Int
    /// Equal to `rtpPort` when muxed.
    public var rtcpPort: Int
    /// SRTP only: the suite and palisade-media's own key for this leg (SDES inline form).
    public var suite: String?
    public var localKey: String?

    public init(interface: String, address: String, rtpPort: Int, rtcpPort: Int, suite: String? = nil,
                localKey: String? = nil) {
        self.interface = interface
        self.address = address
        self.rtpPort = rtpPort
        self.rtcpPort = rtcpPort
        self.suite = suite
        self.localKey = localKey
    }
}

public struct StreamAllocation: Codable, Sendable, Equatable {
    public var index: Int
    public var a: LegAllocation
    public var b: LegAllocation

    public init(index: Int, a: LegAllocation, b: LegAllocation) {
        self.index = index
        self.a = a
        self.b = b
    }
}

public struct SessionAllocation: Codable, Sendable, Equatable {
    public var session: String
    public var streams: [StreamAllocation]

    public init(session: String, streams: [StreamAllocation]) {
        self.session = session
        self.streams = streams
    }
}

/// Why a packet was dropped. One catalogue for statistics, events and metrics labels.
public enum DropReason: String, Codable, Sendable, CaseIterable {
    case authFailure = "auth-failure"
    case replay
    case unknownSource = "unknown-source"
    case malformed
    case noRoute = "no-route"
}

/// Counters of one leg, in the direction received from its peer.
public struct LegStatistics: Codable, Sendable, Equatable {
    public var packets: UInt64
    public var bytes: UInt64
    public var drops: [String: UInt64]
    /// Sequence gaps (RFC 3550 §A.3).
    public var lost: UInt64
    /// Interarrival jitter (RFC 3550 §6.4.1), in milliseconds.
    public var jitterMilliseconds: Double
    /// Unix seconds of the last packet accepted; nil before the first.
    public var lastPacketTime: Double?
    /// The peer address media is latched to, and why.
    public var latched: Endpoint?
    public var latchReason: String?

    public init(packets: UInt64, bytes: UInt64, drops: [String: UInt64], lost: UInt64, jitterMilliseconds: Double,
                lastPacketTime: Double?, latched: Endpoint?, latchReason: String?) {
        self.packets = packets
        self.bytes = bytes
        self.drops = drops
        self.lost = lost
        self.jitterMilliseconds = jitterMilliseconds
        self.lastPacketTime = lastPacketTime
        self.latched = latched
        self.latchReason = latchReason
    }
}

public struct StreamStatistics: Codable, Sendable, Equatable {
    public var index: Int
    public var a: LegStatistics
    public var b: LegStatistics

    public init(index: Int, a: LegStatistics, b: LegStatistics) {
        self.index = index
        self.a = a
        self.b = b
    }
}

public struct SessionStatistics: Codable, Sendable, Equatable {
    public var session: String
    /// Unix seconds.
    public var created: Double
    public var streams: [StreamStatistics]
    /// Palisade's own addresses per stream, in the order of `streams` (`list-sessions` only; absent
    /// from older media planes and from the other replies).
    public var local: [StreamAllocation]?
    /// The packet worker relaying each stream, in the order of `streams` (`list-sessions` only).
    public var workers: [Int]?

    public init(session: String, created: Double, streams: [StreamStatistics], local: [StreamAllocation]? = nil,
                workers: [Int]? = nil) {
        self.workers = workers
        self.session = session
        self.created = created
        self.streams = streams
        self.local = local
    }
}

/// A source address the signalling wants dropped at the firewall (an address its auth-failure
/// throttle refused): every packet from it, to any port of the SBC, for `seconds`. Banning again
/// restarts the time.
public struct SourceBan: Codable, Sendable, Equatable {
    /// An IPv4 or IPv6 address, no port.
    public var address: String
    public var seconds: Int
    /// Why, for the media plane's log.
    public var reason: String

    public init(address: String, seconds: Int, reason: String) {
        self.address = address
        self.seconds = seconds
        self.reason = reason
    }
}

public struct SessionReference: Codable, Sendable, Equatable {
    public var session: String
    public init(session: String) { self.session = session }
}

public struct SessionList: Codable, Sendable, Equatable {
    public var sessions: [SessionStatistics]
    public init(sessions: [SessionStatistics]) { self.sessions = sessions }
}

/// Which leg of a stream.
public enum LegName: String, Codable, Sendable, CaseIterable { case a, b }

/// Something palisade-media tells palisade-signal without being asked.
public enum MediaEvent: Sendable, Equatable {
    /// No packet on the leg for `idleSeconds` (the active or the on-hold limit).
    case streamTimedOut(session: String, stream: Int, leg: LegName, idleSeconds: Double)
    /// The leg latched (or re-latched) onto a peer address.
    case latched(session: String, stream: Int, leg: LegName, from: Endpoint, reason: String)
    /// SRTP authentication failures on the leg crossed the reporting threshold.
    case srtpFailures(session: String, stream: Int, leg: LegName, count: UInt64)

    public var name: String {
        switch self {
        case .streamTimedOut: "stream-timeout"
        case .latched: "latched"
        case .srtpFailures: "srtp-failures"
        }
    }
}
