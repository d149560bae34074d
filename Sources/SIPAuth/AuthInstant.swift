/// A point in time as the shell tells it, in milliseconds on whatever monotonic clock it reads
/// (for example `ContinuousClock` since process start). SIPAuth never reads a clock: every decision
/// that depends on time takes `now` as a parameter, and tests advance a manual clock.
public struct AuthInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: UInt64

    public init(milliseconds: UInt64) {
        self.milliseconds = milliseconds
    }

    public static func seconds(_ seconds: UInt64) -> AuthInstant {
        AuthInstant(milliseconds: seconds &* 1000)
    }

    /// Saturates at zero and at the largest instant rather than wrapping.
    public func advanced(by duration: Duration) -> AuthInstant {
        let delta = Self.signedMilliseconds(of: duration)
        if delta >= 0 {
            let (sum, overflow) = milliseconds.addingReportingOverflow(UInt64(delta))
            return AuthInstant(milliseconds: overflow ? .max : sum)
        }
        return AuthInstant(milliseconds: milliseconds - min(milliseconds, delta.magnitude))
    }

    /// How long after `earlier` this is; zero when `earlier` is later.
    public func duration(since earlier: AuthInstant) -> Duration {
        guard milliseconds > earlier.milliseconds else { return .zero }
        return .milliseconds(Int64(clamping: milliseconds - earlier.milliseconds))
    }

    public static func < (lhs: AuthInstant, rhs: AuthInstant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public var description: String { "\(milliseconds) ms" }

    /// Negative durations count as zero.
    static func milliseconds(of duration: Duration) -> UInt64 {
        UInt64(max(0, signedMilliseconds(of: duration)))
    }

    /// Whole milliseconds, truncated toward zero, saturating.
    static func signedMilliseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        guard !overflowAgain else { return seconds < 0 ? .min : .max }
        return total
    }
}
