/// Slows down a source that keeps failing authentication (issue 6 item 9): a pure state machine
/// keyed by whatever the shell calls a source (usually the IP address, not the port: a guesser can
/// pick ports). The shell asks for a decision before verifying credentials and reports each
/// outcome; it turns `.delay` into a late answer and `.refuse` into 403 or a ban in nftables.
///
/// Within `window` of a source's first failure: from `delayAfterFailures` failures on, answers are
/// delayed (`baseDelay`, doubling per further failure up to `maximumDelay`); at
/// `refuseAfterFailures` the source is refused for `coolOff`. A success, the window passing, or the
/// cool-off ending forgets the source. At most `capacity` sources are tracked; beyond that the one
/// tracked longest is forgotten, so a flood of addresses costs bounded memory (and can at worst
/// free an old source early, which the nftables ban, if any, still covers).
public struct AuthFailureThrottle<Source: Hashable & Sendable>: Sendable {
    public struct Policy: Sendable, Hashable {
        public var delayAfterFailures: Int
        public var refuseAfterFailures: Int
        public var window: Duration
        public var baseDelay: Duration
        public var maximumDelay: Duration
        public var coolOff: Duration
        public var capacity: Int

        public init(delayAfterFailures: Int = 3, refuseAfterFailures: Int = 10, window: Duration = .seconds(60),
                    baseDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(8),
                    coolOff: Duration = .seconds(300), capacity: Int = 16_384) {
            precondition(delayAfterFailures >= 1 && refuseAfterFailures >= delayAfterFailures,
                         "the throttle delays before it refuses")
            self.delayAfterFailures = delayAfterFailures
            self.refuseAfterFailures = refuseAfterFailures
            self.window = window
            self.baseDelay = baseDelay
            self.maximumDelay = maximumDelay
            self.coolOff = coolOff
            self.capacity = capacity
        }
    }

    public enum Decision: Sendable, Hashable {
        case proceed
        /// Answer, but not before this long.
        case delay(Duration)
        /// Do not even verify: answer 403 (or drop and ban) until then.
        case refuse(until: AuthInstant)
    }

    struct Record: Sendable {
        var failures: Int
        var windowStart: AuthInstant
        var refusedUntil: AuthInstant?
    }

    public let policy: Policy
    private var records: InsertionOrderedTable<Source, Record>

    public init(policy: Policy = Policy()) {
        self.policy = policy
        records = InsertionOrderedTable(capacity: policy.capacity)
    }

    /// How many sources are tracked now (a gauge for /metrics).
    public var trackedSourceCount: Int { records.count }

    /// What to do with a request from `source` that carries credentials, before verifying them.
    public mutating func decision(for source: Source, now: AuthInstant) -> Decision {
        guard let record = currentRecord(for: source, now: now) else { return .proceed }
        return decision(for: record)
    }

    /// Reports a failed verification; returns the decision now in force, so the shell sees the
    /// moment a source becomes refused (to add it to the nftables ban set with `coolOff` timeout).
    @discardableResult
    public mutating func recordFailure(from source: Source, now: AuthInstant) -> Decision {
        guard var record = currentRecord(for: source, now: now) else {
            records.insert(Record(failures: 1, windowStart: now, refusedUntil: nil), forKey: source)
            return decision(for: Record(failures: 1, windowStart: now, refusedUntil: nil))
        }
        // Failures while refused do not extend the refusal: the cool-off is a fixed sentence, and the
        // shell should not be verifying for a refused source anyway.
        if record.refusedUntil == nil {
            record.failures += 1
            if record.failures >= policy.refuseAfterFailures {
                record.refusedUntil = now.advanced(by: policy.coolOff)
            }
            records.update(record, forKey: source)
        }
        return decision(for: record)
    }

    /// Reports a successful verification: the source starts over.
    public mutating func recordSuccess(from source: Source, now: AuthInstant) {
        records.removeValue(forKey: source)
    }

    /// The source's record if it still applies at `now`; forgets it when its window or cool-off is over.
    private mutating func currentRecord(for source: Source, now: AuthInstant) -> Record? {
        guard let record = records[source] else { return nil }
        let over: Bool
        if let refusedUntil = record.refusedUntil {
            over = now >= refusedUntil
        } else {
            over = now.duration(since: record.windowStart) >= policy.window
        }
        if over {
            records.removeValue(forKey: source)
            return nil
        }
        return record
    }

    private func decision(for record: Record) -> Decision {
        if let refusedUntil = record.refusedUntil {
            return .refuse(until: refusedUntil)
        }
        guard record.failures >= policy.delayAfterFailures else { return .proceed }
        let doublings = min(record.failures - policy.delayAfterFailures, 16)
        return .delay(min(policy.baseDelay * (1 << doublings), policy.maximumDelay))
    }
}
