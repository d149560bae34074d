import Foundation
import Testing
@testable import SIPMessage

/// One row of `Fixtures/torture/manifest.txt`.
struct TortureCase: CustomTestStringConvertible, Sendable {
    enum Expectation: Equatable, Sendable {
        case accept
        case reject(Int)
        case drop
    }

    let name: String
    let expectation: Expectation
    /// A known gap: the case is run and expected to fail, so it cannot silently disappear.
    let knownGap: Bool
    let note: String

    var testDescription: String { name }

    static func load() throws -> [TortureCase] {
        try SIPFixtures.text("torture/manifest.txt").split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            let cols = line.split(separator: "|", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
            var words = cols[1].split(separator: " ").map(String.init)
            let gap = words.first == "xfail"
            if gap { words.removeFirst() }
            let expectation: Expectation
            switch words.first {
            case "accept": expectation = .accept
            case "drop": expectation = .drop
            case "reject": expectation = .reject(Int(words[1]) ?? 0)
            default: throw ManifestError(line: String(line))
            }
            return TortureCase(name: cols[0], expectation: expectation, knownGap: gap, note: cols[2])
        }
    }

    struct ManifestError: Error { let line: String }
}

extension SIPCheckVerdict {
    var outcome: TortureCase.Expectation {
        switch self {
        case .accept: .accept
        case .reject(let status, _, _, _, _): .reject(status)
        case .drop: .drop
        }
    }
}

@Suite("RFC 4475 and RFC 5118 torture corpus")
struct TortureCorpusTests {
    static let cases: [TortureCase] = (try? TortureCase.load()) ?? []

    @Test("The manifest lists every fixture and every fixture is listed")
    func manifestMatchesFiles() throws {
        let files = try FileManagerListing.names(in: "torture", suffix: ".sip")
        #expect(Set(files) == Set(Self.cases.map { $0.name + ".sip" }))
        #expect(Self.cases.count >= 60)
    }

    @Test("Each case gets the expected verdict", arguments: cases)
    func verdict(_ c: TortureCase) throws {
        let bytes = try SIPFixtures.bytes("torture/\(c.name).sip")
        let verdict = checkSIPMessage(bytes, limits: .default)
        if c.knownGap {
            withKnownIssue(Comment(rawValue: c.note)) {
                #expect(verdict.outcome == c.expectation, "\(verdict)")
            }
        } else {
            #expect(verdict.outcome == c.expectation, "\(c.note): \(verdict)")
        }
    }

    @Test("Accepted requests print byte-identical when untouched", arguments: cases.filter { $0.expectation == .accept && !$0.knownGap })
    func untouchedRoundTrip(_ c: TortureCase) throws {
        let bytes = try SIPFixtures.bytes("torture/\(c.name).sip")
        let message = try SIPMessage(parsing: bytes)
        // RFC 3261 §18.3: bytes past Content-Length in a datagram are discarded, so compare up to it.
        #expect(message.printed == Array(bytes[..<message.bodyRange.upperBound]))
    }

    /// RFC 4475 §3.4.1 asks for RFC 2543 compatibility. Palisade is an edge device whose
    /// transaction layer matches requests by RFC 3261 branch only, so a 2543 request is refused
    /// at the door with an answer that says what is missing, not relayed and then lost.
    @Test("RFC 4475 §3.4.1 an RFC 2543 INVITE is refused with 400 naming Max-Forwards")
    func rfc2543RequestRefused() throws {
        let bytes = try SIPFixtures.bytes("torture/4475-3.4.1-inv2543.sip")
        guard case .reject(let status, let reason, let code, let header, let offset) = checkSIPMessage(bytes) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(status == 400)
        #expect(reason == "Bad Request - Missing Mandatory Header")
        #expect(code == .missingHeader)
        #expect(header == "Max-Forwards")
        let message = try SIPMessage(parsing: bytes)
        #expect(offset == message.headerEnd)
        // The top Via carries no RFC 3261 branch either: nothing downstream could key it.
        #expect(message.topVia?.hasMagicCookie == false)
    }

    @Test("A rejection names the header and offset at fault")
    func rejectionCarriesContext() throws {
        let bytes = try SIPFixtures.bytes("torture/4475-3.1.2.6-quotbal.sip")
        guard case .reject(let status, _, let code, let header, let offset) = checkSIPMessage(bytes) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(status == 400)
        #expect(code == .unbalancedQuote)
        #expect(header == "To")
        let toLine = Array("To: \"Mr. J.".utf8)
        let start = try #require(bytes.firstRange(of: toLine)?.lowerBound)
        #expect(offset == start + 4)
    }
}
