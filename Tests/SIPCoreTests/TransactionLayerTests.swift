import SIPMessage
import Testing
@testable import SIPCore

@Suite("Transaction matching and the transaction table (RFC 3261 §17.1.3, §17.2.3, §9.2)")
struct TransactionLayerTests {
    let inviteKey = TransactionKey(role: .server, branch: "z9hG4bK776asdhds", sentBy: "192.0.2.10:5060", method: .invite)

    @Test("RFC 3261 §17.2.3 a new INVITE creates a server transaction; its retransmission matches it")
    func serverMatching() throws {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 8)
        let invite = Fixture.invite
        let trying = SIPResponseBuilder.response(to: invite, status: 100)
        guard case .created(let key, let actions, let cancels) = try layer.receive(invite, transport: .unreliable, now: clock.now) else {
            Issue.record("not created"); return
        }
        #expect(key == inviteKey)
        #expect(actions == [.startTimer(.trying, deadline: clock.at(.milliseconds(200))), .deliverToTU(invite)])
        #expect(cancels == nil)
        guard case .matched(let again, let retransmit) = try layer.receive(invite, transport: .unreliable, now: clock.now) else {
            Issue.record("retransmission not matched"); return
        }
        #expect(again == inviteKey)
        #expect(retransmit == [.cancelTimer(.trying), .transmit(trying)], "no response yet: 100 (Trying) at once")
        #expect(layer.count == 1)
    }

    @Test("RFC 3261 §17.2.3 a different sent-by or method is a different transaction; sent-by host is case-insensitive")
    func serverKeyParts() throws {
        let a = try TransactionKey.server(matching: Fixture.request("INVITE", sentBy: "host.example.com:5060"))
        let b = try TransactionKey.server(matching: Fixture.request("INVITE", sentBy: "HOST.example.COM:5060"))
        let c = try TransactionKey.server(matching: Fixture.request("INVITE", sentBy: "192.0.2.11:5060"))
        let d = try TransactionKey.server(matching: Fixture.request("OPTIONS"))
        #expect(a == b)
        #expect(a != c)
        #expect(try TransactionKey.server(matching: Fixture.invite) != d)
    }

    @Test("RFC 3261 §17.2.3 the ACK for a non-2xx matches its INVITE transaction and is absorbed")
    func ackAbsorbed() throws {
        var clock = ManualClock()
        var layer = TransactionLayer(capacity: 8)
        let invite = Fixture.invite
        _ = try layer.receive(invite, transport: .unreliable, now: clock.now)
        let busy = Fixture.response(486, to: invite)
        _ = try layer.handle(.send(busy), for: inviteKey, now: clock.now)
        clock.set(.seconds(1))
        guard case .matched(let key, let actions) = try layer.receive(Fixture.ack(), transport: .unreliable, now: clock.now) else {
            Issue.record("ACK not matched"); return
        }
        #expect(key == inviteKey)
        #expect(actions == [.cancelTimer(.g), .cancelTimer(.h), .startTimer(.i, deadline: clock.at(.seconds(6)))])
        clock.set(.seconds(6))
        #expect(try layer.handle(.timerFired(.i), for: inviteKey, now: clock.now) == [.terminated])
        #expect(layer.count == 0, "a terminated transaction leaves the table")
    }

    @Test("RFC 3261 §17.2.3 an ACK matching no transaction (ACK for a 2xx) goes to the TU and creates nothing")
    func ackFor2xxUnmatched() throws {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 8)
        let ack = Fixture.ack(branch: "z9hG4bKnewack")
        guard case .unmatched(let message) = try layer.receive(ack, transport: .unreliable, now: clock.now) else {
            Issue.record("ACK matched"); return
        }
        #expect(message.method == .ack)
        #expect(layer.count == 0)
    }

    @Test("RFC 3261 §9.2 CANCEL gets its own transaction and is matched to the INVITE it cancels")
    func cancelMatching() throws {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 8)
        _ = try layer.receive(Fixture.invite, transport: .unreliable, now: clock.now)
        let cancel = Fixture.request("CANCEL")
        guard case .created(let key, let actions, let cancels) = try layer.receive(cancel, transport: .unreliable, now: clock.now) else {
            Issue.record("CANCEL not created"); return
        }
        #expect(key == TransactionKey(role: .server, branch: "z9hG4bK776asdhds", sentBy: "192.0.2.10:5060", method: .cancel))
        #expect(actions == [.deliverToTU(cancel)])
        #expect(cancels == inviteKey)
        #expect(layer.count == 2)
        // A CANCEL whose INVITE is unknown (other branch) targets nothing: the TU answers 481.
        let stray = Fixture.request("CANCEL", branch: "z9hG4bKother")
        guard case .created(_, _, let none) = try layer.receive(stray, transport: .unreliable, now: clock.now) else {
            Issue.record("stray CANCEL not created"); return
        }
        #expect(none == nil)
    }

    @Test("RFC 3261 §17.1.3 responses match client transactions on top Via branch and CSeq method")
    func clientMatching() throws {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 8)
        let invite = Fixture.invite
        let (key, _) = try layer.sendRequest(invite, transport: .unreliable, now: clock.now)
        #expect(key == TransactionKey(role: .client, branch: "z9hG4bK776asdhds", sentBy: "", method: .invite))
        let ringing = Fixture.response(180, to: invite)
        guard case .matched(let matched, let actions) = try layer.receive(ringing, transport: .unreliable, now: clock.now) else {
            Issue.record("180 not matched"); return
        }
        #expect(matched == key)
        #expect(actions == [.cancelTimer(.a), .cancelTimer(.b), .deliverToTU(ringing)])
        // The 200 for a CANCEL carries the INVITE's branch but CSeq method CANCEL: not this transaction.
        let cancelOK = Fixture.response(200, to: Fixture.request("CANCEL"))
        guard case .unmatched = try layer.receive(cancelOK, transport: .unreliable, now: clock.now) else {
            Issue.record("CANCEL response matched the INVITE"); return
        }
    }

    @Test("RFC 3261 §17.1.3 a client transaction runs its timers through the table; Timer B reports the timeout")
    func clientTimeoutThroughLayer() throws {
        var clock = ManualClock()
        var layer = TransactionLayer(capacity: 8)
        let invite = Fixture.invite
        let (key, _) = try layer.sendRequest(invite, transport: .reliable, now: clock.now)
        clock.set(.seconds(32))
        #expect(try layer.handle(.timerFired(.b), for: key, now: clock.now)
            == [.timeoutToTU(.b, response: SIPResponseBuilder.response(to: invite, status: 408)), .terminated])
        #expect(layer.count == 0)
        #expect(throws: TransactionLayerError(.unknownTransaction, "")) {
            try layer.handle(.timerFired(.b), for: key, now: clock.now)
        }
    }

    @Test("The table is bounded: a request beyond capacity is refused with tableFull")
    func tableFull() throws {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 2)
        _ = try layer.receive(Fixture.request("OPTIONS", branch: "z9hG4bK1"), transport: .reliable, now: clock.now)
        _ = try layer.sendRequest(Fixture.request("OPTIONS", branch: "z9hG4bK2"), transport: .reliable, now: clock.now)
        #expect(throws: TransactionLayerError(.tableFull, "")) {
            try layer.receive(Fixture.request("OPTIONS", branch: "z9hG4bK3"), transport: .reliable, now: clock.now)
        }
        #expect(throws: TransactionLayerError(.tableFull, "")) {
            try layer.sendRequest(Fixture.request("OPTIONS", branch: "z9hG4bK4"), transport: .reliable, now: clock.now)
        }
        // Retransmissions of live transactions still match when the table is full.
        guard case .matched = try layer.receive(Fixture.request("OPTIONS", branch: "z9hG4bK1"), transport: .reliable, now: clock.now) else {
            Issue.record("retransmission refused"); return
        }
    }

    @Test("Keys need an RFC 3261 branch (the RFC 2543 fallback of §17.2.3 is left out)")
    func missingBranch() {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 2)
        #expect(throws: TransactionLayerError(.missingBranch, "")) {
            try layer.receive(Fixture.request("OPTIONS", branch: "1234"), transport: .unreliable, now: clock.now)
        }
    }

    @Test("A reused branch for a new client transaction is refused")
    func duplicateClient() throws {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 4)
        _ = try layer.sendRequest(Fixture.options, transport: .unreliable, now: clock.now)
        #expect(throws: TransactionLayerError(.duplicateTransaction, "")) {
            try layer.sendRequest(Fixture.options, transport: .unreliable, now: clock.now)
        }
    }

    @Test("RFC 3261 §9.1 a client CANCEL shares the INVITE's branch but is its own transaction")
    func clientCancelCoexists() throws {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 4)
        let invite = Fixture.invite
        let cancel = Fixture.request("CANCEL")
        let (inviteKey, _) = try layer.sendRequest(invite, transport: .unreliable, now: clock.now)
        let (cancelKey, cancelActions) = try layer.sendRequest(cancel, transport: .unreliable, now: clock.now)
        #expect(inviteKey != cancelKey)
        #expect(cancelActions == [.transmit(cancel), .startTimer(.e, deadline: clock.at(.milliseconds(500))),
                                  .startTimer(.f, deadline: clock.at(.seconds(32)))])
        let cancelOK = Fixture.response(200, to: cancel)
        guard case .matched(let k1, let a1) = try layer.receive(cancelOK, transport: .unreliable, now: clock.now) else {
            Issue.record("200 CANCEL not matched"); return
        }
        #expect(k1 == cancelKey)
        #expect(a1 == [.cancelTimer(.e), .cancelTimer(.f), .deliverToTU(cancelOK), .startTimer(.k, deadline: clock.at(.seconds(5)))])
        let terminated = Fixture.response(487, to: invite)
        guard case .matched(let k2, let a2) = try layer.receive(terminated, transport: .unreliable, now: clock.now) else {
            Issue.record("487 not matched"); return
        }
        #expect(k2 == inviteKey)
        #expect(a2 == [.cancelTimer(.a), .cancelTimer(.b), .transmit(SIPResponseBuilder.ack(for: invite, response: terminated)),
                       .deliverToTU(terminated), .startTimer(.d, deadline: clock.at(.seconds(32)))])
    }

    @Test("RFC 6026 §8.4 2xx retransmissions match the Accepted client transaction instead of arriving as strays")
    func acceptedThroughLayer() throws {
        var clock = ManualClock()
        var layer = TransactionLayer(capacity: 4)
        let invite = Fixture.invite
        let (key, _) = try layer.sendRequest(invite, transport: .unreliable, now: clock.now)
        let ok = Fixture.response(200, to: invite)
        _ = try layer.receive(ok, transport: .unreliable, now: clock.now)
        clock.set(.seconds(4))
        guard case .matched(let matched, let actions) = try layer.receive(ok, transport: .unreliable, now: clock.now) else {
            Issue.record("2xx retransmission unmatched"); return
        }
        #expect(matched == key)
        #expect(actions == [.deliverToTU(ok)])
        clock.set(.seconds(32))
        #expect(try layer.handle(.timerFired(.m), for: key, now: clock.now) == [.terminated])
        guard case .unmatched = try layer.receive(ok, transport: .unreliable, now: clock.now) else {
            Issue.record("2xx matched after Timer M"); return
        }
    }

    @Test("RFC 3261 §8.1.3.1 a transport error through the table reaches the TU as 503 and frees the slot")
    func transportErrorThroughLayer() throws {
        let clock = ManualClock()
        var layer = TransactionLayer(capacity: 1)
        let options = Fixture.options
        let (key, _) = try layer.sendRequest(options, transport: .reliable, now: clock.now)
        #expect(try layer.handle(.transportError, for: key, now: clock.now)
            == [.transportErrorToTU(response: SIPResponseBuilder.response(to: options, status: 503)), .terminated])
        #expect(layer.count == 0)
        _ = try layer.sendRequest(Fixture.request("OPTIONS", branch: "z9hG4bKnext"), transport: .reliable, now: clock.now)
    }
}
