import Synchronization

/// A bounded single-producer single-consumer ring. One thread only pushes, one thread only pops;
/// neither blocks nor allocates after init. Used both ways between the control thread and a
/// worker, always with an eventfd to wake the consumer.
///
/// Order of operations: the producer writes the element, then publishes `tail` with release; the
/// consumer reads `tail` with acquire before reading the element, then publishes `head` with
/// release so the producer may reuse the slot.
final class SPSCQueue<Element>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Element>
    let capacity: Int
    private let head = Atomic<Int>(0)  // next to pop; written by the consumer only
    private let tail = Atomic<Int>(0)  // next to push; written by the producer only

    init(capacity: Int) {
        precondition(capacity > 0, "queue capacity must be positive")
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        while pop() != nil {}
        storage.deallocate()
    }

    /// Producer side. Returns false (and keeps nothing) when the ring is full.
    func push(_ element: consuming Element) -> Bool {
        let t = tail.load(ordering: .relaxed)
        guard t - head.load(ordering: .acquiring) < capacity else { return false }
        // The slot at t is uninitialized: the consumer moved out of it before advancing head.
        (storage + t % capacity).initialize(to: element)
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    /// Consumer side. Returns nil when the ring is empty.
    func pop() -> Element? {
        let h = head.load(ordering: .relaxed)
        guard h < tail.load(ordering: .acquiring) else { return nil }
        // The slot at h was initialized by a push that the acquire above made visible.
        let element = (storage + h % capacity).move()
        head.store(h + 1, ordering: .releasing)
        return element
    }

    /// Approximate when read from the producer: for tests and diagnostics.
    var count: Int { tail.load(ordering: .acquiring) - head.load(ordering: .acquiring) }
}
