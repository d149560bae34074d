import B2BUA
import SDP
import Testing

@Suite("SDPAddressScan")
struct SDPAddressScanTests {
    @Test("Finds IPv4, IPv6 and host names wherever they are written")
    func finds() throws {
        let sdp = try SessionDescription(parsing: """
        v=0\r
        o=alice 1 1 IN IP4 pbx.example.com\r
        s=-\r
        c=IN IP6 2001:db8::21\r
        t=0 0\r
        m=audio 5000 RTP/AVP 0\r
        a=rtcp:5001 IN IP4 192.0.2.7\r
        a=candidate:1 1 UDP 2130706431 198.51.100.9 5000 typ srflx raddr ::ffff:192.0.2.8 rport 5000\r
        a=ssrc:1 cname:user@host.example.net\r
        a=remote-candidates:1 [2001:db8::1] 5000\r

        """)
        let values = SDPAddressScan.values(in: sdp)
        #expect(values == ["pbx.example.com", "2001:db8::21", "192.0.2.7", "198.51.100.9", "::ffff:192.0.2.8",
                           "host.example.net", "2001:db8::1"])
    }

    @Test("Does not mistake keys, fingerprints, versions or codecs for addresses")
    func ignores() throws {
        let sdp = try SessionDescription(parsing: """
        v=0\r
        o=- 4611731400430051336 2 IN IP4 203.0.113.1\r
        s=Linphone 4.4.0\r
        t=0 0\r
        m=audio 5000 RTP/SAVPF 111\r
        a=rtpmap:111 opus/48000/2\r
        a=fmtp:101 0-16\r
        a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2\r
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WmFob3Z9hIuSmaCnrrW8w8rR2N/m7fT7AgkQFx4l|2^31|1:1\r
        a=x-version:0.5\r

        """)
        #expect(SDPAddressScan.values(in: sdp) == ["203.0.113.1"])
    }

    @Test("IP literal forms (RFC 4291 §2.2)", arguments: [
        ("2001:db8::1", true), ("::", true), ("::1", true), ("2001:db8:0:0:0:0:0:1", true), ("::ffff:192.0.2.1", true),
        ("1:2:3:4:5:6:7:8:9", false), ("2001:db8:::1", false), ("1::2::3", false), ("ab:cd", false), ("rtcp:5000", false),
    ])
    func ipv6(_ text: String, _ expected: Bool) {
        #expect(SDPAddressScan.isIPv6(text[...]) == expected)
    }

    @Test("IPv4 literals", arguments: [("192.0.2.1", true), ("256.0.0.1", false), ("1.2.3", false), ("0.0.0.0", true),
                                       ("255.255.255.255", true), ("010.1.1.1", true), ("1.2.3.4.5", false),
                                       ("1..2.3", false), ("1.2.3.", false), (".1.2.3", false), ("0001.2.3.4", false),
                                       ("1.2.3.4a", false), ("１.2.3.4", false), ("", false), ("1.2.3.999", false)])
    func ipv4(_ text: String, _ expected: Bool) {
        #expect(SDPAddressScan.isIPv4(text[...]) == expected)
    }
}
