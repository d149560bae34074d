/// Remembers, for each nonce in use, the highest nonce count accepted, so a captured request
/// cannot be played again (RFC 7616 §3.4: the server "SHOULD" check that nc increases; §5.5).
///
/// Memory is bounded by `capacity` nonces. Eviction must not reopen replays: when a nonce is
/// evicted, the table remembers the newest issue time it ever evicted (the watermark), and a nonce
/// it does not know that was issued at or before the watermark is `forgotten` — the caller answers
/// stale, and the client continues on a fresh nonce. A nonce issued after the watermark and
/// unknown has never been seen, so any nc starting from 1 is its first use. Issue times come from
/// the authenticated nonce, so a client cannot pick them.
public struct NonceReplayTable: Sendable {
    struct Entry: Sendable {
        var issuedAt: AuthInstant
        var highestNonceCount: UInt32
    }

    private var entries: InsertionOrderedTable<[UInt8], Entry>
    private(set) var watermark: AuthInstant?

    public init(capacity: Int = 65_536) {
        entries = InsertionOrderedTable(capacity: capacity)
    }

    public var count: Int { entries.count }
    public var capacity: Int { entries.capacity }

    public enum Verdict: Sendable, Hashable {
        case fresh
        /// This nc (or a higher one) was already accepted for this nonce; nc 0 is never valid.
        case replayed
        /// The nonce was possibly evicted; the table cannot tell, so it must be refused as stale.
        case forgotten
    }

    /// Call only after the response verified: an attacker without the password must not be able
    /// to burn nonce counts, or evict other clients' entries.
    public mutating func admit(nonce: [UInt8], issuedAt: AuthInstant, nonceCount: UInt32) -> Verdict {
        if var entry = entries[nonce] {
            guard nonceCount > entry.highestNonceCount else { return .replayed }
            entry.highestNonceCount = nonceCount
            entries.update(entry, forKey: nonce)
            return .fresh
        }
        if let watermark, issuedAt <= watermark {
            return .forgotten
        }
        guard nonceCount > 0 else { return .replayed }
        if let evicted = entries.insert(Entry(issuedAt: issuedAt, highestNonceCount: nonceCount), forKey: nonce) {
            watermark = max(watermark ?? evicted.value.issuedAt, evicted.value.issuedAt)
        }
        return .fresh
    }

    /// Drops the oldest entries while their nonces were issued before `cutoff` (now minus the
    /// nonce lifetime). No watermark is needed for these: the expiry check refuses them first.
    public mutating func removeExpired(issuedBefore cutoff: AuthInstant) {
        while let oldest = entries.oldest(), oldest.value.issuedAt < cutoff {
            entries.removeOldest()
        }
    }
}
