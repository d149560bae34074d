import SIPMessage
import Testing
@testable import SIPCore

@Suite("Responses built from requests (RFC 3261 §8.2.6)")
struct SIPResponseBuilderTests {
    @Test("RFC 3261 §8.2.6.2 Vias in order, From, Call-ID, CSeq copied; To gets the tag")
    func copiesHeaders() {
        let request = Fixture.request("OPTIONS", branch: "z9hG4bKopt1", extraVia: true)
        let response = SIPResponseBuilder.response(to: request, status: 404, toTag: "t1")
        #expect(response.text == """
        SIP/2.0 404 Not Found
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKopt1
        Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKproxy1
        From: Alice <sip:alice@example.com>;tag=1928301774
        To: Bob <sip:bob@example.com>;tag=t1
        Call-ID: a84b4c76e66710@192.0.2.10
        CSeq: 314159 OPTIONS
        Content-Length: 0


        """.replacingCRLF)
    }

    @Test("RFC 3261 §8.2.6.2 an existing To-tag is kept")
    func keepsToTag() {
        let response = SIPResponseBuilder.response(to: Fixture.bye, status: 200, toTag: "other")
        #expect(response.to?.tag == "a6c85cf")
    }

    @Test("RFC 3261 §8.2.6.1 a 100 Trying copies Timestamp and needs no To-tag")
    func tryingCopiesTimestamp() {
        let request = Fixture.parse("""
        INVITE sip:bob@example.com SIP/2.0
        Via: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bKts
        To: <sip:bob@example.com>
        From: <sip:alice@example.com>;tag=9
        Call-ID: ts@192.0.2.10
        CSeq: 1 INVITE
        Timestamp: 54
        Content-Length: 0


        """)
        let trying = SIPResponseBuilder.response(to: request, status: 100, toTag: "ignored")
        #expect(trying.to?.tag == nil)
        #expect(trying["Timestamp"] == "54")
        #expect(trying.reasonPhrase == "Trying")
    }
}
