import MediaEngine
import Testing

@Suite("Port pool")
struct PortPoolTests {
    @Test("RFC 3550 §11: RTP on even ports, RTCP on the odd port above, even from an odd range start")
    func parity() throws {
        var pool = try PortPool(range: 10001...10010)
        #expect(pool.capacity == 4)  // 10002, 10004, 10006, 10008 (10010 has no partner)
        for _ in 0..<4 {
            let pair = try pool.allocate().get()
            #expect(pair.rtp % 2 == 0)
            #expect(pair.rtcp == pair.rtp + 1)
            #expect((10001...10010).contains(pair.rtcp))
        }
    }

    @Test("exhaustion is an error value, and never hands a pair out twice")
    func exhaustion() throws {
        var pool = try PortPool(range: 20000...20007)
        var seen: Set<UInt16> = []
        for _ in 0..<4 { seen.insert(try pool.allocate().get().rtp) }
        #expect(seen.count == 4)
        #expect(pool.available == 0)
        #expect(throws: PortPoolError(.exhausted, "")) { try pool.allocate().get() }
        #expect(throws: PortPoolError(.exhausted, "")) { try pool.allocate().get() }
    }

    @Test("released pairs are reused, least recently released first")
    func reuse() throws {
        var pool = try PortPool(range: 30000...30005)
        let first = try pool.allocate().get()
        let second = try pool.allocate().get()
        let third = try pool.allocate().get()
        try pool.release(second).get()
        try pool.release(first).get()
        #expect(try pool.allocate().get() == second)
        #expect(try pool.allocate().get() == first)
        #expect(pool.isAllocated(third))
    }

    @Test("a freed pair goes to the back: the next allocation takes a never-used pair first")
    func fifo() throws {
        var pool = try PortPool(range: 30000...30005)
        let first = try pool.allocate().get()
        try pool.release(first).get()
        let next = try pool.allocate().get()
        #expect(next != first)
    }

    @Test("double release and foreign ports are errors, and leave the pool intact")
    func badRelease() throws {
        var pool = try PortPool(range: 40000...40003)
        let pair = try pool.allocate().get()
        try pool.release(pair).get()
        #expect(throws: PortPoolError(.notAllocated, "")) { try pool.release(pair).get() }
        #expect(throws: PortPoolError(.outsideRange, "")) { try pool.release(PortPair(rtp: 50000)!).get() }
        #expect(throws: PortPoolError(.outsideRange, "")) { try pool.release(PortPair(rtp: 39998)!).get() }
        #expect(pool.available == 2)
        #expect(PortPair(rtp: 40001) == nil)
    }

    @Test("a range without an even/odd pair is rejected", arguments: [50001...50001, 50000...50000, 50001...50002])
    func emptyRange(range: ClosedRange<UInt16>) {
        #expect(throws: PortPoolError(.emptyRange, "")) { try PortPool(range: range) }
    }

    @Test("the top of the port space: 65534/65535 is a usable pair")
    func topOfRange() throws {
        var pool = try PortPool(range: 65530...65535)
        #expect(pool.capacity == 3)
        for _ in 0..<3 { _ = try pool.allocate().get() }
        #expect(pool.available == 0)
    }
}
