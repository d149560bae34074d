import NIOCore
import Testing

@testable import Signalling

@Suite("TimerQueue: transaction timers without NIO's linear cancel")
struct TimerQueueTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    private func at(_ ms: Int64) -> NIODeadline { start + .milliseconds(ms) }

    private func drain(_ queue: inout TimerQueue<String>, until ms: Int64) -> [String] {
        var fired: [String] = []
        while let key = queue.popExpired(now: at(ms)) { fired.append(key) }
        return fired
    }

    @Test("keys come out earliest first, only once due; ties in the order they were set")
    func order() {
        var queue = TimerQueue<String>()
        queue.schedule("b", at: at(200))
        queue.schedule("a", at: at(100))
        queue.schedule("c", at: at(300))
        queue.schedule("b2", at: at(200))
        let first = queue.nextDeadline()
        #expect(first == at(100))
        #expect(drain(&queue, until: 50) == [])
        #expect(drain(&queue, until: 200) == ["a", "b", "b2"])
        let next = queue.nextDeadline()
        #expect(next == at(300))
        #expect(queue.count == 1)
        #expect(drain(&queue, until: 1_000) == ["c"])
        let none = queue.nextDeadline()
        #expect(queue.isEmpty && none == nil)
    }

    @Test("a cancelled key never fires; a rescheduled key fires once, at its new deadline")
    func cancelAndReschedule() {
        var queue = TimerQueue<String>()
        queue.schedule("a", at: at(100))
        queue.schedule("b", at: at(150))
        let cancelled = queue.cancel("a")
        let again = queue.cancel("a")
        #expect(cancelled && !again)
        #expect(!queue.contains("a"))
        let next = queue.nextDeadline()
        #expect(next == at(150))
        queue.schedule("b", at: at(400))
        #expect(drain(&queue, until: 300) == [])
        #expect(queue.contains("b"))
        #expect(drain(&queue, until: 400) == ["b"])
        #expect(queue.isEmpty)
    }

    @Test("many cancels: the heap is compacted and what is left still fires in order")
    func compaction() {
        var queue = TimerQueue<String>()
        for i in 0..<5_000 { queue.schedule("t\(i)", at: at(Int64(10_000 - i))) }
        for i in 0..<5_000 where i % 10 != 0 { queue.cancel("t\(i)") }
        #expect(queue.count == 500)
        let fired = drain(&queue, until: 20_000)
        #expect(fired.count == 500)
        #expect(fired.first == "t4990" && fired.last == "t0")
        let deadlines = fired.map { Int($0.dropFirst())! }
        #expect(deadlines == deadlines.sorted(by: >))
    }
}
