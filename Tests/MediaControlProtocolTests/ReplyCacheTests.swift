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
