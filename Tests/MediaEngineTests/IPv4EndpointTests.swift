import MediaEngine
import Testing

@Suite("IPv4Endpoint from text")
struct IPv4EndpointTests {
    @Test("dotted quads read as addresses, and print back the same")
    func valid() throws {
        for text in ["127.0.0.1", "0.0.0.0", "255.255.255.255", "192.0.2.17", "10.0.0.007"] {
            let endpoint = try #require(IPv4Endpoint(text, port: 4000), "\(text)")
            #expect(endpoint.port == 4000)
        }
        #expect(IPv4Endpoint("192.0.2.17", port: 1)?.address == 0xC000_0211)
        #expect(IPv4Endpoint("192.0.2.17", port: 1)?.addressText == "192.0.2.17")
        #expect(IPv4Endpoint("10.0.0.007", port: 1)?.addressText == "10.0.0.7")
    }

    @Test("anything but four octets of 0…255 is refused", arguments: [
        "", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1..3.4", ".1.2.3", "1.2.3.", "1.2.3.4 ", "+1.2.3.4",
        "1.2.3.0004", "a.b.c.d", "::1", "1.2.3.-4", "localhost",
    ])
    func invalid(text: String) {
        #expect(IPv4Endpoint(text, port: 4000) == nil)
    }
}
