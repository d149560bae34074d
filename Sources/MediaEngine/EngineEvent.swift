/// What a worker tells the control thread. Collected with `MediaEngine.collectEvents()`.
public enum EngineEvent: Equatable, Sendable {
    /// No accepted packet on any leg for the stream's timeout (the on-hold value when on hold).
    /// Sent once; re-armed by the next packet.
    case timedOut(StreamID, idleNanoseconds: UInt64, onHold: Bool)
    /// A leg latched (or re-latched) to a source.
    case latched(StreamID, LatchRecord)
    /// SRTP/SRTCP authentication failures on a leg reached `count` (10, then every power of ten).
    case srtpFailures(StreamID, LegSide, count: UInt64)
    /// The answer to `requestStatistics`.
    case statistics(StreamStatistics)
    /// The stream is gone, its sockets closed and its ports back in the pool; final counters.
    case removed(StreamStatistics)
}
