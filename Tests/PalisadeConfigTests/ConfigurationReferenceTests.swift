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
        let configuration = try PalisadeConfiguration.parse(uncommented, source: "palisade.toml")
        #expect(configuration == .defaults)
    }

    @Test("every key appears in the reference and in the default file", arguments: ConfigKey.allCases)
    func everyKeyIsDocumented(key: ConfigKey) {
        let markdown = ConfigurationReference.renderMarkdown()
        #expect(markdown.contains("| `\(key.rawValue)` | \(key.rule.typeName) | `\(key.defaultValue)` |"))
        #expect(markdown.contains(key.summary))
        let defaultFile = ConfigurationReference.renderDefaultFile()
        #expect(defaultFile.contains("\n#\(key.name) = \(key.defaultValue)\n"))
        #expect(defaultFile.contains("# \(key.summary)\n"))
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
