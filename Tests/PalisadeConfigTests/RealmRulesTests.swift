import Testing

@testable import PalisadeConfig

/// The small rules behind `[[realm]]`: advertised addresses, DNS names, and when two bind
/// addresses clash. The fixtures in `Fixtures/config/realm-*.toml` test them through whole files.
@Suite("Realm rules")
struct RealmRulesTests {
    @Test("advertised addresses: IP literals and DNS names, with or without a port", arguments: [
        "203.0.113.10", "203.0.113.10:5060", "[2001:db8::10]", "[2001:db8::10]:5061", "sip.example.com",
        "sip.example.com:5061", "sbc-1", "SIP.Example.COM",
    ])
    func advertisedAccepted(_ text: String) {
        #expect((try? AdvertisedAddress.check(text).get()) == text)
    }

    @Test("advertised addresses that are refused", arguments: [
        "", ":5060", "2001:db8::10", "[2001:db8::10", "[2001:db8::10]5060", "192.0.2.300", "sip.example.com:",
        "sip.example.com:0", "sip.example.com:65536", "sip_example.com", "-sip.example.com", "sip..example.com",
        "*.example.com",
    ])
    func advertisedRefused(_ text: String) {
        #expect(throws: ListenAddress.Problem.self) { try AdvertisedAddress.check(text).get() }
    }

    @Test("TLS server names: DNS names and RFC 6125 §6.4.3 wildcards in the first label only")
    func serverNames() {
        #expect(DNSName.problem("sip.example.com", allowWildcard: true) == nil)
        #expect(DNSName.problem("*.phones.example.com", allowWildcard: true) == nil)
        #expect(DNSName.problem("*.com", allowWildcard: true) != nil)
        #expect(DNSName.problem("sip.*.example.com", allowWildcard: true) != nil)
        #expect(DNSName.problem("*.example.com", allowWildcard: false) != nil)
        #expect(DNSName.problem(Substring(String(repeating: "a", count: 64) + ".example.com"), allowWildcard: false) != nil)
    }

    @Test("bind addresses clash when equal, under a wildcard, or localhost against loopback", arguments: [
        ("192.0.2.1", "192.0.2.1", true),
        ("192.0.2.1", "192.0.2.2", false),
        ("0.0.0.0", "192.0.2.1", true),
        ("0.0.0.0", "2001:db8::1", false),
        ("::", "192.0.2.1", true),
        ("::", "2001:db8::1", true),
        ("2001:DB8::1", "2001:db8::1", true),
        ("2001:db8:0:0::1", "2001:db8::1", true),
        ("2001:db8::1", "2001:db8::2", false),
        ("0:0:0:0:0:0:0:0", "192.0.2.1", true),
        ("0::1", "localhost", true),
        ("localhost", "127.0.0.1", true),
        ("localhost", "::1", true),
        ("127.0.0.1", "::1", false),
    ] as [(String, String, Bool)])
    func hostsOverlap(_ a: String, _ b: String, _ overlap: Bool) {
        #expect(ConfigurationValidator.hostsOverlap(a, b) == overlap)
        #expect(ConfigurationValidator.hostsOverlap(b, a) == overlap)
    }

    @Test("IPv6 groups, with :: expanded and an embedded IPv4 address")
    func ipv6Groups() {
        #expect(IPAddressLiteral.ipv6Groups("2001:db8::1") == [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])
        #expect(IPAddressLiteral.ipv6Groups("::") == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(IPAddressLiteral.ipv6Groups("::ffff:192.0.2.1") == [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201])
        #expect(IPAddressLiteral.ipv6Groups("1:2:3:4:5:6:7:8") == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(IPAddressLiteral.ipv6Groups("192.0.2.1") == nil)
    }

    @Test("errors from both passes come out in file order")
    func fileOrder() throws {
        let error = #expect(throws: ConfigurationErrors.self) {
            try PalisadeConfiguration.parse(Fixture.text("config/realm-media-ports.toml"), source: "p.toml")
        }
        let lines = error?.errors.compactMap(\.line) ?? []
        #expect(lines == lines.sorted())
        #expect(lines.count == 5)
    }

    @Test("a realm error reads file:line: realm[i]…: message")
    func realmErrorDescription() throws {
        let text = """
            [[realm]]
            name = "access"
            listener = [{ transport = "tls", listen = "192.0.2.1:5061" }]
            media = { address = "192.0.2.1" }
            """
        let error = #expect(throws: ConfigurationErrors.self) { try PalisadeConfiguration.parse(text, source: "palisade.toml") }
        #expect(error?.description.hasPrefix("palisade.toml:3: realm[0].listener[0].certificates: a TLS listener needs at least one certificate") == true)
    }

    @Test("udp and tcp may share a port; a listener on port 0 never clashes")
    func sharedPorts() throws {
        let text = """
            [[realm]]
            name = "access"
            listener = [{ transport = "udp", listen = "192.0.2.1:5060" }, { transport = "tcp", listen = "192.0.2.1:5060" }, { transport = "tcp", listen = "192.0.2.1:0" }, { transport = "tcp", listen = "192.0.2.1:0" }]
            media = { address = "192.0.2.1" }
            """
        let configuration = try PalisadeConfiguration.parse(text, source: "p.toml")
        #expect(configuration.realms.map(\.listeners.count) == [4])
    }
}
