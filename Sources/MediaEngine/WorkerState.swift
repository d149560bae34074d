import RTP

/// One leg as its worker sees it. A trivial value (no references), kept in a preallocated array
/// and mutated in place through a pointer by the packet loop.
struct LegState {
    var rtpFD: Int32 = -1
    /// -1 when muxed.
    var rtcpFD: Int32 = -1
    var rtcpMux = false
    var signalled: IPv4Endpoint?
    var signalledRTCP: IPv4Endpoint?
    var latched: IPv4Endpoint?
    var latchedRTCP: IPv4Endpoint?
    var latching = LatchMode.learn
    var transform = LegTransform.passthrough
    var sequence = SequenceTracker()
    var jitter = JitterEstimator()
    var stats = LegStatistics()

    init() {}

    init(setup: LegSetup) {
        rtpFD = setup.rtpFD
        rtcpFD = setup.rtcpFD
        rtcpMux = setup.rtcpMux
        apply(remote: setup.remote, remoteRTCP: setup.remoteRTCP, latching: setup.latching,
              transform: setup.transform)
    }

    /// RFC 3605 default: RTCP on the RTP port + 1 unless given, or on the RTP port when muxed.
    mutating func apply(remote: IPv4Endpoint?, remoteRTCP: IPv4Endpoint?, latching: LatchMode,
                        transform: LegTransform) {
        signalled = remote
        if rtcpMux {
            signalledRTCP = nil
        } else if let remoteRTCP {
            signalledRTCP = remoteRTCP
        } else if let remote, remote.port < UInt16.max {
            signalledRTCP = IPv4Endpoint(address: remote.address, port: remote.port + 1)
        } else {
            signalledRTCP = nil
        }
        self.latching = latching
        self.transform = transform
    }

    func snapshot() -> LegStatistics {
        var result = stats
        result.lost = sequence.cumulativeLost
        result.misordered = sequence.misordered
        result.jitter = jitter.jitter
        result.ssrc = sequence.ssrc
        result.latched = latched
        result.latchedRTCP = rtcpMux ? nil : latchedRTCP
        return result
    }
}

/// Stream-wide state of one worker slot. Trivial, like `LegState`.
struct StreamState {
    var id = StreamID(0)
    var inUse = false
    var clockRate: UInt32 = 8000
    var activeTimeout: UInt64 = 0
    var onHoldTimeout: UInt64 = 0
    var onHold = false
    /// Last accepted packet on either leg, or when the stream was added.
    var lastActivity: UInt64 = 0
    var timedOut = false
    var latchHead = 0
    var latchCount = 0
}

/// What the control thread hands a worker for one leg: sockets it has bound, now the worker's.
struct LegSetup: Sendable {
    var rtpFD: Int32
    var rtcpFD: Int32
    var rtcpMux: Bool
    var remote: IPv4Endpoint?
    var remoteRTCP: IPv4Endpoint?
    var latching: LatchMode
    var transform: LegTransform
}

struct StreamSetup: Sendable {
    var id: StreamID
    var a: LegSetup
    var b: LegSetup
    var clockRate: UInt32
    var timeouts: TimeoutPolicy
    var onHold: Bool
}

enum WorkerCommand: Sendable {
    case add(slot: Int, StreamSetup)
    case update(slot: Int, StreamUpdate)
    case remove(slot: Int)
    case snapshot(slot: Int)
}

enum WorkerReply: Sendable {
    case statistics(StreamStatistics)
    case removed(slot: Int, StreamStatistics)
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}
