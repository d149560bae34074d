import Foundation
import Testing

@testable import PalisadeConfig

/// `docs/CONFIGURATION.md` and `deploy/palisade.toml` are rendered from the catalogue and
/// committed. These tests keep the committed files equal to the rendering; with
/// `PALISADE_REGENERATE=1` in the environment they write the files instead.
@Suite("Configuration reference")
struct ConfigurationReferenceTests {
    static let regenerate = ProcessInfo.processInfo.environment["PALISADE_REGENERATE"] == "1"

    /// The package root: this file is `Tests/PalisadeConfigTests/ConfigurationReferenceTests.swift`.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let generatedFiles: [String: @Sendable () -> String] = [
        "docs/CONFIGURATION.md": ConfigurationReference.renderMarkdown,
        "deploy/palisade.toml": ConfigurationReference.renderDefaultFile,
    ]

    @Test("committed generated files equal the rendering", arguments: generatedFiles.keys.sorted())
    func committedFilesAreCurrent(path: String) throws {
        // Two steps: `try #require(…)()` in one expression crashes the Swift 6.3.1 type checker.
        let render = try #require(Self.generatedFiles[path])
        let rendered = render()
        let url = Self.repositoryRoot.appending(path: path)
        if Self.regenerate {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try rendered.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let committed = try? String(contentsOf: url, encoding: .utf8)
        #expect(committed == rendered, """
            \(path) does not match the catalogue in Sources/PalisadeConfig/ConfigKey.swift. \
            Run `PALISADE_REGENERATE=1 swift test --filter PalisadeConfigTests` to rewrite it, and commit the result.
            """)
    }

    @Test("the default file parses to exactly the defaults")
    func defaultFileGivesDefaults() throws {
        let configuration = try PalisadeConfiguration.parse(ConfigurationReference.renderDefaultFile(), source: "palisade.toml")
        #expect(configuration == .defaults)
    }

    @Test("uncommenting every line of the default file still gives the defaults")
    func uncommentedDefaultFileGivesDefaults() throws {
        // Only the key lines: "#name = value" with no space after the '#'.
        let uncommented = ConfigurationReference.renderDefaultFile()
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("#") && !$0.hasPrefix("# ") && $0.count > 1 ? $0.dropFirst() : $0 }
            .joined(separator: "\n")
        #expect(uncommented.contains("\nadmin_socket = "))
        #expect(uncommented.contains("\n[[realm]]\nname = \"access\"\n"))
        let configuration = try PalisadeConfiguration.parse(uncommented, source: "palisade.toml")
        #expect(configuration == .defaults)
    }

    @Test("every key appears in the reference and in the default file", arguments: ConfigKey.allCases)
    func everyKeyIsDocumented(key: ConfigKey) {
        let markdown = ConfigurationReference.renderMarkdown()
        let defaultCell = key.defaultValue == .unset ? (key.isRequired ? "required" : "none") : "`\(key.defaultValue)`"
        #expect(markdown.contains("| `\(key.rawValue)` | \(key.rule.typeName) | \(defaultCell) |"))
        #expect(markdown.contains(key.summary))
        let defaultFile = ConfigurationReference.renderDefaultFile()
        if key.section.parent == nil && !key.section.isRepeated {
            // A key unset by default is shown with a space after '#', so uncommenting skips it.
            #expect(defaultFile.contains(key.defaultValue == .unset ? "\n# \(key.name) = (unset by default)\n"
                                                                    : "\n#\(key.name) = \(key.defaultValue)\n"))
            #expect(defaultFile.contains("# \(key.summary)\n"))
        } else {
            #expect(defaultFile.contains("\n#   \(key.name): \(key.summary)\n"))
            #expect(defaultFile.contains("\(key.name) = "), "no example of \(key.rawValue) in the default file")
        }
    }

    @Test("the default file shows the default realms, a TLS listener with certificates and an advertised media address")
    func defaultFileShowsRealmExamples() {
        let defaultFile = ConfigurationReference.renderDefaultFile()
        #expect(defaultFile.contains("\n#[[realm]]\n#name = \"access\"\n"))
        #expect(defaultFile.contains("\n#[[realm]]\n#name = \"core\"\n"))
        #expect(defaultFile.contains("\n# [[realm.listener]]\n# transport = \"tls\"\n"))
        #expect(defaultFile.contains("\n#[realm.media]\n"))
        #expect(defaultFile.contains("\n# advertise = \"198.51.100.7\""))
    }

    @Test("the examples of the default file, uncommented too, parse to the default realms plus a TLS listener and a core target")
    func examplesParse() throws {
        // Every commented line after the first "#[[realm]]", uncommented: the key lines and the "# " examples.
        let text = ConfigurationReference.renderDefaultFile()
        let start = try #require(text.range(of: "\n#[[realm]]\n"))
        let realms = text[start.lowerBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("# A ") }
            .map { $0.hasPrefix("# ") ? $0.dropFirst(2) : $0.hasPrefix("#") ? $0.dropFirst() : $0 }
            .joined(separator: "\n")
        let configuration = try PalisadeConfiguration.parse(String(text[..<start.lowerBound]) + realms, source: "palisade.toml")
        var expected = PalisadeConfiguration.Realm.defaults
        expected[0].listeners.append(.init(
            transport: .tls, listen: ListenAddress(host: "203.0.113.10", port: 5061), advertise: "sip.example.com:5061",
            tls: .init(
                certificates: [
                    .init(
                        cert: "/etc/palisade/tls/sip.example.com.pem", key: "/etc/palisade/tls/sip.example.com.key",
                        serverNames: ["sip.example.com"]),
                    .init(cert: "/etc/palisade/tls/fallback.pem", key: "/etc/palisade/tls/fallback.key"),
                ],
                clientCertificates: .optional, caBundle: "/etc/palisade/tls/phones-ca.pem", minimumVersion: .tls12)))
        expected[0].media.advertise = "198.51.100.7"
        expected[1].targets = [.init(address: "192.0.2.20:5060", transport: .udp, priority: 1, weight: 10)]
        #expect(configuration.realms == expected)
    }

    @Test("the reference names the command-line options")
    func referenceNamesOptions() {
        let markdown = ConfigurationReference.renderMarkdown()
        #expect(markdown.contains("--config"))
        #expect(markdown.contains("--check-config"))
        for code in ConfigurationError.Code.allCases {
            #expect(markdown.contains("`\(code.rawValue)`"))
        }
    }
}
