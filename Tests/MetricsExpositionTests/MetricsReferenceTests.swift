import Foundation
import MetricsExposition
import Testing

@Suite("docs/METRICS.md")
struct MetricsReferenceTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/METRICS.md")

    @Test("the committed reference is the one rendered from the catalogue")
    func upToDate() throws {
        let rendered = MetricsReference.markdown()
        if ProcessInfo.processInfo.environment["PALISADE_REGENERATE"] == "1" {
            try rendered.write(to: Self.file, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(committed == rendered,
                "docs/METRICS.md is stale: PALISADE_REGENERATE=1 swift test --filter MetricsExpositionTests")
    }

    @Test("every metric of the catalogue is documented", arguments: Metric.allCases)
    func documented(metric: Metric) throws {
        #expect(try String(contentsOf: Self.file, encoding: .utf8).contains("| `\(metric.rawValue)` |"))
    }
}

extension Metric: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}
