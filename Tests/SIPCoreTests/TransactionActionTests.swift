import SIPMessage
import Testing
@testable import SIPCore

/// The exact-action assertions of every other test rest on this equality being strict.
@Suite("Action equality")
struct TransactionActionTests {
    @Test("Actions differ on their timer, their deadline and their message bytes")
    func strictEquality() {
        let clock = ManualClock()
        #expect(TransactionAction.startTimer(.e, deadline: clock.at(.seconds(1))) != .startTimer(.e, deadline: clock.at(.seconds(2))))
        #expect(TransactionAction.startTimer(.e, deadline: clock.now) != .startTimer(.g, deadline: clock.now))
        #expect(TransactionAction.cancelTimer(.a) != .cancelTimer(.b))
        #expect(TransactionAction.transmit(Fixture.invite) != .transmit(Fixture.options))
        #expect(TransactionAction.transmit(Fixture.invite) != .deliverToTU(Fixture.invite))
        #expect(TransactionAction.timeoutToTU(.h, response: nil) != .timeoutToTU(.h, response: Fixture.response(408, to: Fixture.invite)))
        #expect(TransactionAction.transportErrorToTU(response: nil) != .terminated)
        #expect(TransactionAction.transmit(Fixture.invite) == .transmit(Fixture.request("INVITE")))
    }

    @Test("RFC 3261 Table 4 defaults: T1 500 ms, T2 4 s, T4 5 s; 64*T1 is 32 s")
    func defaults() {
        let timers = TransactionTimers.default
        #expect(timers == TransactionTimers(t1: .milliseconds(500), t2: .seconds(4), t4: .seconds(5)))
        #expect(timers.timeout == .seconds(32))
        #expect(timers.timerD == .seconds(32))
    }
}
