import NIOCore

/// Deadlines by key, earliest first: SIPService's transaction timers. NIO's `Scheduled.cancel()`
/// searches the loop's whole queue of scheduled tasks, and a SIP transaction leaves timers running
/// for 32 s after it is answered (Timers B, F, J, L, M): tens of thousands at a few hundred calls
/// a second, scanned on every cancelled retransmission timer. Here a cancel only forgets the key;
/// its heap entry is skipped when it comes up, and the heap is rebuilt when stale entries
/// outnumber live ones.
struct TimerQueue<Key: Hashable> {
    /// Trivial, so the heap's sifting moves 16-byte values: no key (strings, for a transaction's
    /// timer) is copied, retained or released on the way.
    private struct Entry {
        var deadline: NIODeadline
        /// Tells a key's current entry from the ones it replaced; the key is found by it.
        var sequence: UInt64

        func precedes(_ other: Entry) -> Bool {
            deadline < other.deadline || deadline == other.deadline && sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    /// Each live key's current sequence, and the other way round.
    private var live: [Key: UInt64] = [:]
    private var keys: [UInt64: Key] = [:]
    private var nextSequence: UInt64 = 0

    var count: Int { live.count }
    var isEmpty: Bool { live.isEmpty }

    func contains(_ key: Key) -> Bool { live[key] != nil }

    /// Sets `key` to expire at `deadline`, replacing its earlier deadline if it had one.
    mutating func schedule(_ key: Key, at deadline: NIODeadline) {
        let sequence = nextSequence
        nextSequence += 1
        if let replaced = live.updateValue(sequence, forKey: key) { keys[replaced] = nil }
        keys[sequence] = key
        push(Entry(deadline: deadline, sequence: sequence))
        compactIfStale()
    }

    /// Forgets `key`; true when it was scheduled.
    @discardableResult
    mutating func cancel(_ key: Key) -> Bool {
        guard let sequence = live.removeValue(forKey: key) else { return false }
        keys[sequence] = nil
        compactIfStale()
        return true
    }

    /// The earliest live deadline (stale entries at the top are dropped on the way).
    mutating func nextDeadline() -> NIODeadline? {
        dropStaleTop()
        return heap.first?.deadline
    }

    /// Removes and returns the earliest key whose deadline is at or before `now`, if any. One at a
    /// time: what a fired timer does may cancel or re-arm the next one.
    mutating func popExpired(now: NIODeadline) -> Key? {
        dropStaleTop()
        guard let top = heap.first, top.deadline <= now, let key = keys.removeValue(forKey: top.sequence) else {
            return nil
        }
        popTop()
        live[key] = nil
        return key
    }

    mutating func removeAll() {
        heap = []
        live = [:]
        keys = [:]
    }

    // MARK: Heap

    private mutating func dropStaleTop() {
        while let top = heap.first, keys[top.sequence] == nil { popTop() }
    }

    private mutating func compactIfStale() {
        guard heap.count > 1_024, heap.count > 2 * live.count else { return }
        heap.removeAll { keys[$0.sequence] == nil }
        // Floyd's construction: sift down every inner node, last first.
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let child = right < heap.count && heap[right].precedes(heap[left]) ? right : left
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            parent = child
        }
    }
}
