import Foundation
import Testing

/// Files under `Fixtures/`, and the manifests that say what each should give.
enum Fixture {
    static let directory: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func text(_ path: String) throws -> String {
        try String(contentsOf: directory.appending(path: path), encoding: .utf8)
    }

    /// Names of the files in a fixture folder with the given extension, sorted.
    static func names(in folder: String, extension: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appending(path: folder).path)
            .filter { $0.hasSuffix("." + `extension`) }
            .sorted()
    }

    /// A manifest: one row a line, cells separated by `|`; blank lines and `#` lines are skipped.
    static func manifest(_ path: String) throws -> [ManifestRow] {
        try text(path).split(separator: "\n").enumerated().compactMap { number, line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
            let cells = trimmed.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            return ManifestRow(line: number + 1, cells: cells)
        }
    }
}

struct ManifestRow: Sendable, CustomTestStringConvertible {
    var line: Int
    var cells: [String]

    var testDescription: String { "\(self[0]) (manifest line \(line))" }

    subscript(index: Int) -> String {
        index < cells.count ? cells[index] : ""
    }

    /// A cell that is a number, or nil for `-` or empty.
    func number(_ index: Int) -> Int? {
        Int(self[index])
    }

    /// A cell that names a key, or nil for `-` or empty.
    func optional(_ index: Int) -> String? {
        self[index].isEmpty || self[index] == "-" ? nil : self[index]
    }
}
