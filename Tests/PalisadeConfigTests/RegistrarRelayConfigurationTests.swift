import Testing

@testable import PalisadeConfig

/// `registrar.mode = "relay"`: the relay realm must exist and have a target (the core registrar);
/// errors name the key and its line.
@Suite("Registrar relay configuration")
struct RegistrarRelayConfigurationTests {
    static let realms = """

        [[realm]]
        name = "access"
        [[realm.listener]]
        transport = "udp"
        listen = "127.0.0.1:5060"
        [realm.media]
        address = "127.0.0.1"
        port_min = 20000
        port_max = 20999

        [[realm]]
        name = "core"
        trust = "trusted"
        [[realm.listener]]
        transport = "udp"
        listen = "127.0.0.1:5070"
        [realm.media]
        address = "127.0.0.1"
        port_min = 30000
        port_max = 30999
        """

    @Test("relay mode with the core's target: mode, realm and upstream expiry are read; embedded is the default")
    func relay() throws {
        let text = "[registrar]\nmode = \"relay\"\nrelay_expires_s = 1800\n" + Self.realms
            + "\n[[realm.target]]\naddress = \"192.0.2.10:5060\"\n"
        let configuration = try PalisadeConfiguration.parse(text, source: "palisade.toml")
        #expect(configuration.registrar.mode == .relay)
        #expect(configuration.registrar.relayRealm == "core")
        #expect(configuration.registrar.relayExpiresSeconds == 1800)
        #expect(try PalisadeConfiguration.parse("", source: "empty.toml").registrar.mode == .embedded)
    }

    @Test("relay mode needs targets in the relay realm")
    func noTargets() {
        let error = #expect(throws: ConfigurationErrors.self) {
            try PalisadeConfiguration.parse("[registrar]\nmode = \"relay\"\n" + Self.realms, source: "palisade.toml")
        }
        #expect(error?.errors.count == 1)
        #expect(error?.errors.first?.key == "registrar.relay_realm")
        #expect(error?.errors.first?.line == 2, "the line of mode, relay_realm being the default")
        #expect(error?.description.contains("has none") == true, "\(error?.description ?? "")")
    }

    @Test("relay mode naming a realm that does not exist")
    func unknownRealm() {
        let error = #expect(throws: ConfigurationErrors.self) {
            try PalisadeConfiguration.parse("[registrar]\nmode = \"relay\"\nrelay_realm = \"pbx\"\n" + Self.realms,
                                            source: "palisade.toml")
        }
        #expect(error?.errors.count == 1)
        #expect(error?.errors.first?.key == "registrar.relay_realm")
        #expect(error?.errors.first?.line == 3)
        #expect(error?.description.contains("access, core") == true, "\(error?.description ?? "")")
    }

    @Test("the upstream expiry is at least the access side's longest")
    func upstreamAtLeastAccess() {
        let error = #expect(throws: ConfigurationErrors.self) {
            try PalisadeConfiguration.parse("[registrar]\nmax_expires_s = 120\nrelay_expires_s = 60\n", source: "palisade.toml")
        }
        #expect(error?.errors.first?.key == "registrar.relay_expires_s")
    }
}
