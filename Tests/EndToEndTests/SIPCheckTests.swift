import Foundation
import Testing
import TestSupport

/// `palisadectl sip check` on the torture corpus: the offline checker gives, for every fixture,
/// the outcome its manifest records (known gaps, marked xfail, are expected to differ).
@Suite("palisadectl sip check")
struct SIPCheckTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SIPMessageTests/Fixtures/torture").path

    struct Expectation {
        var fixture: String
        var outcome: String
        var knownGap: Bool
    }

    static func manifest() throws -> [Expectation] {
        try String(contentsOfFile: corpus + "/manifest.txt", encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { line in
                let columns = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                let outcome = columns[1].replacingOccurrences(of: "xfail", with: "")
                    .trimmingCharacters(in: .whitespaces)
                return Expectation(fixture: columns[0], outcome: outcome, knownGap: columns[1].contains("xfail"))
            }
    }

    @Test("every corpus fixture gets its manifest's verdict, as JSON for scripts")
    func corpusVerdicts() async throws {
        let expectations = try Self.manifest()
        #expect(expectations.count > 50)
        let files = expectations.map { "\(Self.corpus)/\($0.fixture).sip" }
        let result = try await Command.run(try Products.path("palisadectl"), ["sip", "check", "--json"] + files)
        let reports = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stderr)")
        #expect(reports.count == expectations.count)
        for (expectation, report) in zip(expectations, reports) {
            let verdict = report["verdict"] as? String ?? "?"
            let got = verdict == "reject" ? "reject \(report["status"] as? Int ?? 0)" : verdict
            if expectation.knownGap {
                withKnownIssue("\(expectation.fixture): a known gap of the parser") {
                    #expect(got == expectation.outcome)
                }
            } else {
                #expect(got == expectation.outcome, "\(expectation.fixture)")
            }
        }
        #expect(result.status == 1, "some fixtures are rejected or dropped, so the exit code is 1")
    }

    @Test("a human line names status, reason, header and byte; unreadable files are reported")
    func humanOutput() async throws {
        let ctl = try Products.path("palisadectl")
        let reject = try await Command.run(ctl, ["sip", "check", Self.corpus + "/4475-3.1.2.3-scalar02.sip"])
        #expect(reject.status == 1)
        #expect(reject.stdout.contains(": reject 400 ") && reject.stdout.contains("header Content-Length"))
        let accept = try await Command.run(ctl, ["sip", "check", Self.corpus + "/4475-3.1.1.1-wsinv.sip"])
        #expect(accept.status == 0 && accept.stdout.contains(": accept (request INVITE)"))
        let missing = try await Command.run(ctl, ["sip", "check", "/nonexistent.sip"])
        #expect(missing.status == 1 && missing.stdout.contains("unreadable"))
        await #expect(try Command.run(ctl, ["sip", "check"]).status == 2)
    }
}
