/// Interarrival jitter for one RTP source, RFC 3550 §6.4.1 computed as in Appendix A.8.
///
/// Arrival times must be in the stream's RTP timestamp units; `RTPClock.units` converts.
/// The estimate is kept scaled by 16 in an integer, as A.8 does, so nothing rounds away.
public struct JitterEstimator: Equatable, Sendable {
    /// Jitter × 16, in timestamp units.
    public private(set) var scaledJitter: UInt32 = 0
    private var lastTransit: Int32 = 0
    private var hasTransit = false

    public init() {}

    /// The estimate in timestamp units, as reported in an RTCP receiver report.
    public var jitter: UInt32 { scaledJitter >> 4 }

    /// RFC 3550 §6.4.1: D(i,j) = (Rj − Ri) − (Sj − Si); J(i) = J(i−1) + (|D(i−1,i)| − J(i−1))/16.
    /// Differences are taken modulo 2^32, so timestamp wrap-around is harmless.
    public mutating func update(arrival: UInt32, rtpTimestamp: UInt32) {
        let transit = Int32(bitPattern: arrival &- rtpTimestamp)
        defer { lastTransit = transit }
        guard hasTransit else {
            hasTransit = true
            return
        }
        let d = (transit &- lastTransit).magnitude
        // A.8: jitter += d - ((jitter + 8) >> 4), in unsigned arithmetic that cannot go negative.
        scaledJitter = scaledJitter &+ d &- ((scaledJitter &+ 8) >> 4)
    }

    /// Forgets the previous transit time (new SSRC): the next packet only primes the estimator.
    public mutating func restart() {
        hasTransit = false
    }
}

/// Conversion from a monotonic clock to RTP timestamp units.
public enum RTPClock {
    /// `nanoseconds × clockRate / 10^9`, truncated to 32 bits (RTP timestamps wrap).
    @inline(__always)
    public static func units(nanoseconds: UInt64, clockRate: UInt32) -> UInt32 {
        let product = nanoseconds.multipliedFullWidth(by: UInt64(clockRate))
        // The quotient fits in 64 bits while nanoseconds < 2^64 and clockRate ≤ 10^9.
        let (quotient, _) = UInt64(1_000_000_000).dividingFullWidth(product)
        return UInt32(truncatingIfNeeded: quotient)
    }
}
