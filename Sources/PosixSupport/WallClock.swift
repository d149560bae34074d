#if canImport(Glibc)
import Glibc
#endif

public enum WallClock {
    /// Unix seconds, for timestamps shown to people. Durations use a monotonic clock instead.
    public static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
