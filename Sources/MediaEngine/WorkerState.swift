import RTP
import SRTP

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
    var crypto = LegCrypto.passthrough
    /// The authentication-failure count at which the next `.srtpFailures` event goes out (10,
    /// then every power of ten), so a flood yields a handful of events, not one per packet.
    var nextFailureReport: UInt64 = 10
    var sequence = SequenceTracker()
    var jitter = JitterEstimator()
    var stats = LegStatistics()

    init() {}

    init(setup: LegSetup) {
        rtpFD = setup.rtpFD
        rtcpFD = setup.rtcpFD
        rtcpMux = setup.rtcpMux
        crypto = setup.crypto
        apply(remote: setup.remote, remoteRTCP: setup.remoteRTCP, latching: setup.latching)
    }

    /// RFC 3605 default: RTCP on the RTP port + 1 unless given, or on the RTP port when muxed.
    mutating func apply(remote: IPv4Endpoint?, remoteRTCP: IPv4Endpoint?, latching: LatchMode) {
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
    }

    func snapshot() -> LegStatistics {
        var result = stats
        result.lost = sequence.cumulativeLost
        result.misordered = sequence.misordered
        result.jitter = jitter.jitter
        result.ssrc = sequence.ssrc
        result.latched = latched
        result.latchedRTCP = rtcpMux ? nil : latchedRTCP
        // On the worker thread, which alone uses the contexts.
        for context in [crypto.inbound, crypto.outbound] {
            guard let context = context?.takeUnretainedValue() else { continue }
            result.srtpStreamsEvicted &+= context.evictedStreams
            result.srtpStreams += context.activeStreams
        }
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
struct LegSetup: @unchecked Sendable {
    var rtpFD: Int32
    var rtcpFD: Int32
    var rtcpMux: Bool
    var remote: IPv4Endpoint?
    var remoteRTCP: IPv4Endpoint?
    var latching: LatchMode
    var crypto: LegCrypto
}

/// What happens to one direction's SRTP context in an update.
enum ContextChange {
    /// The same context, same key.
    case keep
    /// Another context (built on the control thread) or none; the old one is retired by the
    /// engine once the worker has processed this command.
    case replace(Unmanaged<SRTPContext>?)
    /// The same context re-keyed by the worker (srtp_update, same suite): each SSRC's rollover
    /// counter and replay state carry on, so the stream does not drop (RFC 3711 §3.3.1).
    case rekey(SRTPMasterKey)
}

/// An update's change to one leg's transform.
struct CryptoChange {
    var isSRTP: Bool
    var inbound: ContextChange
    var outbound: ContextChange
}

struct StreamSetup: @unchecked Sendable {
    var id: StreamID
    var a: LegSetup
    var b: LegSetup
    var clockRate: UInt32
    var timeouts: TimeoutPolicy
    var onHold: Bool
}

/// `@unchecked`: the SRTP contexts inside are handed from the control thread to one worker, the
/// queue ordering the hand-over; the engine keeps them alive (see `LegCrypto`).
enum WorkerCommand: @unchecked Sendable {
    case add(slot: Int, StreamSetup)
    case update(slot: Int, StreamUpdate, a: CryptoChange?, b: CryptoChange?)
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
