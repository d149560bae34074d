import Testing
@testable import SIPMessage

@Suite("RFC 3261 §19.1 SIP and SIPS URIs")
struct SIPURITests {
    func uri(_ s: String) -> SIPURI? { SIPURI(ArraySlice(s.utf8)) }

    @Test("RFC 3261 §19.1.1 user, password, host, port, parameters and headers")
    func components() throws {
        let u = try #require(uri("sips:alice:secret@example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent"))
        #expect(u.scheme == .sips)
        #expect(u.user.map(ASCII.string) == "alice")
        #expect(u.password.map(ASCII.string) == "secret")
        #expect(u.host?.string == "example.com")
        #expect(u.host?.kind == .name)
        #expect(u.port == 5061)
        #expect(u.parameters.string("transport") == "tcp")
        #expect(u.parameters.contains("lr"))
        #expect(u.headers.map(ASCII.string) == "subject=project%20x&priority=urgent")
    }

    @Test("Hosts: names, IPv4 and IPv6 references (RFC 5954)", arguments: [
        ("sip:bob@example.com", SIPHost.Kind.name),
        ("sip:192.0.2.4", .ipv4),
        ("sip:[2001:db8::10]:5070", .ipv6),
        ("sip:[::ffff:192.0.2.10]", .ipv6),
        ("sip:[2001:db8::192.0.2.1]", .ipv6),
    ])
    func hosts(_ text: String, _ kind: SIPHost.Kind) throws {
        let u = try #require(uri(text))
        #expect(u.host?.kind == kind)
    }

    @Test("Malformed URIs are refused", arguments: [
        "sip:user@2001:db8::10", "sip:[2001:db8:::192.0.2.1]", "sip:user@example.com:99999", "<sip:a@example.com>",
        "sip:user@exa mple.com", "sip:%zzuser@example.com", "sip:", "sip:@example.com", "sip:256.1.1.1",
    ])
    func malformed(_ text: String) {
        #expect(uri(text) == nil)
    }

    @Test("tel: and opaque schemes (RFC 3966)")
    func otherSchemes() throws {
        let t = try #require(uri("tel:+1-201-555-0123;phone-context=example.com"))
        #expect(t.scheme == .tel)
        #expect(t.user.map(ASCII.string) == "+1-201-555-0123")
        #expect(t.parameters.string("phone-context") == "example.com")
        #expect(try #require(uri("urn:service:sos")).scheme == .other)
    }
}
