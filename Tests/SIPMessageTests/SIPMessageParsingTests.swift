import Testing
@testable import SIPMessage

/// A typical INVITE with SDP, as a phone on the access side sends it.
let sampleSDP = """
v=0\r
o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r
s=-\r
c=IN IP4 192.0.2.10\r
t=0 0\r
m=audio 49170 RTP/AVP 0 8 101\r
a=rtpmap:0 PCMU/8000\r
a=rtpmap:8 PCMA/8000\r
a=rtpmap:101 telephone-event/8000\r
a=fmtp:101 0-15\r
a=ptime:20\r
a=sendrecv\r

"""

let sampleInvite = """
INVITE sip:bob@example.com SIP/2.0\r
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r
Max-Forwards: 70\r
To: Bob <sip:bob@example.com>\r
From: "Alice \\"A\\" Liddell" <sip:alice@example.com>;tag=1928301774\r
Call-ID: a84b4c76e66710@pc33.example.com\r
CSeq: 314159 INVITE\r
Contact: <sip:alice@192.0.2.10:5060;transport=udp>\r
Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r
X-Custom:   kept   exactly  \r
Content-Type: application/sdp\r
Content-Length: \(sampleSDP.utf8.count)\r
\r
\(sampleSDP)
"""

@Suite("RFC 3261 §7 message parsing")
struct SIPMessageParsingTests {
    @Test("RFC 3261 §7.1 request line and typed headers parsed on access")
    func invite() throws {
        let m = try SIPMessage(parsing: Array(sampleInvite.utf8))
        try m.validate()
        #expect(m.method == .invite)
        #expect(m.requestURI?.user.map(ASCII.string) == "bob")
        #expect(m.callID == "a84b4c76e66710@pc33.example.com")
        #expect(m.cseq == SIPCSeq(sequence: 314159, method: .invite))
        #expect(m.maxForwards == 70)
        #expect(m.contentLength == sampleSDP.utf8.count)
        #expect(m.from?.tag == "1928301774")
        #expect(m.from?.displayNameString == "Alice \"A\" Liddell")
        #expect(m.to?.tag == nil)
        #expect(m.contacts.first?.uri.port == 5060)
        #expect(m.values(.allow).map(ASCII.string) == ["INVITE", "ACK", "CANCEL", "OPTIONS", "BYE"])
        #expect(m["x-custom"] == "kept   exactly")
        #expect(Array(m.body) == Array(sampleSDP.utf8))
    }

    @Test("RFC 3261 §20.42 Via: sent-protocol, sent-by, branch and RFC 3581 rport")
    func via() throws {
        let text = "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776;rport, SIP / 2.0 / TLS [2001:db8::1];received=198.51.100.7;rport=5062;maddr=203.0.113.1;ttl=16"
        let vias = SIPHeaderValues(raw: ArraySlice(text.utf8)).map { try? SIPVia.parse($0).get() }
        #expect(vias.count == 2)
        let a = try #require(vias[0])
        #expect(a.transportString == "UDP")
        #expect(a.host.string == "192.0.2.10")
        #expect(a.port == 5060)
        #expect(a.branch == "z9hG4bK776")
        #expect(a.hasMagicCookie)
        #expect(a.rport == .requested)
        let b = try #require(vias[1])
        #expect(b.transportString == "TLS")
        #expect(b.host.kind == .ipv6)
        #expect(b.port == nil)
        #expect(b.received == "198.51.100.7")
        #expect(b.rport == .value(5062))
        #expect(b.maddr == "203.0.113.1")
        #expect(b.ttl == 16)
    }

    @Test("RFC 3261 §7.3.3 compact forms resolve to the same header", arguments: [
        ("i", SIPHeaderName.callID), ("m", .contact), ("e", .contentEncoding), ("l", .contentLength),
        ("c", .contentType), ("f", .from), ("s", .subject), ("k", .supported), ("t", .to), ("v", .via),
        ("o", .event), ("u", .allowEvents), ("r", .referTo), ("b", .referredBy), ("x", .sessionExpires),
        ("CALL-ID", .callID), ("cseq", .cseq), ("max-FORWARDS", .maxForwards), ("X-Unknown", .other),
    ])
    func compactForms(_ name: String, _ expected: SIPHeaderName) {
        #expect(SIPHeaderName(name) == expected)
    }

    @Test("The layout scan's word lookup agrees with the catalogue for every name, in any case")
    func wordLookup() {
        func scanLookup(_ name: String) -> SIPHeaderName {
            // A name as the scan meets it: more bytes of the line follow, so whole words can be read.
            let line = Array((name + ": value that runs on past twenty-four bytes\r\n").utf8)
            return line.withUnsafeBufferPointer { SIPHeaderName.lookup(tokenBytes: $0, 0, name.utf8.count) }
        }
        for kind in SIPHeaderName.allCases where kind != .other {
            let name = kind.canonicalName
            #expect(scanLookup(name) == kind, "\(name)")
            #expect(scanLookup(name.lowercased()) == kind, "\(name)")
            #expect(scanLookup(name.uppercased()) == kind, "\(name)")
            #expect(SIPHeaderName(name) == kind, "\(name)")
            // One byte more, one byte less, one byte changed: not this header.
            #expect(scanLookup(name + "x") != kind, "\(name)")
            if name.count > 2 { #expect(scanLookup(String(name.dropLast())) != kind, "\(name)") }  // "T" is To's compact form
            #expect(scanLookup(String(name.dropLast()) + "_") == .other, "\(name)")
        }
        for compact in ["i", "m", "l", "v", "t", "f"] { #expect(scanLookup(compact) == SIPHeaderName(compact)) }
        #expect(scanLookup("X-Unknown") == .other)
        #expect(scanLookup("P-Some-Very-Long-Vendor-Header-Name") == .other)
        // At the end of the buffer (fewer than 24 bytes left) the byte-wise lookup answers.
        let tail = Array("Call-ID".utf8)
        #expect(tail.withUnsafeBufferPointer { SIPHeaderName.lookup(tokenBytes: $0, 0, $0.count) } == .callID)
    }

    @Test("The header catalogue fits the validation bit set")
    func catalogueSize() {
        #expect(SIPHeaderName.allCases.count <= 64)
    }

    @Test("RFC 3261 §7.3.1 folded lines are one field; values keep the fold")
    func folding() throws {
        let text = "OPTIONS sip:a@example.com SIP/2.0\r\nSubject: first\r\n  second\r\n\tthird\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n  ;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nTo: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=1\r\nCall-ID: fold@example.com\r\nCSeq: 1\r\n OPTIONS\r\nContent-Length: 0\r\n\r\n"
        let m = try SIPMessage(parsing: Array(text.utf8))
        try m.validate()
        #expect(m.fields.count == 8)
        #expect(m["Subject"] == "first\r\n  second\r\n\tthird")
        #expect(m.topVia?.branch == "z9hG4bK1")
        #expect(m.cseq?.method == .options)
    }

    @Test("RFC 3261 §7.3.1 commas split lists, never quoted strings or URIs in <>")
    func commaSplitting() throws {
        let value = "\"Doe, John\" <sip:jd@example.com;x=a,b>;q=0.5, <sip:other@example.com>"
        let parts = SIPHeaderValues(raw: ArraySlice(value.utf8)).map(ASCII.string)
        #expect(parts == ["\"Doe, John\" <sip:jd@example.com;x=a,b>;q=0.5", "<sip:other@example.com>"])
        // Single-value headers are never split.
        let text = "OPTIONS sip:a@example.com SIP/2.0\r\nDate: Sat, 13 Nov 2010 23:29:00 GMT\r\n\r\n"
        let m = try SIPMessage(parsing: Array(text.utf8))
        #expect(m.values(.date).count == 1)
    }

    @Test("RFC 3261 §7.2 response status line")
    func response() throws {
        let text = "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1;received=198.51.100.1\r\nTo: <sip:b@example.com>;tag=8321234356\r\nFrom: <sip:a@example.com>;tag=1\r\nCall-ID: r@example.com\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        let m = try SIPMessage(parsing: Array(text.utf8))
        try m.validate()
        #expect(!m.isRequest)
        #expect(m.statusCode == 180)
        #expect(m.reasonPhrase == "Ringing")
        #expect(m.to?.tag == "8321234356")
    }

    @Test("RFC 3261 §18.3 a stream message without Content-Length is refused")
    func streamNeedsContentLength() {
        let text = "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\n\r\n"
        #expect(throws: SIPMessageError(.missingContentLength)) {
            try SIPMessage(parsing: Array(text.utf8), framing: .stream)
        }
    }
}
