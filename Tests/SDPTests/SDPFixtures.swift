import Foundation

/// Reads fixture files that sit beside the tests (no bundle: fixtures are plain files).
enum SDPFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func names(in folder: String? = nil, withSuffix suffix: String) throws -> [String] {
        let path = folder.map { directory.appendingPathComponent($0).path } ?? directory.path
        return try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(suffix) }.sorted()
    }
}
