import Foundation
import SIPAuth

/// Reads fixture files that sit beside the tests (no bundle: fixtures are plain files).
enum SIPAuthFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    /// Tab-separated rows, skipping blank lines and `#` comments.
    static func rows(_ name: String) throws -> [[String]] {
        try text(name).split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Expands an input spec of the vector files: `text:…`, `hex:…` or `repeat:count:unit`.
    static func expand(_ spec: String) -> [UInt8] {
        let (kind, rest) = (spec.prefix { $0 != ":" }, spec.drop { $0 != ":" }.dropFirst())
        switch kind {
        case "text":
            return Array(rest.utf8)
        case "hex":
            return Hex.decode(Array(rest.utf8))!
        case "repeat":
            let count = Int(rest.prefix { $0 != ":" })!
            let unit = Array(rest.drop { $0 != ":" }.dropFirst().utf8)
            return Array([[UInt8]](repeating: unit, count: count).joined())
        default:
            fatalError("unknown input spec \(spec)")
        }
    }

    /// A SIP request fixture cut into what the authenticator needs (the signalling takes these
    /// from SIPMessage; the tests need no parser for them).
    struct Request {
        var method: [UInt8]
        var requestURI: [UInt8]
        var authorization: [UInt8]
    }

    static func request(_ name: String) throws -> Request {
        // Character-wise, "\r\n" is one Character, which isNewline covers.
        let lines = try text(name).split(whereSeparator: \.isNewline)
        let requestLine = lines[0].split(separator: " ")
        let header = lines.first { $0.lowercased().hasPrefix("authorization:") }!
        let value = header.drop { $0 != ":" }.dropFirst().drop { $0 == " " }
        return Request(method: Array(requestLine[0].utf8), requestURI: Array(requestLine[1].utf8),
                       authorization: Array(value.utf8))
    }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
