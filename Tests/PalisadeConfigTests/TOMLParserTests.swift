import Foundation
import Testing

@testable import PalisadeConfig

/// TOML 1.0 (https://toml.io/en/v1.0.0). Valid documents are golden files: `NAME.toml` parses to
/// the dump in `NAME.expected`. Invalid documents are listed in `invalid/manifest.txt` with the
/// error kind, line and column they must give.
@Suite("TOML parser")
struct TOMLParserTests {
    @Test("valid documents match their golden dump", arguments: try Fixture.names(in: "toml/valid", extension: "toml"))
    func valid(name: String) throws {
        let text = try Fixture.text("toml/valid/" + name)
        let expectedPath = "toml/valid/" + name.dropLast(5) + ".expected"
        let document = try TOMLDocument.parse(text)
        let dump = TOMLDump.render(document)
        if ProcessInfo.processInfo.environment["PALISADE_REGENERATE"] == "1" {
            try dump.write(to: sourceFixtures.appending(path: expectedPath), atomically: true, encoding: .utf8)
            return
        }
        let expected = try Fixture.text(expectedPath)
        #expect(dump == expected, "\(name) parses differently from \(expectedPath); PALISADE_REGENERATE=1 rewrites golden files (review the diff)")
    }

    static let invalidCases = (try? Fixture.manifest("toml/invalid/manifest.txt")) ?? []

    @Test("invalid documents give the listed error", arguments: invalidCases)
    func invalid(row: ManifestRow) throws {
        // fixture | kind | line | column | message contains
        let text = try Fixture.text("toml/invalid/" + row[0])
        let error = #expect(throws: TOMLError.self, "\(row[0]) should not parse") { try TOMLDocument.parse(text) }
        guard let error else { return }
        let kind: TOMLError.Kind? = switch row[1] {
        case "syntax": .syntax
        case "duplicateKey": .duplicateKey
        case "unsupported": .unsupported
        default: nil
        }
        #expect(error.kind == kind, "\(row[0]): \(error)")
        #expect(error.location == TOMLLocation(line: row.number(2) ?? -1, column: row.number(3) ?? -1), "\(row[0]): \(error)")
        #expect(error.message.contains(row[4]), "\(row[0]): \(error)")
    }

    @Test("every invalid fixture is in the manifest, and the manifest names only fixtures that exist")
    func invalidManifestIsComplete() throws {
        let files = Set(try Fixture.names(in: "toml/invalid", extension: "toml"))
        let listed = Set(Self.invalidCases.map { $0[0] })
        #expect(!listed.isEmpty)
        #expect(files == listed)
    }

    @Test("every valid fixture has a golden dump")
    func validFixturesHaveGoldenFiles() throws {
        let documents = try Fixture.names(in: "toml/valid", extension: "toml").map { $0.dropLast(5) }
        let goldens = try Fixture.names(in: "toml/valid", extension: "expected").map { $0.dropLast(9) }
        #expect(documents == goldens)
    }

    @Test("an empty document and one of only comments are empty tables")
    func emptyDocuments() throws {
        #expect(try TOMLDocument.parse("").root.entries.isEmpty)
        #expect(try TOMLDocument.parse("# nothing\n\n   \n").root.entries.isEmpty)
    }

    @Test("a value may end the file without a newline")
    func noFinalNewline() throws {
        let document = try TOMLDocument.parse("a = 1")
        #expect(document.root["a"]?.item.value == .integer(1))
    }

    @Test("numbers", arguments: [
        ("0", TOMLValue.integer(0)), ("-0", .integer(0)), ("1_2_3", .integer(123)), ("0x_1", nil),
        ("0xFFFFFFFFFFFFFFFF", nil), ("9223372036854775808", nil), ("-9223372036854775809", nil),
        ("0b2", nil), ("0o8", nil), ("1.", nil), ("1.e5", nil), ("1e", nil), ("1e_5", nil), ("00", nil),
        ("-01", nil), ("01.5", nil), ("0.5", .float(0.5)), ("0e0", .float(0)), ("1E+2", .float(100)),
        ("inf", .float(.infinity)), ("-inf", .float(-.infinity)), ("infinity", nil), ("+", nil), ("0x", nil),
    ] as [(String, TOMLValue?)])
    func numbers(token: String, expected: TOMLValue?) {
        #expect(TOMLNumber.parse(token) == expected, "\(token)")
    }

    @Test("nan parses to a NaN float")
    func nan() {
        for token in ["nan", "+nan", "-nan"] {
            guard case .float(let value) = TOMLNumber.parse(token) else {
                Issue.record("\(token) is not a float")
                continue
            }
            #expect(value.isNaN)
        }
    }

    @Test("a multi-byte character before an error counts as one column")
    func columnsCountCharacters() {
        let error = #expect(throws: TOMLError.self) { try TOMLDocument.parse("\"été\" = 1 x") }
        #expect(error?.location == TOMLLocation(line: 1, column: 11))
    }

    /// The directory this file's fixtures live in, in the source tree (not the built bundle).
    private var sourceFixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures")
    }
}

/// The parser drip-fed: every prefix of every fixture either parses or throws, and never traps.
@Suite("TOML parser robustness")
struct TOMLParserRobustnessTests {
    @Test("every prefix of every fixture parses or throws", arguments: try Fixture.names(in: "toml/valid", extension: "toml"))
    func prefixes(name: String) throws {
        let text = try Fixture.text("toml/valid/" + name)
        var prefix = ""
        for scalar in text.unicodeScalars {
            prefix.unicodeScalars.append(scalar)
            _ = try? TOMLDocument.parse(prefix)
        }
        #expect(throws: Never.self) { try TOMLDocument.parse(prefix) }
    }

    @Test("deep nesting is an error, not a stack overflow")
    func deepNesting() {
        let depth = TOMLParser.maximumDepth
        #expect(throws: Never.self) {
            try TOMLDocument.parse("a = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        }
        let error = #expect(throws: TOMLError.self) {
            try TOMLDocument.parse("a = " + String(repeating: "[", count: 100_000))
        }
        #expect(error?.message.contains("nested more than \(depth) deep") == true)
        #expect(throws: TOMLError.self) { try TOMLDocument.parse("a = " + String(repeating: "{b=", count: 100_000)) }
    }

    @Test("a UTF-8 byte order mark at the start is skipped")
    func byteOrderMark() throws {
        let document = try TOMLDocument.parse("\u{FEFF}a = 1")
        #expect(document.root["a"]?.keyLocation == TOMLLocation(line: 1, column: 1))
        let error = #expect(throws: TOMLError.self) { try TOMLDocument.parse("\u{FEFF}a 1") }
        #expect(error?.location == TOMLLocation(line: 1, column: 3))
    }
}
