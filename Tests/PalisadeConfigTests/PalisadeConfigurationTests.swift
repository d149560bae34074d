import Foundation
import Testing

@testable import PalisadeConfig

/// Configuration files in `Fixtures/config`, with their expected outcome in `manifest.txt`:
/// "ok", or every error the file must give, in order, by code, key and line.
@Suite("Configuration")
struct PalisadeConfigurationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var fixture: String
        /// Empty for "ok".
        var errors: [ManifestRow]
        var testDescription: String { fixture }
    }

    static let cases: [Case] = {
        let rows = (try? Fixture.manifest("config/manifest.txt")) ?? []
        var cases: [Case] = []
        for row in rows {
            if cases.last?.fixture == row[0] {
                cases[cases.count - 1].errors.append(row)
            } else {
                cases.append(Case(fixture: row[0], errors: row[1] == "ok" ? [] : [row]))
            }
        }
        return cases
    }()

    @Test("each fixture gives exactly the errors in the manifest", arguments: cases)
    func fixture(_ testCase: Case) throws {
        let text = try Fixture.text("config/" + testCase.fixture)
        do {
            _ = try PalisadeConfiguration.parse(text, source: testCase.fixture)
            #expect(testCase.errors.isEmpty, "\(testCase.fixture) parsed, but should give \(testCase.errors.count) errors")
        } catch {
            let expected = testCase.errors.map { row in
                ConfigurationError(
                    code: ConfigurationError.Code(rawValue: row[1]) ?? .syntax, key: row.optional(2), line: row.number(3),
                    message: row[4], source: testCase.fixture)
            }
            #expect(error.errors == expected, "\(testCase.fixture):\n\(error)")
            for (found, row) in zip(error.errors, testCase.errors) {
                #expect(found.message.contains(row[4]), "manifest line \(row.line): \(found)")
                #expect(found.source == testCase.fixture)
            }
        }
    }

    @Test("every fixture is in the manifest, and the manifest names only fixtures that exist")
    func manifestIsComplete() throws {
        let files = Set(try Fixture.names(in: "config", extension: "toml"))
        #expect(files == Set(Self.cases.map(\.fixture)))
    }

    @Test("an empty file gives the defaults")
    func emptyIsDefaults() throws {
        #expect(try PalisadeConfiguration.parse("", source: "empty.toml") == .defaults)
    }

    @Test("the defaults are the catalogue's")
    func defaultsMatchCatalogue() {
        for key in ConfigKey.allCases where key.section.parent == nil && !key.section.isRepeated {
            #expect(PalisadeConfiguration.defaults[key] == key.defaultValue, "\(key.rawValue)")
        }
        let defaults = PalisadeConfiguration.defaults
        #expect(defaults.log == .init(level: .info, format: .text))
        #expect(defaults.media.controlSocket == "/run/palisade/media.sock")
        #expect(defaults.signal.adminSocket == "/run/palisade/admin.sock")
        #expect(defaults.signal.mediaReconnectMinMilliseconds == 50)
        #expect(defaults.signal.mediaReconnectMaxMilliseconds == 1000)
        #expect(defaults.signal.mediaPingIntervalMilliseconds == 500)
        #expect(defaults.signal.mediaPingTimeoutMilliseconds == 1500)
        #expect(defaults.metrics == .init(enabled: true, listen: ListenAddress(host: "127.0.0.1", port: 9477)))
        #expect(defaults.media == .init(
            controlSocket: "/run/palisade/media.sock", workers: 0, timeoutSeconds: 60, holdTimeoutSeconds: 3600))
        #expect(defaults.sip == .init(
            t1Milliseconds: 500, t2Milliseconds: 4000, t4Milliseconds: 5000, maxMessageBytes: 65536, maxHeaders: 128,
            tcpIdleTimeoutSeconds: 600, maxConnections: 20_000, maxConnectionsPerAddress: 256, keepaliveIntervalSeconds: 30))
    }

    @Test("the default realms: access and core, loopback only")
    func defaultRealms() {
        let loopback = { (port: Int) in ListenAddress(host: "127.0.0.1", port: port) }
        #expect(PalisadeConfiguration.defaults.realms == PalisadeConfiguration.Realm.defaults)
        #expect(PalisadeConfiguration.Realm.defaults == [
            .init(
                name: "access", trust: .untrusted, mediaPolicy: .srtpOptional,
                srtpSuites: ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"],
                listeners: [.init(transport: .udp, listen: loopback(5060)), .init(transport: .tcp, listen: loopback(5060))],
                media: .init(address: "127.0.0.1", portRange: 30_000...39_999), routeTo: "access"),
            .init(
                name: "core", trust: .trusted, mediaPolicy: .rtpOnly,
                srtpSuites: ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"],
                listeners: [.init(transport: .udp, listen: loopback(5080))],
                media: .init(address: "127.0.0.1", portRange: 40_000...49_999)),
        ])
    }

    @Test("the original four-section initialisers keep sip, realms and the new media keys at their defaults")
    func compatibilityInitialisers() {
        let defaults = PalisadeConfiguration.defaults
        let configuration = PalisadeConfiguration(
            log: defaults.log, media: .init(controlSocket: "/run/palisade/media.sock"), signal: defaults.signal,
            metrics: defaults.metrics)
        #expect(configuration == defaults)
    }

    @Test("a realm key reads as one value per realm, a listener key as one array per realm")
    func realmSubscripts() {
        let defaults = PalisadeConfiguration.defaults
        #expect(defaults[.realmName] == .array([.string("access"), .string("core")]))
        #expect(defaults[.listenerTransport] == .array([.array([.string("udp"), .string("tcp")]), .array([.string("udp")])]))
        #expect(defaults[.listenerAdvertise] == .array([.array([.unset, .unset]), .array([.unset])]))
        #expect(defaults[.realmMediaPortMax] == .array([.integer(39_999), .integer(49_999)]))
    }

    @Test("every key's default passes its own rule")
    func defaultsPassRules() {
        let validator = ConfigurationValidator(source: "catalogue")
        func toml(_ value: ConfigValue) -> TOMLValue? {
            let here = TOMLLocation(line: 1, column: 1)
            return switch value {
            case .boolean(let flag): .boolean(flag)
            case .integer(let number): .integer(Int64(number))
            case .string(let text): .string(text)
            case .array(let values): .array(values.compactMap { toml($0).map { TOMLItem(value: $0, location: here) } })
            case .table(let fields):
                .table(TOMLTable(entries: fields.compactMap { field in
                    toml(field.value).map { .init(key: field.name, keyLocation: here, item: TOMLItem(value: $0, location: here)) }
                }))
            case .unset: nil
            }
        }
        for key in ConfigKey.allCases {
            guard let value = toml(key.defaultValue) else {
                #expect(key.isRequired || [.listenerAdvertise, .listenerCABundle, .realmMediaAdvertise, .realmRouteTo, .registrarDomain,
                                           .registrarUsersFile, .signalCallRecords].contains(key), "\(key.rawValue)")
                continue
            }
            #expect(throws: Never.self, "\(key.rawValue)") { try validator.check(value, against: key.rule).get() }
        }
    }

    @Test("every key is named after its section, and every section has keys")
    func catalogueShape() {
        for key in ConfigKey.allCases {
            #expect(key.rawValue == key.section.rawValue + "." + key.name)
            #expect(!key.isRequired || key.defaultValue == .unset, "\(key.rawValue) is required but has a default")
            #expect(!key.isTLSOnly || key.section == .realmListener)
            #expect(!key.name.isEmpty && !key.name.contains("."))
            #expect(!key.summary.isEmpty)
        }
        for section in ConfigSection.allCases {
            #expect(!section.keys.isEmpty, "[\(section.rawValue)] has no keys")
        }
    }

    @Test("a file that sets every key gives the typed values")
    func fullFile() throws {
        let configuration = try PalisadeConfiguration.parse(try Fixture.text("config/full.toml"), source: "full.toml")
        typealias TLS = PalisadeConfiguration.TLS
        #expect(configuration == PalisadeConfiguration(
            log: .init(level: .debug, format: .json),
            media: .init(controlSocket: "/var/run/palisade/media-1.sock", workers: 2, timeoutSeconds: 30, holdTimeoutSeconds: 7200),
            signal: .init(
                adminSocket: "/var/run/palisade/admin-1.sock", mediaReconnectMinMilliseconds: 100,
                mediaReconnectMaxMilliseconds: 5000, mediaPingIntervalMilliseconds: 1000, mediaPingTimeoutMilliseconds: 3000),
            metrics: .init(enabled: false, listen: ListenAddress(host: "2001:db8::9", port: 9100)),
            sip: .init(
                t1Milliseconds: 250, t2Milliseconds: 2000, t4Milliseconds: 2500, maxMessageBytes: 16384, maxHeaders: 64,
                tcpIdleTimeoutSeconds: 300, maxConnections: 50_000, maxConnectionsPerAddress: 64, keepaliveIntervalSeconds: 20,
                tcpPingIntervalSeconds: 45, tcpPongTimeoutSeconds: 5, maxTransactions: 250_000),
            realms: [
                .init(
                    name: "access", trust: .untrusted, mediaPolicy: .srtpRequired,
                    srtpSuites: ["AEAD_AES_256_GCM", "AEAD_AES_128_GCM", "AES_256_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"],
                    listeners: [
                        .init(transport: .udp, listen: ListenAddress(host: "192.0.2.10", port: 5060), advertise: "203.0.113.10:5060"),
                        .init(
                            transport: .tls, listen: ListenAddress(host: "2001:db8::10", port: 5061), advertise: "sip.example.com",
                            tls: TLS(
                                certificates: [
                                    .init(
                                        cert: "/etc/palisade/tls/sip.example.com.pem", key: "/etc/palisade/tls/sip.example.com.key",
                                        serverNames: ["sip.example.com", "*.phones.example.com"]),
                                    .init(cert: "/etc/palisade/tls/fallback.pem", key: "/etc/palisade/tls/fallback.key"),
                                ],
                                clientCertificates: .required, caBundle: "/etc/palisade/tls/phones-ca.pem", minimumVersion: .tls13)),
                    ],
                    media: .init(address: "192.0.2.10", advertise: "203.0.113.10", portRange: 20_000...29_999)),
                .init(
                    name: "core", trust: .trusted, mediaPolicy: .rtpOnly, srtpSuites: ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"],
                    listeners: [
                        .init(transport: .tcp, listen: ListenAddress(host: "198.51.100.2", port: 5060)),
                        .init(transport: .udp, listen: ListenAddress(host: "198.51.100.2", port: 5060)),
                    ],
                    media: .init(address: "198.51.100.2", portRange: 20_000...29_999),
                    tlsPeers: [
                        .init(host: "198.51.100.40", verify: .chainOnly, caBundle: "/etc/palisade/tls/carrier-ca.pem"),
                        .init(host: "*", verify: .full, caBundle: "/etc/palisade/tls/core-ca.pem"),
                    ]),
                .init(
                    name: "carrier-b", trust: .trusted, mediaPolicy: .srtpOptional, srtpSuites: ["AES_CM_128_HMAC_SHA1_80"],
                    listeners: [.init(transport: .udp, listen: ListenAddress(host: "198.51.100.3", port: 5060))],
                    media: .init(address: "198.51.100.3", portRange: 50_000...50_001)),
            ]))
    }

    @Test("dotted keys and inline tables set the same values as sections")
    func dottedAndInline() throws {
        let configuration = try PalisadeConfiguration.parse(try Fixture.text("config/dotted-and-inline.toml"), source: "d.toml")
        var expected = PalisadeConfiguration.defaults
        expected.log.level = .warning
        expected.metrics = .init(enabled: true, listen: ListenAddress(host: "192.0.2.7", port: 0))
        expected.signal.mediaReconnectMinMilliseconds = 10
        expected.signal.mediaReconnectMaxMilliseconds = 10
        #expect(configuration == expected)
    }

    @Test("every log level and format name is accepted", arguments: PalisadeConfiguration.LogLevel.allCases)
    func logLevels(_ level: PalisadeConfiguration.LogLevel) throws {
        let configuration = try PalisadeConfiguration.parse("[log]\nlevel = \"\(level.rawValue)\"\n", source: "t")
        #expect(configuration.log.level == level)
        for format in PalisadeConfiguration.LogFormat.allCases {
            #expect(try PalisadeConfiguration.parse("log.format = \"\(format.rawValue)\"", source: "t").log.format == format)
        }
    }

    @Test("an error reads file:line: key: message")
    func errorDescription() throws {
        let error = #expect(throws: ConfigurationErrors.self) {
            try PalisadeConfiguration.parse("\n\n[signal]\nmedia_reconnect_max_ms = 70000\n", source: "palisade.toml")
        }
        #expect(error?.description == "palisade.toml:4: signal.media_reconnect_max_ms: 70000 is out of range 10...60000")
    }

    @Test("a syntax error reads file:line:column: message")
    func syntaxErrorDescription() throws {
        let error = #expect(throws: ConfigurationErrors.self) {
            try PalisadeConfiguration.parse("[log]\nlevel \"debug\"\n", source: "palisade.toml")
        }
        #expect(error?.errors.first?.column == 7)
        #expect(error?.description == "palisade.toml:2:7: expected '=' after the key level, found '\"'")
    }

    @Test("several errors are listed one per line, in file order")
    func severalErrorsDescription() throws {
        let error = #expect(throws: ConfigurationErrors.self) {
            try PalisadeConfiguration.parse("log.level = 1\nlog.format = 2\n", source: "p.toml")
        }
        #expect(error?.description == """
            p.toml:1: log.level: expected a string, found an integer 1
            p.toml:2: log.format: expected a string, found an integer 2
            """)
    }

    @Test("errors are equal on code, key and line, not on the wording")
    func errorEquality() {
        let a = ConfigurationError(code: .outOfRange, key: "log.level", line: 3, message: "one", source: "a.toml")
        var b = a
        b.message = "two"
        b.source = "b.toml"
        #expect(a == b)
        b.line = 4
        #expect(a != b)
    }
}
