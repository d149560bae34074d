import RTP
import Testing

@Suite("RFC 3550 A.1/A.3 sequence tracking")
struct SequenceTrackerTests {
    func feed(_ sequences: [UInt16], ssrc: UInt32 = 0x1234) -> SequenceTracker {
        var tracker = SequenceTracker()
        for sequence in sequences { tracker.update(sequence: sequence, ssrc: ssrc) }
        return tracker
    }

    @Test("A.1: a source is valid after MIN_SEQUENTIAL = 2 packets in a row; the first only primes it")
    func probation() {
        var tracker = SequenceTracker()
        let first = tracker.update(sequence: 1000, ssrc: 1)
        let second = tracker.update(sequence: 1001, ssrc: 1)
        #expect(!first)
        #expect(second)
        #expect(tracker.expected == 1)
        #expect(tracker.cumulativeLost == 0)
    }

    @Test("A.3: in-order packets lose nothing")
    func inOrder() {
        let tracker = feed(Array(1000..<1100))
        #expect(tracker.expected == 99)
        #expect(tracker.received == 99)
        #expect(tracker.cumulativeLost == 0)
    }

    @Test("A.3: a gap of five counts five lost")
    func gap() {
        let tracker = feed(Array(1000..<1050) + Array(1055..<1100))
        #expect(tracker.cumulativeLost == 5)
    }

    @Test("A.1: wrap-around from 65535 to 0 adds a cycle and loses nothing")
    func wrapAround() {
        let tracker = feed(Array(65500...65535) + Array(0..<40))
        #expect(tracker.cycles == 65536)
        #expect(tracker.extendedMaxSequence == 65536 + 39)
        #expect(tracker.cumulativeLost == 0)
    }

    @Test("A.3: a duplicate makes lost negative and counts as misordered")
    func duplicate() {
        let tracker = feed([10, 11, 12, 13, 13, 14])
        #expect(tracker.cumulativeLost == -1)
        #expect(tracker.misordered == 1)
    }

    @Test("A.1: a reordered packet is late, not lost")
    func reordered() {
        let tracker = feed([10, 11, 12, 14, 13, 15])
        #expect(tracker.cumulativeLost == 0)
        #expect(tracker.misordered == 1)
    }

    @Test("A.1: a jump beyond MAX_DROPOUT is believed only when the next packet follows it")
    func resynchronise() {
        var tracker = feed([100, 101, 102, 103])
        let jump = tracker.update(sequence: 40000, ssrc: 0x1234)
        #expect(!jump)
        #expect(tracker.maxSequence == 103)
        let follows = tracker.update(sequence: 40001, ssrc: 0x1234)
        #expect(follows)
        #expect(tracker.baseSequence == 40001)
        let next = tracker.update(sequence: 40002, ssrc: 0x1234)
        #expect(next)
        #expect(tracker.cumulativeLost == 0)
    }

    @Test("a new SSRC starts a new source and keeps the old one's losses")
    func ssrcChange() {
        var tracker = feed([1, 2, 3, 6, 7], ssrc: 1)
        #expect(tracker.cumulativeLost == 2)
        for sequence: UInt16 in [500, 501, 502, 503] { tracker.update(sequence: sequence, ssrc: 2) }
        #expect(tracker.ssrc == 2)
        #expect(tracker.cumulativeLost == 2)
    }
}

@Suite("RFC 3550 §6.4.1 / A.8 interarrival jitter")
struct JitterEstimatorTests {
    @Test("constant transit time gives zero jitter")
    func constantTransit() {
        var jitter = JitterEstimator()
        for i: UInt32 in 0..<100 { jitter.update(arrival: 5000 + i * 160, rtpTimestamp: i * 160) }
        #expect(jitter.jitter == 0)
    }

    @Test("§6.4.1: J(1) = J(0) + (|D| − J(0))/16 — one transit change of 80 units gives 5")
    func firstStep() {
        var jitter = JitterEstimator()
        jitter.update(arrival: 1000, rtpTimestamp: 0)
        #expect(jitter.jitter == 0)
        jitter.update(arrival: 1000 + 160 + 80, rtpTimestamp: 160)
        #expect(jitter.scaledJitter == 80)
        #expect(jitter.jitter == 5)
    }

    @Test("A.8: alternating transit (|D| = 80 every packet) converges to 80")
    func converges() {
        var jitter = JitterEstimator()
        for i: UInt32 in 0..<400 {
            let delay: UInt32 = i % 2 == 0 ? 0 : 80
            jitter.update(arrival: 7 + i * 160 + delay, rtpTimestamp: i * 160)
        }
        #expect(jitter.jitter >= 79 && jitter.jitter <= 80)
    }

    @Test("timestamps wrapping past 2^32 do not disturb the estimate")
    func wrap() {
        var jitter = JitterEstimator()
        let start = UInt32.max - 800
        for i: UInt32 in 0..<20 {
            jitter.update(arrival: (start &+ i &* 160) &+ 123, rtpTimestamp: start &+ i &* 160)
        }
        #expect(jitter.jitter == 0)
    }

    @Test("clock conversion: 1 s at 8 kHz, 20 ms at 48 kHz, ten days without overflow")
    func clock() {
        #expect(RTPClock.units(nanoseconds: 1_000_000_000, clockRate: 8000) == 8000)
        #expect(RTPClock.units(nanoseconds: 20_000_000, clockRate: 48000) == 960)
        let tenDays: UInt64 = 10 * 86_400 * 1_000_000_000
        #expect(RTPClock.units(nanoseconds: tenDays, clockRate: 90000) == UInt32(truncatingIfNeeded: 10 * 86_400 * 90000 as UInt64))
    }
}
