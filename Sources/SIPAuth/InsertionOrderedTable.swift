/// A dictionary with a hard capacity that evicts its oldest insertion when full. The memory bound
/// is explicit: at most `capacity` values, and an order queue of at most `2 * capacity + 1` keys
/// (removals leave tombstones, which are swept when the queue reaches that size).
struct InsertionOrderedTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let capacity: Int
    private var values: [Key: (value: Value, serial: UInt64)] = [:]
    private var order: [(key: Key, serial: UInt64)] = []
    private var head = 0
    private var nextSerial: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a bounded table needs room for at least one entry")
        self.capacity = capacity
    }

    var count: Int { values.count }

    /// Reading and updating keep the entry's place in the eviction order.
    subscript(key: Key) -> Value? {
        values[key]?.value
    }

    mutating func update(_ value: Value, forKey key: Key) {
        guard let existing = values[key] else { return }
        values[key] = (value, existing.serial)
    }

    /// Inserts a new key (it must be absent) and returns what was evicted to make room, if anything.
    @discardableResult
    mutating func insert(_ value: Value, forKey key: Key) -> (key: Key, value: Value)? {
        precondition(values[key] == nil, "insert is for new keys; use update")
        var evicted: (key: Key, value: Value)?
        if values.count >= capacity {
            evicted = removeOldest()
        }
        nextSerial &+= 1
        values[key] = (value, nextSerial)
        order.append((key, nextSerial))
        compactIfNeeded()
        return evicted
    }

    mutating func removeValue(forKey key: Key) {
        values[key] = nil
        compactIfNeeded()
    }

    /// The oldest live entry, without removing it.
    mutating func oldest() -> (key: Key, value: Value)? {
        dropTombstonesAtHead()
        guard head < order.count, let live = values[order[head].key] else { return nil }
        return (order[head].key, live.value)
    }

    @discardableResult
    mutating func removeOldest() -> (key: Key, value: Value)? {
        guard let oldest = oldest() else { return nil }
        values[oldest.key] = nil
        head += 1
        compactIfNeeded()
        return oldest
    }

    /// An order slot is live only while its key maps to the same serial: a removed and re-inserted
    /// key has a new slot at the back.
    private func isLive(_ slot: (key: Key, serial: UInt64)) -> Bool {
        values[slot.key]?.serial == slot.serial
    }

    private mutating func dropTombstonesAtHead() {
        while head < order.count, !isLive(order[head]) {
            head += 1
        }
    }

    private mutating func compactIfNeeded() {
        if order.count - head > 2 * capacity {
            order = order[head...].filter { isLive($0) }
            head = 0
        } else if head > 32, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
