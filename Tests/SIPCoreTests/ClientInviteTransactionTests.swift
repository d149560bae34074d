import SIPMessage
import Testing
@testable import SIPCore

@Suite("Client INVITE transaction (RFC 3261 §17.1.1, RFC 6026 §8.4)")
struct ClientInviteTransactionTests {
    let invite = Fixture.invite

    @Test("RFC 3261 §17.1.1.2 start on unreliable transport: transmit, Timer A at T1, Timer B at 64*T1")
    func startUnreliable() {
        let clock = ManualClock()
        let (t, actions) = ClientInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        #expect(actions == [.transmit(invite), .startTimer(.a, deadline: clock.at(.milliseconds(500))),
                            .startTimer(.b, deadline: clock.at(.seconds(32)))])
        #expect(t.state == .calling)
    }

    @Test("RFC 3261 §17.1.1.2 Timer A doubles with no T2 cap")
    func timerADoubles() {
        var clock = ManualClock()
        var (t, _) = ClientInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        // Fires at 0.5, 1.5, 3.5, 7.5, 15.5 s: intervals 1, 2, 4, 8, 16.
        let fires: [(Duration, Duration)] = [(.milliseconds(500), .milliseconds(1500)), (.milliseconds(1500), .milliseconds(3500)),
                                             (.milliseconds(3500), .milliseconds(7500)), (.milliseconds(7500), .milliseconds(15500)),
                                             (.milliseconds(15500), .milliseconds(31500))]
        for (fire, next) in fires {
            clock.set(fire)
            #expect(t.handle(.timerFired(.a), now: clock.now) == [.transmit(invite), .startTimer(.a, deadline: clock.at(next))])
        }
    }

    @Test("RFC 3261 §17.1.1.2 Timer B: timeout reported to the TU as 408 (§8.1.3.1)")
    func timerB() {
        var clock = ManualClock()
        var (t, _) = ClientInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        clock.set(.seconds(32))
        #expect(t.handle(.timerFired(.b), now: clock.now)
            == [.timeoutToTU(.b, response: SIPResponseBuilder.response(to: invite, status: 408)), .terminated])
        #expect(t.state == .terminated)
    }

    @Test("RFC 3261 §17.1.1.2 provisional response: Proceeding stops Timers A and B")
    func provisional() {
        var clock = ManualClock()
        var (t, _) = ClientInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        let ringing = Fixture.response(180, to: invite)
        clock.set(.milliseconds(100))
        #expect(t.handle(.received(ringing), now: clock.now) == [.cancelTimer(.a), .cancelTimer(.b), .deliverToTU(ringing)])
        #expect(t.handle(.received(ringing), now: clock.now) == [.deliverToTU(ringing)])
        clock.set(.seconds(32))
        #expect(t.handle(.timerFired(.b), now: clock.now).isEmpty, "Timer B applies only in Calling")
        #expect(t.state == .proceeding)
    }

    @Test("RFC 3261 §17.1.1.3 non-2xx final: ACK generated, TU told, Timer D ≥ 32 s absorbs retransmissions")
    func nonSuccessFinalUnreliable() {
        var clock = ManualClock()
        var (t, _) = ClientInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        let busy = Fixture.response(486, to: invite)
        let ack = SIPResponseBuilder.ack(for: invite, response: busy)
        clock.set(.seconds(2))
        #expect(t.handle(.received(busy), now: clock.now) == [.cancelTimer(.a), .cancelTimer(.b), .transmit(ack), .deliverToTU(busy),
                                                              .startTimer(.d, deadline: clock.at(.seconds(34)))])
        #expect(t.state == .completed)
        // A retransmitted final response is ACKed again and not passed up.
        #expect(t.handle(.received(busy), now: clock.now) == [.transmit(ack)])
        clock.set(.seconds(34))
        #expect(t.handle(.timerFired(.d), now: clock.now) == [.terminated])
    }

    @Test("RFC 3261 §17.1.1.3 the ACK: one Via (the INVITE's top), To of the response, CSeq number with ACK, Route kept")
    func ackContents() {
        let routed = Fixture.parse("""
        INVITE sip:bob@example.com SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc
        Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKproxy1
        Route: <sip:203.0.113.5;lr>
        Max-Forwards: 69
        To: Bob <sip:bob@example.com>
        From: Alice <sip:alice@example.com>;tag=1928301774
        Call-ID: a84b4c76e66710@192.0.2.10
        CSeq: 7 INVITE
        Content-Length: 0


        """)
        let busy = Fixture.response(486, to: routed, toTag: "x1")
        #expect(SIPResponseBuilder.ack(for: routed, response: busy).text == """
        ACK sip:bob@example.com SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc
        Route: <sip:203.0.113.5;lr>
        Max-Forwards: 70
        From: Alice <sip:alice@example.com>;tag=1928301774
        To: Bob <sip:bob@example.com>;tag=x1
        Call-ID: a84b4c76e66710@192.0.2.10
        CSeq: 7 ACK
        Content-Length: 0


        """.replacingCRLF)
    }

    @Test("RFC 3261 §17.1.1.2 reliable transport: no Timer A, Timer D is zero")
    func nonSuccessFinalReliable() {
        var clock = ManualClock()
        var (t, actions) = ClientInviteTransaction.start(request: invite, transport: .reliable, now: clock.now)
        #expect(actions == [.transmit(invite), .startTimer(.b, deadline: clock.at(.seconds(32)))])
        #expect(t.handle(.timerFired(.a), now: clock.now).isEmpty, "Timer A is never armed on reliable transports")
        let busy = Fixture.response(486, to: invite)
        clock.set(.seconds(1))
        #expect(t.handle(.received(busy), now: clock.now)
            == [.cancelTimer(.b), .transmit(SIPResponseBuilder.ack(for: invite, response: busy)), .deliverToTU(busy), .terminated])
    }

    @Test("RFC 6026 §8.4 2xx: Accepted for Timer M, 2xx retransmissions go to the TU, no ACK generated")
    func acceptedUnreliable() {
        var clock = ManualClock()
        var (t, _) = ClientInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        let ok = Fixture.response(200, to: invite)
        clock.set(.seconds(1))
        #expect(t.handle(.received(ok), now: clock.now) == [.cancelTimer(.a), .cancelTimer(.b), .deliverToTU(ok),
                                                            .startTimer(.m, deadline: clock.at(.seconds(33)))])
        #expect(t.state == .accepted)
        #expect(t.request == nil, "nothing in Accepted needs the INVITE: it is not held for Timer M")
        clock.set(.seconds(2))
        #expect(t.handle(.received(ok), now: clock.now) == [.deliverToTU(ok)])
        #expect(t.handle(.received(Fixture.response(486, to: invite)), now: clock.now).isEmpty, "a late non-2xx is dropped")
        clock.set(.seconds(33))
        #expect(t.handle(.timerFired(.m), now: clock.now) == [.terminated])
    }

    @Test("RFC 6026 §8.4 Timer M runs on reliable transports too")
    func acceptedReliable() {
        var clock = ManualClock()
        var (t, _) = ClientInviteTransaction.start(request: invite, transport: .reliable, now: clock.now)
        let ringing = Fixture.response(180, to: invite)
        let ok = Fixture.response(200, to: invite)
        #expect(t.handle(.received(ringing), now: clock.now) == [.cancelTimer(.b), .deliverToTU(ringing)])
        clock.set(.seconds(3))
        #expect(t.handle(.received(ok), now: clock.now) == [.deliverToTU(ok), .startTimer(.m, deadline: clock.at(.seconds(35)))])
    }

    @Test("RFC 3261 §17.1.1.2 Timer D is max(64*T1, 32 s)")
    func timerDWithLargeT1() {
        let clock = ManualClock()
        let timers = TransactionTimers(t1: .seconds(1))
        var (t, _) = ClientInviteTransaction.start(request: invite, transport: .unreliable, timers: timers, now: clock.now)
        let busy = Fixture.response(486, to: invite)
        #expect(t.handle(.received(busy), now: clock.now).last == .startTimer(.d, deadline: clock.at(.seconds(64))))
    }

    @Test("RFC 3261 §8.1.3.1 transport error in Calling is a 503 for the TU")
    func transportError() {
        let clock = ManualClock()
        var (t, _) = ClientInviteTransaction.start(request: invite, transport: .unreliable, now: clock.now)
        #expect(t.handle(.transportError, now: clock.now)
            == [.transportErrorToTU(response: SIPResponseBuilder.response(to: invite, status: 503)), .terminated])
    }
}
