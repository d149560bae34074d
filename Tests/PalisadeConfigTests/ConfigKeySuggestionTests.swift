import Testing

@testable import PalisadeConfig

@Suite("Did you mean")
struct ConfigKeySuggestionTests {
    @Test("close misspellings find the key or section", arguments: [
        ("signal.admin_sockt", "signal.admin_socket"),
        ("signal.adminsocket", "signal.admin_socket"),
        ("singal", "signal"),
        ("metric", "metrics"),
        ("log.levle", "log.level"),
        ("signal.media_reconnect_max", "signal.media_reconnect_max_ms"),
        ("media.admin_socket", "signal.admin_socket"),
        ("admin_socket", "signal.admin_socket"),
        ("metrics.listen_address", nil),
        ("tls", nil),
        // A key of a listener written in [sip] is that key, not nothing.
        ("sip.transport", "realm.listener.transport"),
        ("sip.t3_ms", "sip.t1_ms"),
        ("realm.listener.transprt", "realm.listener.transport"),
        ("realms", "realm"),
        ("realm.medai", "realm.media"),
        ("sip.compression", nil),
    ] as [(String, String?)])
    func suggestion(path: String, expected: String?) {
        #expect(ConfigKeySuggestion.closest(to: path) == expected)
    }

    @Test("distance counts a swap of neighbours as one step")
    func distance() {
        #expect(ConfigKeySuggestion.distance("signal", "singal") == 1)
        #expect(ConfigKeySuggestion.distance("", "abc") == 3)
        #expect(ConfigKeySuggestion.distance("kitten", "sitting") == 3)
        #expect(ConfigKeySuggestion.distance("same", "same") == 0)
    }
}
