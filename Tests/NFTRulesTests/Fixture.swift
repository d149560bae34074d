import Foundation
import NFTRules
import Testing

/// Files under `Fixtures/`, read from the source tree.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appending(path: name), encoding: .utf8)
    }

    /// One line of `elements.txt`.
    struct ElementCase: CustomTestStringConvertible, Sendable {
        var set: NFTSet
        var element: String
        var key: [UInt8]
        var testDescription: String { "\(set.name) { \(element) }" }
    }

    static func elementCases() throws -> [ElementCase] {
        try text("elements.txt").split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let columns = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.count == 3, let set = NFTSet(rawValue: columns[0]) else {
                throw FixtureError.malformed(String(line))
            }
            let hex = Array(columns[2].filter { !$0.isWhitespace })
            let key = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! }
            return ElementCase(set: set, element: columns[1], key: key)
        }
    }

    enum FixtureError: Error { case malformed(String) }
}
