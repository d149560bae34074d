import MediaControlProtocol
import Testing

@Suite("Reply cache")
struct ReplyCacheTests {
    @Test("a retransmission (same id, same bytes) is answered from the cache; other bytes conflict")
    func retransmission() {
        var cache = ReplyCache(capacity: 4)
        #expect(cache.lookup(id: 1, request: [1, 2]) == .fresh)
        cache.store(id: 1, request: [1, 2], reply: [9])
        #expect(cache.lookup(id: 1, request: [1, 2]) == .replay([9]))
        #expect(cache.lookup(id: 1, request: [1, 3]) == .conflict)
        #expect(cache.lookup(id: 2, request: [1, 2]) == .fresh)
    }

    @Test("the cache keeps an exact-size copy of the reply and only a digest of the request")
    func trimmed() {
        var cache = ReplyCache(capacity: 8)
        var request: [UInt8] = []
        request.reserveCapacity(4096)
        request += Array(repeating: 7, count: 100)
        var reply: [UInt8] = []
        reply.reserveCapacity(1024)
        reply += Array(repeating: 9, count: 50)
        cache.store(id: 1, request: request, reply: reply)
        #expect(cache.retainedBytes < 50 + 32, "\(cache.retainedBytes) bytes held for a 50-byte reply")
        #expect(cache.lookup(id: 1, request: request) == .replay(reply))
        var other = request
        other[99] = 8
        #expect(cache.lookup(id: 1, request: other) == .conflict)
        #expect(cache.lookup(id: 1, request: Array(request.dropLast())) == .conflict)
    }

    @Test("bounded: the oldest reply is evicted first")
    func eviction() {
        var cache = ReplyCache(capacity: 3)
        for id in UInt64(1)...5 { cache.store(id: id, request: [UInt8(id)], reply: [UInt8(id)]) }
        #expect(cache.count == 3)
        #expect(cache.lookup(id: 1, request: [1]) == .fresh)
        #expect(cache.lookup(id: 2, request: [2]) == .fresh)
        #expect(cache.lookup(id: 5, request: [5]) == .replay([5]))
        cache.store(id: 5, request: [5], reply: [50])
        #expect(cache.count == 3 && cache.lookup(id: 3, request: [3]) == .replay([3]))
    }

    @Test("only create, update, delete and ban change state")
    func stateChanging() {
        #expect(ControlCommand.allCases.filter(\.changesState) == [.createSession, .updateSession, .deleteSession, .banSource])
    }
}
