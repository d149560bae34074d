import B2BUA
import MediaControlProtocol
import SIPMessage
import Testing

/// The call model with real message bytes: a phone in 192.0.2.0/24 calls through Palisade
/// (access 203.0.113.1, core 198.51.100.1) to a PBX at 198.51.100.20. Every message Palisade
/// builds on one leg is scanned for the other leg's addresses, hosts, Call-ID and tags.
@Suite("Call")
struct CallTests {
    static func message(_ text: String, body: String = "") throws -> SIPMessage {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        let head = lines.joined(separator: "\r\n")
        return try SIPMessage(parsing: Array((head + "\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body).utf8))
    }

    static let inviteText = """
    INVITE sip:2000@203.0.113.1 SIP/2.0
    Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-phone-1;received=192.0.2.10;rport=40000
    Record-Route: <sip:192.0.2.99;lr>
    Max-Forwards: 70
    From: "Alice" <sip:1000@phones.example.com>;tag=alice-tag
    To: <sip:2000@203.0.113.1>
    Call-ID: phone-call-id@192.0.2.10
    CSeq: 314 INVITE
    Contact: <sip:1000@192.0.2.10:5062>
    User-Agent: PhoneCorp X1 1.0
    Supported: replaces, 100rel, timer
    Allow: INVITE, ACK, BYE, CANCEL
    P-Asserted-Identity: <sip:9999@phones.example.com>
    X-Secret-Topology: 192.0.2.10
    Content-Type: application/sdp
    """

    static let sdpA = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"

    static let sideA = CallSide(realm: "access", contact: "sip:203.0.113.1:5060", host: "203.0.113.1", trusted: false)
    static let sideB = CallSide(realm: "core", contact: "sip:198.51.100.1:5080", host: "198.51.100.1", trusted: true)
    static let ids = CallIdentifiers(callID: "b-leg-call-id", bTag: "b-tag", aTag: "a-tag")
    static let phoneSecrets = ["192.0.2.", "phones.example.com", "phone-call-id", "alice-tag", "z9hG4bK-phone-1",
                               "PhoneCorp", "X-Secret", "9999"]

    static func call() throws -> (Call, SIPMessage) {
        let invite = try message(inviteText, body: sdpA)
        let call = Call(invite: invite, requestURI: "sip:2000@198.51.100.20:5060", ids: ids, sideA: sideA, sideB: sideB)
        return (call, invite)
    }

    static func printed(_ m: SIPMessage) -> String { String(decoding: m.printed, as: UTF8.self) }

    @Test("the B-leg INVITE carries its own Call-ID, tag, CSeq, Via and Contact, and nothing of the phone")
    func bLegInvite() throws {
        var (call, _) = try Self.call()
        let body = CallBody(bytes: Array("v=0\r\no=palisade 1 1 IN IP4 198.51.100.1\r\n".utf8), contentType: "application/sdp")
        let invite = call.inviteForB(via: "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport", body: body)
        let text = Self.printed(invite)
        #expect(text.hasPrefix("INVITE sip:2000@198.51.100.20:5060 SIP/2.0\r\n"))
        #expect(invite.callID == "b-leg-call-id")
        #expect(invite.from?.tag == "b-tag")
        #expect(invite.to?.tag == nil)
        #expect(invite.cseq == SIPCSeq(sequence: 1, method: .invite))
        #expect(invite.vias.count == 1 && invite.topVia?.branch == "z9hG4bKpal1")
        #expect(invite.contacts.first?.uri.string == "sip:198.51.100.1:5080")
        #expect(invite.maxForwards == 69)
        #expect(invite.from?.displayNameString == "Alice")
        #expect(invite.from?.uri.string == "sip:1000@198.51.100.1")
        #expect(invite.routes.isEmpty && invite.recordRoutes.isEmpty)
        #expect(invite["Supported"] == "replaces, timer, 100rel",
                "100rel is Palisade's own on the B-leg (RFC 3262: relayed or PRACKed per leg)")
        #expect(invite["Require"] == nil, "the phone only supports 100rel")
        #expect(invite["Allow"] == "INVITE, ACK, BYE, CANCEL")
        #expect(invite["User-Agent"] == nil, "User-Agent is off by default")
        #expect(invite["P-Asserted-Identity"] == nil, "PAI from an untrusted realm never passes")
        #expect(invite.contentType == "application/sdp")
        #expect(Array(invite.body) == body.bytes)
        for secret in Self.phoneSecrets {
            #expect(!text.contains(secret), "the B-leg INVITE leaks \(secret):\n\(text)")
        }
    }

    @Test("responses from the core map to the phone's INVITE with Palisade's tag and Contact; 180 then 200")
    func responsesMapped() throws {
        var (call, invite) = try Self.call()
        let bInvite = call.inviteForB(via: "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport", body: .none)
        let ringing = try Self.message("""
        SIP/2.0 180 Ringing
        Via: SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport=5080
        From: \(bInvite["From"]!)
        To: <sip:2000@198.51.100.20:5060>;tag=pbx-tag
        Call-ID: b-leg-call-id
        CSeq: 1 INVITE
        Contact: <sip:2000@198.51.100.20:5060>
        Server: PBXware 7
        """)
        let toPhone = call.inviteResponseForA(ringing, body: .none)
        let text = Self.printed(toPhone)
        #expect(text.hasPrefix("SIP/2.0 180 Ringing\r\n"))
        #expect(toPhone.to?.tag == "a-tag")
        #expect(toPhone.callID == invite.callID)
        #expect(toPhone.from?.tag == "alice-tag")
        #expect(toPhone.cseq == SIPCSeq(sequence: 314, method: .invite))
        #expect(toPhone.topVia?.branch == "z9hG4bK-phone-1")
        #expect(toPhone.contacts.first?.uri.string == "sip:203.0.113.1:5060")
        for secret in ["198.51.100.20", "pbx-tag", "b-leg-call-id", "PBXware", "b-tag"] {
            #expect(!text.contains(secret), "the 180 to the phone leaks \(secret):\n\(text)")
        }
        #expect(call.b.remoteTag == "pbx-tag")
        #expect(call.state == .calling)

        let ok = try Self.message("""
        SIP/2.0 200 OK
        Via: SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport=5080
        Record-Route: <sip:198.51.100.21;lr>
        From: \(bInvite["From"]!)
        To: <sip:2000@198.51.100.20:5060>;tag=pbx-tag
        Call-ID: b-leg-call-id
        CSeq: 1 INVITE
        Contact: <sip:2000@198.51.100.22:5070>
        """)
        let okToPhone = call.inviteResponseForA(ok, body: .none)
        #expect(okToPhone.statusCode == 200 && call.state == .confirmed && call.answeredA)
        #expect(!Self.printed(okToPhone).contains("198.51.100.2"))
        #expect(call.b.remoteTarget == "sip:2000@198.51.100.22:5070")
        #expect(call.b.routeSet == ["<sip:198.51.100.21;lr>"])

        // RFC 3261 §13.2.2.4: the ACK has the INVITE's CSeq number, the route set, the remote target.
        let ack = call.ack(on: .b, via: "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKack;rport")
        #expect(Self.printed(ack).hasPrefix("ACK sip:2000@198.51.100.22:5070 SIP/2.0\r\n"))
        #expect(ack.cseq == SIPCSeq(sequence: 1, method: .ack))
        #expect(ack.to?.tag == "pbx-tag" && ack.from?.tag == "b-tag")
        #expect(ack["Route"] == "<sip:198.51.100.21;lr>")
    }

    @Test("a 401 challenge from the core passes to the phone with its WWW-Authenticate")
    func challengePasses() throws {
        var (call, _) = try Self.call()
        let bInvite = call.inviteForB(via: "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport", body: .none)
        let challenge = try Self.message("""
        SIP/2.0 401 Unauthorized
        Via: SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport=5080
        From: \(bInvite["From"]!)
        To: <sip:2000@198.51.100.20:5060>;tag=pbx-tag
        Call-ID: b-leg-call-id
        CSeq: 1 INVITE
        WWW-Authenticate: Digest realm="pbx", nonce="abc", qop="auth"
        """)
        let toPhone = call.inviteResponseForA(challenge, body: .none)
        #expect(toPhone.statusCode == 401)
        #expect(toPhone["WWW-Authenticate"] == "Digest realm=\"pbx\", nonce=\"abc\", qop=\"auth\"")
        #expect(toPhone.contacts.isEmpty)
        #expect(call.state == .ended)
    }

    @Test("RFC 3261 §9.1: the CANCEL repeats the B-leg INVITE's Request-URI, Via branch, tags and CSeq number")
    func cancel() throws {
        var (call, _) = try Self.call()
        let invite = call.inviteForB(via: "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport", body: .none)
        let cancel = try #require(call.cancelForB())
        #expect(Self.printed(cancel).hasPrefix("CANCEL sip:2000@198.51.100.20:5060 SIP/2.0\r\n"))
        #expect(cancel.topVia?.branch == "z9hG4bKpal1")
        #expect(cancel.cseq == SIPCSeq(sequence: 1, method: .cancel))
        #expect(cancel["From"] == invite["From"] && cancel["To"] == invite["To"] && cancel.callID == invite.callID)
    }

    @Test("a failover attempt keeps the Call-ID and tag and takes the next CSeq")
    func failover() throws {
        var (call, _) = try Self.call()
        _ = call.inviteForB(via: "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bK1;rport", body: .none)
        let second = call.inviteForB(requestURI: "sip:2000@198.51.100.30:5060", via: "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bK2;rport",
                                     body: .none)
        #expect(Self.printed(second).hasPrefix("INVITE sip:2000@198.51.100.30:5060 SIP/2.0\r\n"))
        #expect(second.cseq == SIPCSeq(sequence: 2, method: .invite))
        #expect(second.callID == "b-leg-call-id" && second.from?.tag == "b-tag")
        #expect(second["To"] == "<sip:2000@198.51.100.30:5060>")
    }

    @Test("in-dialog requests cross with the other dialog's identifiers; a BYE from the core reaches the phone's Contact")
    func inDialog() throws {
        var (call, _) = try Self.call()
        let bInvite = call.inviteForB(via: "SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1;rport", body: .none)
        _ = call.inviteResponseForA(try Self.message("""
        SIP/2.0 200 OK
        Via: SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bKpal1
        From: \(bInvite["From"]!)
        To: <sip:2000@198.51.100.20:5060>;tag=pbx-tag
        Call-ID: b-leg-call-id
        CSeq: 1 INVITE
        Contact: <sip:2000@198.51.100.20:5060>
        """), body: .none)
        let info = try Self.message("""
        INFO sip:198.51.100.1:5080 SIP/2.0
        Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKpbx9
        Max-Forwards: 70
        From: <sip:2000@198.51.100.20:5060>;tag=pbx-tag
        To: \(bInvite["From"]!)
        Call-ID: b-leg-call-id
        CSeq: 7 INFO
        Content-Type: application/dtmf-relay
        """, body: "Signal=5\r\nDuration=160\r\n")
        #expect(call.leg(ofCallID: "b-leg-call-id") == .b)
        let accepted = call.receivedInDialog(info, on: .b)
        #expect(accepted)
        let relayed = call.relay(info, from: .b, via: "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKa1;rport",
                                 body: CallBody.unchanged(info))
        let text = Self.printed(relayed)
        #expect(text.hasPrefix("INFO sip:1000@192.0.2.10:5062 SIP/2.0\r\n"), "to the phone's Contact")
        #expect(relayed.callID == "phone-call-id@192.0.2.10")
        #expect(relayed.from?.tag == "a-tag" && relayed.to?.tag == "alice-tag")
        #expect(relayed["Route"] == "<sip:192.0.2.99;lr>", "§12.1.1: the A-leg route set is the INVITE's Record-Route")
        #expect(relayed.cseq == SIPCSeq(sequence: 1, method: .info))
        #expect(relayed.contentType == "application/dtmf-relay")
        #expect(String(decoding: relayed.body, as: UTF8.self) == "Signal=5\r\nDuration=160\r\n", "non-SDP bodies pass unchanged")
        for secret in ["198.51.100.20", "pbx-tag", "b-leg-call-id", "z9hG4bKpbx9"] {
            #expect(!text.contains(secret), "the relayed INFO leaks \(secret):\n\(text)")
        }
        // §12.2.2: a lower CSeq within the dialog is refused.
        let again = call.receivedInDialog(info, on: .b)
        #expect(!again)

        let ok = call.response(to: info, on: .b, status: 200, reason: nil, copying: nil, body: .none)
        #expect(ok.to?.tag == "b-tag" && ok.topVia?.branch == "z9hG4bKpbx9")

        let bye = call.request(.bye, on: .a, via: "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKa2;rport")
        #expect(bye.cseq == SIPCSeq(sequence: 2, method: .bye))
        #expect(call.state == .ending)
    }

    @Test("RFC 3261 §8.2.2.3: a required extension Palisade does not perform per leg is reported for a 420")
    func unsupportedRequire() throws {
        let plain = try Self.message(Self.inviteText, body: Self.sdpA)
        #expect(HeaderPolicy.default.unsupported(in: plain).isEmpty, "Supported: 100rel alone is no requirement")
        let requiring = try Self.message(Self.inviteText + "\nRequire: timer, path, 100rel", body: Self.sdpA)
        #expect(HeaderPolicy.default.unsupported(in: requiring) == ["path"],
                "100rel is performed per leg (RFC 3262), path is not")
        let reliable = try Self.message(Self.inviteText + "\nRequire: 100rel", body: Self.sdpA)
        #expect(HeaderPolicy.default.unsupported(in: reliable).isEmpty)
    }

    @Test("P-Asserted-Identity passes from a trusted realm only")
    func assertedIdentity() throws {
        let invite = try Self.message(Self.inviteText, body: Self.sdpA)
        let trusted = HeaderPolicy.default.copied(from: invite, sourceTrusted: true)
        #expect(trusted.contains { $0.0 == "P-Asserted-Identity" })
        let untrusted = HeaderPolicy.default.copied(from: invite, sourceTrusted: false)
        #expect(!untrusted.contains { $0.0 == "P-Asserted-Identity" })
        #expect(!untrusted.contains { $0.0 == "X-Secret-Topology" || $0.0 == "Via" || $0.0 == "Contact" })
    }

    @Test("RFC 2782 ordering: priorities in order, weights drawn by the caller's numbers")
    func routeOrder() {
        let t = { (host: String, p: Int, w: Int) in RouteTarget(realm: "core", host: host, port: 5060, priority: p, weight: w) }
        let targets = [t("b", 2, 1), t("a1", 1, 10), t("a2", 1, 30), t("c", 3, 0)]
        // Draw 35 of 40: past a1 (10), within a2 (40) → a2 first; then a1.
        let ordered = RoutePlan.order(targets) { total in total == 40 ? 35 : total }
        #expect(ordered.map(\.host) == ["a2", "a1", "b", "c"])
        let low = RoutePlan.order(targets) { _ in 1 }
        #expect(low.map(\.host) == ["a1", "a2", "b", "c"])
        #expect(RoutePlan.failsOver(status: 503) && RoutePlan.failsOver(status: 408) && !RoutePlan.failsOver(status: 486))
        #expect(t("x", 1, 1).requestURI(user: "2000") == "sip:2000@x:5060")
        #expect(RouteTarget(realm: "core", host: "2001:db8::1", port: 5070, transport: .tcp).requestURI(user: nil)
            == "sip:[2001:db8::1]:5070;transport=tcp")
    }
}
