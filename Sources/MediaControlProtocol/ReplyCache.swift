/// Makes state-changing control requests idempotent (rtpengine's cookie cache, by request id):
/// palisade-signal resends a request whose reply it did not see (a reconnect, a timeout), and
/// palisade-media must answer it without creating, updating or deleting twice.
///
/// A request is the same request when its id and its bytes are equal; the same id with other
/// bytes is a client bug, refused rather than answered with an unrelated reply. The cache keeps a
/// digest of each request, not its bytes: it only has to recognise the request again.
public struct ReplyCache: Sendable {
    public enum Lookup: Equatable, Sendable {
        /// Not seen: execute it, then `store` the reply.
        case fresh
        /// Seen: send this reply again, execute nothing.
        case replay([UInt8])
        /// The id was used for a different request.
        case conflict
    }

    private struct Entry: Sendable {
        var request: BytesDigest
        var reply: [UInt8]
    }

    public let capacity: Int
    private var entries: [UInt64: Entry] = [:]
    /// Ids in insertion order; the oldest is evicted first.
    private var order: [UInt64] = []
    private var oldest = 0

    public init(capacity: Int = 4096) {
        precondition(capacity > 0, "a reply cache holds at least one reply")
        self.capacity = capacity
    }

    public var count: Int { entries.count }

    public func lookup(id: UInt64, request: [UInt8]) -> Lookup {
        guard let entry = entries[id] else { return .fresh }
        return entry.request == BytesDigest(request) ? .replay(entry.reply) : .conflict
    }

    /// The reply bytes the cache holds, counted by the arrays' capacities.
    public var retainedBytes: Int { entries.values.reduce(0) { $0 + $1.reply.capacity } }

    public mutating func store(id: UInt64, request: [UInt8], reply: [UInt8]) {
        // An exact-size copy: a reply comes in an encode buffer with room to spare (1 KB), and the
        // cache holds thousands of them.
        let entry = Entry(request: BytesDigest(request), reply: Self.trimmed(reply))
        if entries.updateValue(entry, forKey: id) != nil { return }
        if order.count < capacity {
            order.append(id)
        } else {
            entries[order[oldest]] = nil
            order[oldest] = id
            oldest = (oldest + 1) % capacity
        }
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        bytes.capacity > bytes.count ? bytes.withUnsafeBufferPointer { Array($0) } : bytes
    }
}
