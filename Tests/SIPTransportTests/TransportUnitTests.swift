import NIOCore
import SIPMessage
@testable import SIPTransport
import Testing

@Suite("Transport pieces without sockets")
struct TransportUnitTests {
    static func request(_ via: String) throws -> SIPMessage {
        try SIPMessage(parsing: Array(options(via: via).utf8))
    }

    @Test("HostPort parses v4, v6 and names, brackets IPv6 in text")
    func hostPort() {
        #expect(HostPort(parsing: "192.0.2.1:5070", defaultPort: 5060) == HostPort("192.0.2.1", 5070))
        #expect(HostPort(parsing: "[2001:db8::1]:5061", defaultPort: 5060) == HostPort("2001:db8::1", 5061))
        #expect(HostPort(parsing: "[2001:db8::1]", defaultPort: 5060) == HostPort("2001:db8::1", 5060))
        #expect(HostPort(parsing: "sip.example.com", defaultPort: 5061) == HostPort("sip.example.com", 5061))
        #expect(HostPort(parsing: "host:99999", defaultPort: 5060) == nil)
        #expect(HostPort("2001:db8::1", 5060).description == "[2001:db8::1]:5060")
    }

    @Test("RFC 3581 §4 stamping keeps other parameters and later Vias byte-exact")
    func stamping() throws {
        let m = try Self.request("SIP/2.0/UDP 10.0.0.7:5060;rport;branch=z9hG4bK-1;x=\"a,b\" , SIP/2.0/UDP 198.51.100.1")
        let source = try SocketAddress(ipAddress: "203.0.113.9", port: 40000)
        let s = try #require(ViaStamping.stamp(m, source: source, framing: .datagram, limits: .default))
        let vias = s.values(.via).map { String(decoding: $0, as: UTF8.self) }
        #expect(vias == ["SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bK-1;x=\"a,b\";received=203.0.113.9;rport=40000",
                         "SIP/2.0/UDP 198.51.100.1"])
        #expect(String(decoding: s.bytes, as: UTF8.self).contains(";rport=40000 , SIP/2.0/UDP 198.51.100.1\r\n"))
        #expect(s.topVia?.rport == .value(40000))
    }

    @Test("RFC 3581 §4: a received or rport the phone wrote itself (any case, blanks around) is replaced, not repeated")
    func stampingReplaces() throws {
        let m = try Self.request("SIP/2.0/TCP 10.0.0.7;Received=1.2.3.4 ; RPORT=9;branch=z9hG4bK-3;rportx;;maddr=10.0.0.1")
        let source = try SocketAddress(ipAddress: "203.0.113.9", port: 40000)
        let s = try #require(ViaStamping.stamp(m, source: source, framing: .stream, limits: .default))
        #expect(s.values(.via).map { String(decoding: $0, as: UTF8.self) }
                == ["SIP/2.0/TCP 10.0.0.7;branch=z9hG4bK-3;rportx;;maddr=10.0.0.1;received=203.0.113.9;rport=9"])
    }

    @Test("RFC 3261 §18.2.1: no edit when sent-by is the source address and rport is absent")
    func noStamp() throws {
        let m = try Self.request("SIP/2.0/UDP 2001:DB8::9;branch=z9hG4bK-2")
        #expect(ViaStamping.stamp(m, source: try SocketAddress(ipAddress: "2001:db8::9", port: 5060),
                                  framing: .datagram, limits: .default) == nil)
    }

    @Test("RFC 3261 §18.2.2 / RFC 3581: response destinations")
    func responseDestination() throws {
        func via(_ v: String) throws -> SIPVia { try #require(try Self.request(v).topVia) }
        #expect(ViaStamping.responseDestination(topVia: try via("SIP/2.0/UDP 10.0.0.7;received=203.0.113.9;rport=4000;branch=z9hG4bK-a"),
                                                transport: .udp) == HostPort("203.0.113.9", 4000))
        #expect(ViaStamping.responseDestination(topVia: try via("SIP/2.0/UDP 10.0.0.7:5070;received=203.0.113.9;branch=z9hG4bK-a"),
                                                transport: .udp) == HostPort("203.0.113.9", 5070))
        #expect(ViaStamping.responseDestination(topVia: try via("SIP/2.0/TLS phone.example.com;branch=z9hG4bK-a"),
                                                transport: .tls) == HostPort("phone.example.com", 5061))
        #expect(ViaStamping.responseDestination(topVia: try via("SIP/2.0/TCP 10.0.0.7;received=203.0.113.9;rport=4000;branch=z9hG4bK-a"),
                                                transport: .tcp) == HostPort("203.0.113.9", 5060))
    }

    @Test("RFC 3261 §8.2.6.2: an error response copies Via, From, To (+tag), Call-ID, CSeq")
    func errorResponse() throws {
        let raw = Array("INVITE sip:b@example.com SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-e\r\nf: <sip:a@example.com>;tag=9\r\n"
            .utf8) + Array("t: <sip:b@example.com>\r\ni: e1\r\nCSeq: 4 INVITE\r\nContent-Length: 9999\r\n\r\n".utf8)
        let bytes = try #require(ErrorResponse.make(status: 400, reason: "Bad Request", request: raw))
        let m = try SIPMessage(parsing: bytes)
        #expect(m.statusCode == 400)
        #expect(m.topVia?.branch == "z9hG4bK-e")
        #expect(m.callID == "e1")
        #expect(m.to?.tag != nil)
        #expect(m.cseq == SIPCSeq(sequence: 4, method: .invite))
        #expect(ErrorResponse.make(status: 400, reason: "Bad Request", request: Array("GARBAGE\r\n\r\n".utf8)) == nil)
    }

    @Test("RFC 5922 §7.1–7.2: sip: URIs take precedence over DNS names; no wildcards")
    func rfc5922() {
        let dnsOnly = TLSPeerIdentity(dnsNames: ["sip.example.com"], uris: [])
        let both = TLSPeerIdentity(dnsNames: ["sip.example.com"], uris: ["sip:core.example.com"])
        let wildcard = TLSPeerIdentity(dnsNames: ["*.example.com"], uris: [])
        #expect(CertificateIdentity.matches(dnsOnly, sipDomain: "SIP.example.com"))
        #expect(!CertificateIdentity.matches(both, sipDomain: "sip.example.com"))
        #expect(CertificateIdentity.matches(both, sipDomain: "core.example.com"))
        #expect(!CertificateIdentity.matches(wildcard, sipDomain: "sip.example.com"))
    }
}
