import SIPMessage
import Testing
@testable import SIPCore

@Suite("Local requests before the B2BUA exists (issue 4 item 6)")
struct LocalRequestPolicyTests {
    let policy = LocalRequestPolicy(ownHosts: ["sbc.example.com", "192.0.2.1", "[2001:db8::1]"])

    @Test("RFC 3261 §11.2 OPTIONS to the SBC itself: 200 with Allow and Accept")
    func optionsToSelf() throws {
        let request = Fixture.request("OPTIONS", uri: "sip:SBC.example.com", branch: "z9hG4bKopt")
        let answer = try #require(policy.answer(request, toTag: "p1"))
        #expect(answer.text == """
        SIP/2.0 200 OK
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKopt
        From: Alice <sip:alice@example.com>;tag=1928301774
        To: Bob <sip:bob@example.com>;tag=p1
        Call-ID: a84b4c76e66710@192.0.2.10
        CSeq: 314159 OPTIONS
        Allow: OPTIONS, ACK, CANCEL
        Accept: application/sdp
        Content-Length: 0


        """.replacingCRLF)
    }

    @Test("Supported is listed when configured")
    func supported() throws {
        let p = LocalRequestPolicy(ownHosts: ["192.0.2.1"], supported: ["path", "outbound"])
        let answer = try #require(p.answer(Fixture.request("OPTIONS", uri: "sip:192.0.2.1:5060"), toTag: "p"))
        #expect(answer["Supported"] == "path, outbound")
    }

    struct Case: Sendable, CustomStringConvertible {
        let method: String
        let uri: String
        let maxForwards: Int
        let status: Int?
        var description: String { "\(method) \(uri) MF \(maxForwards) → \(status.map(String.init) ?? "no answer")" }
    }

    static let cases: [Case] = [
        Case(method: "OPTIONS", uri: "sip:192.0.2.1", maxForwards: 70, status: 200),
        Case(method: "OPTIONS", uri: "sip:[2001:db8::1]:5061", maxForwards: 70, status: 200),
        Case(method: "OPTIONS", uri: "sip:carol@203.0.113.9", maxForwards: 0, status: 200),
        Case(method: "OPTIONS", uri: "sip:carol@203.0.113.9", maxForwards: 70, status: 403),
        Case(method: "INVITE", uri: "sip:bob@sbc.example.com", maxForwards: 0, status: 483),
        Case(method: "INVITE", uri: "sip:bob@sbc.example.com", maxForwards: 70, status: 404),
        Case(method: "REGISTER", uri: "sip:sbc.example.com", maxForwards: 70, status: 404),
        Case(method: "INVITE", uri: "sip:bob@203.0.113.9", maxForwards: 70, status: 403),
        Case(method: "MESSAGE", uri: "sip:bob@example.com", maxForwards: 70, status: 403),
        Case(method: "CANCEL", uri: "sip:bob@sbc.example.com", maxForwards: 70, status: 481),
        Case(method: "FOO", uri: "sip:sbc.example.com", maxForwards: 70, status: 501),
        Case(method: "ACK", uri: "sip:bob@sbc.example.com", maxForwards: 70, status: nil),
        Case(method: "ACK", uri: "sip:bob@sbc.example.com", maxForwards: 0, status: nil),
    ]

    @Test("Every request gets a definite answer (483 for Max-Forwards 0, 501 unknown, 404 own host, 403 elsewhere, 481 CANCEL), ACK none",
          arguments: cases)
    func decisions(_ c: Case) {
        let request = Fixture.request(c.method, uri: c.uri, maxForwards: c.maxForwards)
        #expect(policy.status(for: request) == c.status)
        #expect(policy.answer(request, toTag: "x")?.statusCode == c.status)
    }

    @Test("RFC 3261 §8.2.1 501 Not Implemented lists Allow")
    func notImplementedHasAllow() throws {
        let answer = try #require(policy.answer(Fixture.request("FOO", uri: "sip:sbc.example.com"), toTag: "x"))
        #expect(answer.statusCode == 501)
        #expect(answer["Allow"] == "OPTIONS, ACK, CANCEL")
    }
}
