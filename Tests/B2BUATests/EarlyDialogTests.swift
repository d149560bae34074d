import B2BUA
import SIPMessage
import Testing

/// Forked early dialogs, reliable provisionals (RFC 3262) and session timers (RFC 4028) in the
/// call model, with the phone and PBX of `CallTests`.
@Suite("Early dialogs, PRACK and session timers")
struct EarlyDialogTests {
    static let via = "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport"

    static func call(extra: String = "") throws -> (Call, SIPMessage, SIPMessage) {
        let invite = try CallTests.message(CallTests.inviteText + extra, body: CallTests.sdpA)
        var call = Call(invite: invite, requestURI: "sip:2000@198.51.100.20:5060", ids: CallTests.ids,
                        sideA: CallTests.sideA, sideB: CallTests.sideB)
        let bInvite = call.inviteForB(via: via, body: .none)
        return (call, invite, bInvite)
    }

    /// A response of the PBX to the B-leg INVITE, from the fork `tag`.
    static func response(_ status: String, tag: String, contact: String, bInvite: SIPMessage,
                         extra: String = "") throws -> SIPMessage {
        try CallTests.message("""
        SIP/2.0 \(status)
        Via: SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport=5080
        From: \(bInvite["From"]!)
        To: <sip:2000@198.51.100.20:5060>;tag=\(tag)
        Call-ID: b-leg-call-id
        CSeq: 1 INVITE
        Contact: <\(contact)>\(extra)
        """)
    }

    @Test("RFC 3261 §12.1.2: two forks' provisionals become two early dialogs toward the phone; the 200 of one confirms it")
    func forkedEarlyDialogs() throws {
        var (call, _, bInvite) = try Self.call()
        let first = try Self.response("183 Session Progress", tag: "fork-1", contact: "sip:2000@198.51.100.31",
                                      bInvite: bInvite)
        let second = try Self.response("183 Session Progress", tag: "fork-2", contact: "sip:2000@198.51.100.32",
                                       bInvite: bInvite)
        let toPhone1 = call.inviteResponseForA(first, body: .none, fresh: ForkIdentifiers(aTag: "unused", firstRSeq: 1))
        let toPhone2 = call.inviteResponseForA(second, body: .none, fresh: ForkIdentifiers(aTag: "a-tag-2", firstRSeq: 1))
        #expect(toPhone1.to?.tag == "a-tag", "the first fork keeps the call's own A-leg tag")
        #expect(toPhone2.to?.tag == "a-tag-2", "a second fork is a distinct early dialog toward the phone")
        #expect(call.forks.map(\.bTag) == ["fork-1", "fork-2"])
        #expect(call.b.remoteTag == "fork-2" && call.b.remoteTarget == "sip:2000@198.51.100.32",
                "the latest fork is the current one")
        // A retransmission of the first fork's 183 keeps its own tag, and makes it current again.
        let again = call.inviteResponseForA(first, body: .none)
        #expect(again.to?.tag == "a-tag")
        #expect(call.b.remoteTag == "fork-1" && call.a.localTag == "a-tag")

        // An UPDATE from the phone in the second fork's early dialog goes to that fork.
        let update = try CallTests.message("""
        UPDATE sip:203.0.113.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-phone-2
        Max-Forwards: 70
        From: "Alice" <sip:1000@phones.example.com>;tag=alice-tag
        To: <sip:2000@203.0.113.1>;tag=a-tag-2
        Call-ID: phone-call-id@192.0.2.10
        CSeq: 315 UPDATE
        Contact: <sip:1000@192.0.2.10:5062>
        """)
        let recorded = call.receivedInDialog(update, on: .a)
        #expect(recorded)
        let onward = call.relay(update, from: .a, via: Self.via, body: .none)
        #expect(onward.to?.tag == "fork-2")
        #expect(CallTests.printed(onward).hasPrefix("UPDATE sip:2000@198.51.100.32 SIP/2.0\r\n"))
        #expect(call.b.remoteTag == "fork-1", "relaying within a fork leaves the current dialog as it was")
        #expect(onward.cseq?.sequence == 2 && call.b.localSequence == 2, "one CSeq space on the B-leg")

        // The 200 of the first fork confirms it: its tags become the dialogs', the other fork ends.
        #expect(call.cancelForB() != nil, "ringing: the B-leg INVITE can still be cancelled")
        let ok = try Self.response("200 OK", tag: "fork-1", contact: "sip:2000@198.51.100.31", bInvite: bInvite)
        let okToPhone = call.inviteResponseForA(ok, body: .none)
        #expect(call.bInvite == nil && call.cancelForB() == nil, "answered: the B-leg INVITE is not kept for the call's life")
        #expect(okToPhone.to?.tag == "a-tag" && call.a.localTag == "a-tag")
        #expect(call.b.remoteTag == "fork-1" && call.b.remoteTarget == "sip:2000@198.51.100.31")
        #expect(call.forks.map(\.bTag) == ["fork-1"] && call.state == .confirmed)
        let late = try Self.response("200 OK", tag: "fork-2", contact: "sip:2000@198.51.100.32", bInvite: bInvite)
        #expect(call.isOtherFork(late), "a 200 of the other fork is ACKed and hung up by the shell")
        #expect(!call.isOtherFork(ok))
    }

    @Test("RFC 3262 §3: a reliable 180 is relayed reliably to a phone that supports 100rel, with its own RSeq; the PRACK maps RAck back")
    func reliableRelayed() throws {
        var (call, _, bInvite) = try Self.call()
        #expect(call.callerSupports100rel && !call.callerRequires100rel)
        let ringing = try Self.response("180 Ringing", tag: "pbx-tag", contact: "sip:2000@198.51.100.20", bInvite: bInvite,
                                        extra: "\nRequire: 100rel\nRSeq: 7001")
        #expect(call.reliability(of: ringing) == .reliable(rseq: 7001))
        let toPhone = call.inviteResponseForA(ringing, body: .none, fresh: ForkIdentifiers(aTag: "x", firstRSeq: 42),
                                              reliability: .reliable(rseq: 7001))
        #expect(toPhone.rseq == 42, "RSeq is numbered on the A-leg")
        #expect(toPhone.optionTags([.require]) == ["100rel"])
        #expect(!CallTests.printed(toPhone).contains("7001"))
        #expect(call.reliability(of: ringing) == .retransmission, "RFC 3262 §4: the same RSeq again is a retransmission")
        #expect(call.pendingReliable(for: ringing)?.rseq == 42, "sent again until the phone PRACKs")

        let prack = try CallTests.message("""
        PRACK sip:203.0.113.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-phone-3
        Max-Forwards: 70
        From: "Alice" <sip:1000@phones.example.com>;tag=alice-tag
        To: <sip:2000@203.0.113.1>;tag=a-tag
        Call-ID: phone-call-id@192.0.2.10
        CSeq: 315 PRACK
        RAck: 42 314 INVITE
        """)
        let recorded = call.receivedInDialog(prack, on: .a)
        #expect(recorded)
        let relayed = call.prackForB(relaying: prack, via: Self.via, body: .none)
        let onward = try #require(relayed)
        #expect(onward["RAck"] == "7001 1 INVITE", "RAck carries the core's RSeq and the B-leg INVITE's CSeq")
        #expect(onward.method == .prack && onward.to?.tag == "pbx-tag" && onward.callID == "b-leg-call-id")
        #expect(CallTests.printed(onward).hasPrefix("PRACK sip:2000@198.51.100.20 SIP/2.0\r\n"))
        #expect(call.pendingReliable(for: ringing) == nil)
        let again = call.prackForB(relaying: prack, via: Self.via, body: .none)
        #expect(again == nil, "a second PRACK for the same RSeq matches nothing: 481")

        // The next reliable provisional takes the next RSeq on each leg.
        let progress = try Self.response("183 Session Progress", tag: "pbx-tag", contact: "sip:2000@198.51.100.20",
                                         bInvite: bInvite, extra: "\nRequire: 100rel\nRSeq: 7002")
        #expect(call.reliability(of: progress) == .reliable(rseq: 7002))
        let next = call.inviteResponseForA(progress, body: .none, reliability: .reliable(rseq: 7002))
        #expect(next.rseq == 43)
    }

    @Test("RFC 3262 §4: a phone without 100rel gets the reliable 180 unreliably, and Palisade PRACKs the core itself")
    func reliableAnsweredByPalisade() throws {
        let text = CallTests.inviteText.replacingOccurrences(of: "Supported: replaces, 100rel, timer",
                                                             with: "Supported: replaces")
        let invite = try CallTests.message(text, body: CallTests.sdpA)
        var call = Call(invite: invite, requestURI: "sip:2000@198.51.100.20:5060", ids: CallTests.ids,
                        sideA: CallTests.sideA, sideB: CallTests.sideB)
        let bInvite = call.inviteForB(via: Self.via, body: .none)
        #expect(bInvite["Supported"] == "replaces, 100rel", "Palisade itself supports 100rel toward the core")
        #expect(!call.callerSupports100rel)
        let ringing = try Self.response("180 Ringing", tag: "pbx-tag", contact: "sip:2000@198.51.100.20", bInvite: bInvite,
                                        extra: "\nRequire: 100rel\nRSeq: 9")
        let toPhone = call.inviteResponseForA(ringing, body: .none, reliability: call.reliability(of: ringing))
        #expect(toPhone["RSeq"] == nil && toPhone["Require"] == nil, "relayed as an ordinary provisional")
        let own = call.prackForB(acknowledging: ringing, via: Self.via)
        let prack = try #require(own)
        #expect(prack["RAck"] == "9 1 INVITE" && prack.cseq == SIPCSeq(sequence: 2, method: .prack))
        #expect(prack.to?.tag == "pbx-tag" && prack.from?.tag == "b-tag")
        #expect(call.reliability(of: ringing) == .retransmission && call.pendingReliable(for: ringing) == nil)
    }

    @Test("RFC 3262 §5: without an offer and without 100rel from the phone, Palisade does not offer 100rel (it could not answer in PRACK)")
    func no100relWithoutOffer() throws {
        let text = CallTests.inviteText.replacingOccurrences(of: "Supported: replaces, 100rel, timer", with: "Supported: timer")
            .replacingOccurrences(of: "\nContent-Type: application/sdp", with: "")
        let invite = try CallTests.message(text)
        var call = Call(invite: invite, requestURI: "sip:2000@198.51.100.20:5060", ids: CallTests.ids,
                        sideA: CallTests.sideA, sideB: CallTests.sideB)
        #expect(!call.callerOffered && !call.callerSupports100rel)
        let bInvite = call.inviteForB(via: Self.via, body: .none)
        #expect(bInvite["Supported"] == "timer")
    }

    @Test("a phone requiring 100rel is served: Require: 100rel goes on to the core")
    func requiredPassesOn() throws {
        let (call, _, bInvite) = try Self.call(extra: "\nRequire: 100rel")
        #expect(call.callerRequires100rel)
        #expect(bInvite["Require"] == "100rel")
    }

    @Test("RFC 4028 §4: Session-Expires' delta-seconds, with parameters, long or compact form")
    func sessionExpires() throws {
        func interval(_ header: String) throws -> Int? {
            try SessionTimer.interval(of: CallTests.message("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1\n\(header)"))
        }
        #expect(try interval("Session-Expires: 1800;refresher=uac") == 1800)
        #expect(try interval("x: 90") == 90)
        #expect(try interval("Session-Expires: soon") == nil)
        #expect(try interval("Min-SE: 90") == nil)
    }

    @Test("Session-Expires and Min-SE cross the legs (RFC 4028 relayed end to end), RSeq and RAck never")
    func sessionTimerHeadersCopied() throws {
        let message = try CallTests.message("""
        SIP/2.0 422 Session Interval Too Small
        Via: SIP/2.0/UDP 192.0.2.1
        Min-SE: 1800
        x: 1800;refresher=uas
        RSeq: 5
        RAck: 5 1 INVITE
        """)
        let copied = HeaderPolicy.default.copied(from: message, sourceTrusted: false).map(\.0)
        #expect(copied == ["Min-SE", "x"])
    }
}
