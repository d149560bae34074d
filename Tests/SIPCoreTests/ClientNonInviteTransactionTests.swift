import SIPMessage
import Testing
@testable import SIPCore

@Suite("Client non-INVITE transaction (RFC 3261 §17.1.2)")
struct ClientNonInviteTransactionTests {
    let request = Fixture.options

    @Test("RFC 3261 §17.1.2.2 start on unreliable transport: transmit, Timer E at T1, Timer F at 64*T1")
    func startUnreliable() {
        let clock = ManualClock()
        let (t, actions) = ClientNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        #expect(actions == [.transmit(request), .startTimer(.e, deadline: clock.at(.milliseconds(500))),
                            .startTimer(.f, deadline: clock.at(.seconds(32)))])
        #expect(t.state == .trying)
    }

    @Test("RFC 3261 §17.1.2.2 Timer E doubles from T1 and caps at T2")
    func timerEDoublesAndCapsAtT2() {
        var clock = ManualClock()
        var (t, _) = ClientNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        // Fires at 0.5, 1.5, 3.5, 7.5, 11.5 s: intervals 1, 2, 4 (T2), 4, 4.
        let fires: [(Duration, Duration)] = [(.milliseconds(500), .milliseconds(1500)), (.milliseconds(1500), .milliseconds(3500)),
                                             (.milliseconds(3500), .milliseconds(7500)), (.milliseconds(7500), .milliseconds(11500)),
                                             (.milliseconds(11500), .milliseconds(15500))]
        for (fire, next) in fires {
            clock.set(fire)
            #expect(t.handle(.timerFired(.e), now: clock.now) == [.transmit(request), .startTimer(.e, deadline: clock.at(next))])
        }
    }

    @Test("RFC 3261 §17.1.2.2 Timer E in Proceeding is reset to T2")
    func timerEInProceedingUsesT2() {
        var clock = ManualClock()
        var (t, _) = ClientNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        let trying = Fixture.response(100, to: request)
        clock.set(.milliseconds(200))
        #expect(t.handle(.received(trying), now: clock.now) == [.deliverToTU(trying)])
        #expect(t.state == .proceeding)
        clock.set(.milliseconds(500))
        #expect(t.handle(.timerFired(.e), now: clock.now) == [.transmit(request), .startTimer(.e, deadline: clock.at(.milliseconds(4500)))])
        clock.set(.milliseconds(4500))
        #expect(t.handle(.timerFired(.e), now: clock.now) == [.transmit(request), .startTimer(.e, deadline: clock.at(.milliseconds(8500)))])
    }

    @Test("RFC 3261 §17.1.2.2 final response: Completed absorbs retransmissions until Timer K (T4)")
    func finalResponseThenTimerK() {
        var clock = ManualClock()
        var (t, _) = ClientNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        let ok = Fixture.response(200, to: request)
        clock.set(.milliseconds(300))
        #expect(t.handle(.received(ok), now: clock.now) == [.cancelTimer(.e), .cancelTimer(.f), .deliverToTU(ok),
                                                            .startTimer(.k, deadline: clock.at(.milliseconds(5300)))])
        #expect(t.state == .completed)
        #expect(t.handle(.received(ok), now: clock.now).isEmpty)
        #expect(t.handle(.timerFired(.e), now: clock.now).isEmpty, "a stale Timer E does nothing in Completed")
        clock.set(.milliseconds(5300))
        #expect(t.handle(.timerFired(.k), now: clock.now) == [.terminated])
        #expect(t.state == .terminated)
    }

    @Test("RFC 3261 §17.1.2.2 Timer F: timeout reported to the TU as 408 (§8.1.3.1)")
    func timerFTimesOut() {
        var clock = ManualClock()
        var (t, _) = ClientNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        clock.set(.seconds(32))
        let actions = t.handle(.timerFired(.f), now: clock.now)
        #expect(actions == [.timeoutToTU(.f, response: SIPResponseBuilder.response(to: request, status: 408)), .terminated])
        guard case .timeoutToTU(_, let response?) = actions.first else { Issue.record("no 408"); return }
        #expect(response.statusCode == 408)
        #expect(response.callID == request.callID)
    }

    @Test("RFC 3261 §17.1.2.2 Timer F also ends Proceeding")
    func timerFInProceeding() {
        var clock = ManualClock()
        var (t, _) = ClientNonInviteTransaction.start(request: request, transport: .reliable, now: clock.now)
        _ = t.handle(.received(Fixture.response(100, to: request)), now: clock.now)
        clock.set(.seconds(32))
        #expect(t.handle(.timerFired(.f), now: clock.now)
            == [.timeoutToTU(.f, response: SIPResponseBuilder.response(to: request, status: 408)), .terminated])
    }

    @Test("RFC 3261 §17.1.2.2 reliable transport: no Timer E, Timer K is zero")
    func reliable() {
        var clock = ManualClock()
        var (t, actions) = ClientNonInviteTransaction.start(request: request, transport: .reliable, now: clock.now)
        #expect(actions == [.transmit(request), .startTimer(.f, deadline: clock.at(.seconds(32)))])
        #expect(t.handle(.timerFired(.e), now: clock.now).isEmpty, "Timer E is never armed on reliable transports")
        let ok = Fixture.response(200, to: request)
        clock.set(.seconds(1))
        #expect(t.handle(.received(ok), now: clock.now) == [.deliverToTU(ok), .terminated])
    }

    @Test("RFC 3261 §8.1.3.1 transport error is a 503 for the TU")
    func transportError() {
        let clock = ManualClock()
        var (t, _) = ClientNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        let actions = t.handle(.transportError, now: clock.now)
        #expect(actions == [.transportErrorToTU(response: SIPResponseBuilder.response(to: request, status: 503)), .terminated])
        guard case .transportErrorToTU(let response?) = actions.first else { Issue.record("no 503"); return }
        #expect(response.statusCode == 503)
        #expect(response.cseq == request.cseq)
    }

    @Test("RFC 3261 §17.1.1.1 timer values are configurable")
    func customTimers() {
        let clock = ManualClock()
        let timers = TransactionTimers(t1: .milliseconds(100), t2: .milliseconds(300), t4: .seconds(1))
        let (_, actions) = ClientNonInviteTransaction.start(request: request, transport: .unreliable, timers: timers, now: clock.now)
        #expect(actions == [.transmit(request), .startTimer(.e, deadline: clock.at(.milliseconds(100))),
                            .startTimer(.f, deadline: clock.at(.milliseconds(6400)))])
    }
}
