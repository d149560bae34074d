import SIPMessage
import Testing
@testable import SIPCore

@Suite("Server INVITE transaction (RFC 3261 §17.2.1, RFC 6026 §8.5-8.7)")
struct ServerInviteTransactionTests {
    let invite = Fixture.invite
    var trying: SIPMessage { SIPResponseBuilder.response(to: invite, status: 100) }

    @Test("RFC 3261 §17.2.1 start: request passed to the TU; 100 Trying only if the TU has not answered in 200 ms")
    func start() {
        var clock = ManualClock()
        var (t, actions) = ServerInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        #expect(actions == [.startTimer(.trying, deadline: clock.at(.milliseconds(200))), .deliverToTU(invite)])
        #expect(t.state == .proceeding)
        #expect(t.lastResponse == nil)
        clock.set(.milliseconds(200))
        #expect(t.handle(.timerFired(.trying), now: clock.now) == [.transmit(trying)])
        #expect(trying.statusCode == 100)
        #expect(trying.to?.tag == nil, "RFC 3261 §8.2.6.2: a 100 needs no To-tag")
        #expect(t.handle(.received(invite), now: clock.now) == [.transmit(trying)])
        let ringing = Fixture.response(180, to: invite)
        #expect(t.handle(.send(ringing), now: clock.now) == [.transmit(ringing)], "the Trying timer is no longer armed")
    }

    @Test("RFC 3261 §17.2.1 a first response within 200 ms cancels the Trying timer; no 100 is sent")
    func answeredWithin200ms() {
        var clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .reliable, now: clock.now)
        clock.set(.milliseconds(30))
        let ringing = Fixture.response(180, to: invite)
        #expect(t.handle(.send(ringing), now: clock.now) == [.cancelTimer(.trying), .transmit(ringing)])
        #expect(t.lastResponse?.statusCode == 180)
        clock.set(.milliseconds(200))
        #expect(t.handle(.timerFired(.trying), now: clock.now).isEmpty, "a Trying timer that fires late sends nothing")
    }

    @Test("RFC 3261 §17.2.1 retransmitted INVITE answered with the last provisional response")
    func retransmissionInProceeding() {
        let clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        #expect(t.handle(.received(invite), now: clock.now) == [.cancelTimer(.trying), .transmit(trying)],
                "nothing sent yet: 100 (Trying) at once")
        let ringing = Fixture.response(180, to: invite)
        #expect(t.handle(.send(ringing), now: clock.now) == [.transmit(ringing)])
        #expect(t.handle(.received(invite), now: clock.now) == [.transmit(ringing)])
    }

    @Test("RFC 3261 §17.2.1 non-2xx final: Timer G doubles up to T2, retransmitted INVITE gets the final response")
    func timerGDoublesAndCaps() {
        var clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        let busy = Fixture.response(486, to: invite)
        #expect(t.handle(.send(busy), now: clock.now) == [.cancelTimer(.trying), .transmit(busy),
                                                          .startTimer(.g, deadline: clock.at(.milliseconds(500))),
                                                          .startTimer(.h, deadline: clock.at(.seconds(32)))])
        #expect(t.state == .completed)
        let fires: [(Duration, Duration)] = [(.milliseconds(500), .milliseconds(1500)), (.milliseconds(1500), .milliseconds(3500)),
                                             (.milliseconds(3500), .milliseconds(7500)), (.milliseconds(7500), .milliseconds(11500))]
        for (fire, next) in fires {
            clock.set(fire)
            #expect(t.handle(.timerFired(.g), now: clock.now) == [.transmit(busy), .startTimer(.g, deadline: clock.at(next))])
        }
        #expect(t.handle(.received(invite), now: clock.now) == [.transmit(busy)])
    }

    @Test("RFC 3261 §17.2.1 ACK absorbed: Confirmed for Timer I (T4), later ACKs absorbed")
    func ackAbsorbed() {
        var clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        _ = t.handle(.send(Fixture.response(486, to: invite)), now: clock.now)
        clock.set(.seconds(1))
        let ack = Fixture.ack()
        #expect(t.handle(.received(ack), now: clock.now) == [.cancelTimer(.g), .cancelTimer(.h),
                                                             .startTimer(.i, deadline: clock.at(.seconds(6)))])
        #expect(t.state == .confirmed)
        #expect(t.handle(.received(ack), now: clock.now).isEmpty)
        #expect(t.handle(.received(invite), now: clock.now).isEmpty)
        clock.set(.seconds(6))
        #expect(t.handle(.timerFired(.i), now: clock.now) == [.terminated])
    }

    @Test("RFC 3261 §17.2.1 Timer H: no ACK, the TU is told")
    func timerH() {
        var clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        _ = t.handle(.send(Fixture.response(486, to: invite)), now: clock.now)
        clock.set(.seconds(32))
        #expect(t.handle(.timerFired(.h), now: clock.now) == [.timeoutToTU(.h, response: nil), .terminated])
    }

    @Test("RFC 3261 §17.2.1 reliable transport: no Timer G, Timer I is zero")
    func reliable() {
        var clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .reliable, now: clock.now)
        let busy = Fixture.response(486, to: invite)
        #expect(t.handle(.send(busy), now: clock.now) == [.cancelTimer(.trying), .transmit(busy),
                                                          .startTimer(.h, deadline: clock.at(.seconds(32)))])
        clock.set(.seconds(1))
        #expect(t.handle(.received(Fixture.ack()), now: clock.now) == [.terminated])
    }

    @Test("RFC 3261 §17.2.1 Timer H on a reliable transport: no ACK, the TU is told")
    func timerHReliable() {
        var clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .reliable, now: clock.now)
        let busy = Fixture.response(486, to: invite)
        _ = t.handle(.send(busy), now: clock.now)
        #expect(t.handle(.received(invite), now: clock.now) == [.transmit(busy)])
        clock.set(.seconds(32))
        #expect(t.handle(.timerFired(.g), now: clock.now).isEmpty, "Timer G is never armed on reliable transports")
        #expect(t.handle(.timerFired(.h), now: clock.now) == [.timeoutToTU(.h, response: nil), .terminated])
    }

    @Test("RFC 6026 §8.5-8.7 2xx: Accepted for Timer L, TU 2xx retransmissions pass, INVITE retransmissions absorbed")
    func accepted() {
        var clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        let ok = Fixture.response(200, to: invite)
        clock.set(.seconds(1))
        #expect(t.handle(.send(ok), now: clock.now) == [.cancelTimer(.trying), .transmit(ok),
                                                        .startTimer(.l, deadline: clock.at(.seconds(33)))])
        #expect(t.state == .accepted)
        #expect(t.lastResponse == nil, "the TU retransmits its 2xx: the transaction does not hold it for Timer L")
        #expect(t.handle(.send(ok), now: clock.now) == [.transmit(ok)])
        #expect(t.handle(.received(invite), now: clock.now).isEmpty)
        let ack2xx = Fixture.ack()
        #expect(t.handle(.received(ack2xx), now: clock.now) == [.deliverToTU(ack2xx)])
        #expect(t.handle(.send(Fixture.response(486, to: invite)), now: clock.now).isEmpty)
        clock.set(.seconds(33))
        #expect(t.handle(.timerFired(.l), now: clock.now) == [.terminated])
    }

    @Test("RFC 6026 §8.5 Timer L runs on reliable transports too")
    func acceptedReliable() {
        let clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .reliable, now: clock.now)
        let ok = Fixture.response(200, to: invite)
        #expect(t.handle(.send(ok), now: clock.now) == [.cancelTimer(.trying), .transmit(ok),
                                                        .startTimer(.l, deadline: clock.at(.seconds(32)))])
    }

    @Test("RFC 3261 §17.2.4 transport error: the TU is told, the transaction ends")
    func transportError() {
        let clock = ManualClock()
        var (t, _) = ServerInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        #expect(t.handle(.transportError, now: clock.now) == [.transportErrorToTU(response: nil), .terminated])
        #expect(t.handle(.send(Fixture.response(486, to: invite)), now: clock.now).isEmpty)
    }
}

@Suite("Server non-INVITE transaction (RFC 3261 §17.2.2)")
struct ServerNonInviteTransactionTests {
    let request = Fixture.bye

    @Test("RFC 3261 §17.2.2 Trying: request to the TU, retransmissions discarded")
    func trying() {
        let clock = ManualClock()
        var (t, actions) = ServerNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        #expect(actions == [.deliverToTU(request)])
        #expect(t.handle(.received(request), now: clock.now).isEmpty)
    }

    @Test("RFC 3261 §17.2.2 duplicate request answered with the last response; Timer J is 64*T1")
    func completedUnreliable() {
        var clock = ManualClock()
        var (t, _) = ServerNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        let progress = Fixture.response(183, to: request)
        #expect(t.handle(.send(progress), now: clock.now) == [.transmit(progress)])
        #expect(t.handle(.received(request), now: clock.now) == [.transmit(progress)])
        let ok = Fixture.response(200, to: request)
        clock.set(.milliseconds(700))
        #expect(t.handle(.send(ok), now: clock.now) == [.transmit(ok), .startTimer(.j, deadline: clock.at(.milliseconds(32700)))])
        #expect(t.handle(.received(request), now: clock.now) == [.transmit(ok)])
        #expect(t.handle(.send(Fixture.response(500, to: request)), now: clock.now).isEmpty, "one final response only")
        clock.set(.milliseconds(32700))
        #expect(t.handle(.timerFired(.j), now: clock.now) == [.terminated])
    }

    @Test("RFC 3261 §17.2.2 reliable transport: Timer J is zero")
    func reliable() {
        let clock = ManualClock()
        var (t, _) = ServerNonInviteTransaction.start(request: request, transport: .reliable, now: clock.now)
        let ok = Fixture.response(200, to: request)
        #expect(t.handle(.send(ok), now: clock.now) == [.transmit(ok), .terminated])
    }

    @Test("RFC 3261 §17.2.4 transport error: the TU is told, the transaction ends")
    func transportError() {
        let clock = ManualClock()
        var (t, _) = ServerNonInviteTransaction.start(request: request, transport: .unreliable, now: clock.now)
        _ = t.handle(.send(Fixture.response(200, to: request)), now: clock.now)
        #expect(t.handle(.transportError, now: clock.now) == [.transportErrorToTU(response: nil), .terminated])
    }
}
