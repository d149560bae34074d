import Testing

@testable import PalisadeConfig

@Suite("Listen address")
struct ListenAddressTests {
    @Test("accepted forms", arguments: [
        ("127.0.0.1:9477", "127.0.0.1", 9477),
        ("192.0.2.10:0", "192.0.2.10", 0),
        ("0.0.0.0:65535", "0.0.0.0", 65535),
        ("localhost:9477", "localhost", 9477),
        ("[::1]:9477", "::1", 9477),
        ("[::]:80", "::", 80),
        ("[2001:db8::1]:9100", "2001:db8::1", 9100),
        ("[2001:db8:0:0:0:0:0:1]:1", "2001:db8:0:0:0:0:0:1", 1),
        ("[2001:db8::192.0.2.1]:9477", "2001:db8::192.0.2.1", 9477),
        ("[::ffff:192.0.2.1]:9477", "::ffff:192.0.2.1", 9477),
    ])
    func accepted(text: String, host: String, port: Int) {
        let address = ListenAddress(text)
        #expect(address == ListenAddress(host: host, port: port))
        #expect(address?.description == text)
    }

    @Test("rejected forms", arguments: [
        "", "9477", ":9477", "192.0.2.1", "192.0.2.1:", "192.0.2.1:port", "192.0.2.1:-1", "192.0.2.1:65536",
        "192.0.2.256:80", "192.0.2:80", "192.0.2.1.5:80", "192.0.02.1:80", "example.com:80", "LOCALHOST:80",
        "2001:db8::1:9477", "[2001:db8::1]", "[2001:db8::1]9477", "[2001:db8::1:9477", "[2001:db8:::1]:80",
        "[2001:db8::1::2]:80", "[1:2:3:4:5:6:7:8:9]:80", "[1:2:3:4:5:6:7]:80", "[12345::1]:80", "[fe80::1%eth0]:80",
        "[g::1]:80", "[192.0.2.1]:80", "[::192.0.2.1:1]:80", "192.0.2.1:+80", "192.0.2.1:1000000",
    ])
    func rejected(text: String) {
        #expect(ListenAddress(text) == nil, "\(text)")
    }

    @Test("a port above 65535 is out of range; other mistakes are malformed")
    func problems() {
        #expect(ListenAddress.parse("192.0.2.1:70000") == .failure(.portOutOfRange(70000)))
        guard case .failure(.malformed) = ListenAddress.parse("192.0.2.1:x") else {
            Issue.record("expected malformed")
            return
        }
    }
}
