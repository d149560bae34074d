#if canImport(Glibc)
import Glibc
#endif
import SRTP
import Testing

/// A quick figure, not a test: the relay's SRTP work per packet (unprotect with leg A's context,
/// protect with leg B's, in place), 172-byte RTP packets. Off unless PALISADE_SRTP_MEASURE is set;
/// run it in release: `PALISADE_SRTP_MEASURE=1 swift test -c release --filter SRTPMeasure`, once
/// without and once with PKG_CONFIG_PATH=.deps/libsrtp2/lib/pkgconfig to compare the builds.
/// It prints and asserts nothing about time. With an LD_PRELOAD malloc counter that exports
/// `long palisade_malloc_count(void)` (Tools/malloc-count.c), it also prints allocations per packet.
@Suite("SRTP micro-measure", .serialized)
struct SRTPMeasure {
    static let enabled = getenv("PALISADE_SRTP_MEASURE") != nil

    @Test("unprotect (key A) + protect (key B) per packet", .enabled(if: enabled), arguments: [
        (SRTPSuite.aesCM128HmacSHA1_80, SRTPSuite.aesCM128HmacSHA1_80),
        (.aeadAES128GCM, .aeadAES128GCM),
        (.aesCM128HmacSHA1_80, .aeadAES128GCM),
    ])
    func relayCost(legA: SRTPSuite, legB: SRTPSuite) throws {
        // Batches of 512 packets in a 128 KiB slab, as a worker's receive slab stays cache-warm;
        // each batch is protected by "phone A" untimed, then relayed timed.
        let batch = 512
        let batches = 100
        let slot = 256
        var results: [Double] = []
        var mallocs: [Double] = []
        for _ in 0..<5 {
            let keyA = SRTPMasterKey.random(for: legA)
            let keyB = SRTPMasterKey.random(for: legB)
            let phoneA = try SRTPContext(key: keyA, direction: .outbound)
            let relayIn = try SRTPContext(key: keyA, direction: .inbound)
            let relayOut = try SRTPContext(key: keyB, direction: .outbound)
            let slab = UnsafeMutableRawPointer.allocate(byteCount: batch * slot, alignment: 64)
            defer { slab.deallocate() }
            var lengths = [Int32](repeating: 0, count: batch)
            // Thread CPU time, not wall time: the build machine is shared and preemption would
            // otherwise land in the figure.
            var total: Int64 = 0
            var allocations = 0
            var failures = 0
            for round in 0..<batches {
                for index in 0..<batch {
                    let counter = round * batch + index
                    let seq = UInt16(truncatingIfNeeded: counter)
                    let plain = TestPacket.rtp(seq: seq, timestamp: UInt32(truncatingIfNeeded: counter) &* 160, payload: TestPacket.payload(seq))
                    plain.withUnsafeBytes { slab.advanced(by: index * slot).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                    var length = Int32(plain.count)
                    try phoneA.protectRTP(slab.advanced(by: index * slot), length: &length, capacity: slot)
                    lengths[index] = length
                }
                let allocationsBefore = Self.mallocCount()
                let start = Self.threadCPUNanoseconds()
                do {
                    lengths.withUnsafeMutableBufferPointer { lengths in
                        for index in 0..<batch {
                            let packet = slab.advanced(by: index * slot)
                            do {
                                try relayIn.unprotectRTP(packet, length: &lengths[index])
                                try relayOut.protectRTP(packet, length: &lengths[index], capacity: slot)
                            } catch {
                                failures += 1
                            }
                        }
                    }
                }
                total += Self.threadCPUNanoseconds() - start
                allocations += Self.mallocCount() - allocationsBefore
            }
            #expect(failures == 0)
            results.append(Double(total) / Double(batch * batches))
            mallocs.append(Double(allocations) / Double(batch * batches))
        }
        results.sort()
        let median = Int(results[results.count / 2])
        print("SRTP-MEASURE \(SRTPLibrary.buildDescription): \(legA.sdesName) -> \(legB.sdesName): median \(median) CPU-ns/packet (runs: \(results.map { Int($0) }))\(Self.mallocCounter == nil ? "" : ", mallocs/packet \(mallocs.max() ?? 0)")")
    }

    private static func threadCPUNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    private typealias Counter = @convention(c) () -> Int
    private static let mallocCounter: Counter? = dlsym(nil, "palisade_malloc_count").map { unsafeBitCast($0, to: Counter.self) }

    private static func mallocCount() -> Int { mallocCounter?() ?? 0 }
}
