/// Observations counted into fixed buckets, for a Prometheus histogram. A value; whoever observes
/// keeps it under its own lock, and a scrape copies it.
public struct Histogram: Sendable, Equatable {
    /// Upper bounds of the buckets, ascending; the `+Inf` bucket is implied.
    public let bounds: [Double]
    /// Observations per bucket (not cumulative), one more than `bounds` (the last is `+Inf`).
    public private(set) var bucketCounts: [UInt64]
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    public init(bounds: [Double]) {
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "histogram bounds must ascend")
        self.bounds = bounds
        self.bucketCounts = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Seconds of call setup and post-dial delay: 50 ms (an answering machine on the LAN) to a
    /// minute (a phone left ringing until the caller gives up).
    public static let callSetupBounds: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60]
    /// Seconds of interarrival jitter: a LAN (1 ms) to a congested or wireless path (200 ms);
    /// around 30 ms is where voice starts to suffer.
    public static let jitterBounds: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2]
    /// Fractions of packets lost: none, the 0.1 % and 1 % marks, to a leg that lost half.
    public static let lossRatioBounds: [Double] = [0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]

    public mutating func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 } ?? bounds.count
        bucketCounts[index] += 1
        sum += value
        count += 1
    }
}
