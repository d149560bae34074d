import SIPAuth
import Testing

@Suite("Authentication failure throttling per source, on a manual clock")
struct AuthFailureThrottleTests {
    typealias Throttle = AuthFailureThrottle<String>
    let policy = Throttle.Policy(delayAfterFailures: 3, refuseAfterFailures: 5, window: .seconds(60),
                                 baseDelay: .seconds(1), maximumDelay: .seconds(3), coolOff: .seconds(300),
                                 capacity: 3)
    let attacker = "203.0.113.5"
    let t0 = AuthInstant.seconds(1000)

    @Test("proceed → delayed (doubling, capped) → refused for the cool-off → forgotten")
    func escalation() {
        var throttle = Throttle(policy: policy)
        #expect(throttle.decision(for: attacker, now: t0) == .proceed)
        #expect(throttle.recordFailure(from: attacker, now: t0) == .proceed)
        #expect(throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(1))) == .proceed)
        #expect(throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(2))) == .delay(.seconds(1)))
        #expect(throttle.decision(for: attacker, now: t0.advanced(by: .seconds(3))) == .delay(.seconds(1)))
        #expect(throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(4))) == .delay(.seconds(2)))
        let refusedUntil = t0.advanced(by: .seconds(305))
        #expect(throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(5))) == .refuse(until: refusedUntil))
        #expect(throttle.decision(for: attacker, now: t0.advanced(by: .seconds(100))) == .refuse(until: refusedUntil))
        // More failures while refused do not extend the sentence.
        #expect(throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(200))) == .refuse(until: refusedUntil))
        #expect(throttle.decision(for: attacker, now: refusedUntil.advanced(by: .milliseconds(-1))) == .refuse(until: refusedUntil))
        #expect(throttle.decision(for: attacker, now: refusedUntil) == .proceed)
        #expect(throttle.trackedSourceCount == 0)
        #expect(throttle.recordFailure(from: attacker, now: refusedUntil) == .proceed)
    }

    @Test("The delay is capped at maximumDelay")
    func delayCap() {
        var throttle = Throttle(policy: .init(delayAfterFailures: 1, refuseAfterFailures: 20, baseDelay: .seconds(1),
                                               maximumDelay: .seconds(3)))
        let delays = (0..<5).map { _ in throttle.recordFailure(from: attacker, now: t0) }
        #expect(delays == [.delay(.seconds(1)), .delay(.seconds(2)), .delay(.seconds(3)), .delay(.seconds(3)),
                           .delay(.seconds(3))])
    }

    @Test("A success forgets the source")
    func successDecays() {
        var throttle = Throttle(policy: policy)
        for second in 0..<4 {
            throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(Int64(second))))
        }
        #expect(throttle.decision(for: attacker, now: t0.advanced(by: .seconds(5))) == .delay(.seconds(2)))
        throttle.recordSuccess(from: attacker, now: t0.advanced(by: .seconds(5)))
        #expect(throttle.decision(for: attacker, now: t0.advanced(by: .seconds(5))) == .proceed)
        #expect(throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(6))) == .proceed)
    }

    @Test("Failures spread wider than the window never add up")
    func windowDecays() {
        var throttle = Throttle(policy: policy)
        for minute in 0..<10 {
            #expect(throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(Int64(minute) * 60))) == .proceed)
        }
        throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(600)))
        throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(601)))
        throttle.recordFailure(from: attacker, now: t0.advanced(by: .seconds(602)))
        #expect(throttle.decision(for: attacker, now: t0.advanced(by: .seconds(659))) == .delay(.seconds(1)))
        #expect(throttle.decision(for: attacker, now: t0.advanced(by: .seconds(660))) == .proceed)
    }

    @Test("Sources are independent, and the table holds at most `capacity` of them")
    func boundedTable() {
        var throttle = Throttle(policy: policy)
        for _ in 0..<3 {
            throttle.recordFailure(from: attacker, now: t0)
        }
        #expect(throttle.decision(for: "198.51.100.1", now: t0) == .proceed)
        for index in 1...3 {
            throttle.recordFailure(from: "198.51.100.\(index)", now: t0.advanced(by: .seconds(1)))
        }
        #expect(throttle.trackedSourceCount == 3)
        // The attacker, tracked longest, made room for the newer sources.
        #expect(throttle.decision(for: attacker, now: t0.advanced(by: .seconds(2))) == .proceed)
        for index in 4...100 {
            throttle.recordFailure(from: "198.51.100.\(index)", now: t0.advanced(by: .seconds(2)))
            throttle.recordSuccess(from: "198.51.100.\(index - 1)", now: t0.advanced(by: .seconds(2)))
        }
        #expect(throttle.trackedSourceCount <= 3)
    }
}
