import Foundation

/// Reads fixture files that sit beside the tests (no bundle: fixtures are plain files).
enum SIPFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(path)))
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }
}

enum FileManagerListing {
    static func names(in folder: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: SIPFixtures.directory.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(suffix) }.sorted()
    }
}
