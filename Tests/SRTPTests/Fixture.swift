#if canImport(Glibc)
import Glibc
#endif

/// A test-vector file in Fixtures/: `name = value` lines, `#` comments. Values are hex unless a
/// test reads them as text. Read from beside this source file, so no bundle (and no Foundation).
struct Fixture {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    let name: String
    private let values: [String: String]

    init(_ name: String, sourceFile: String = #filePath) throws {
        let directory = sourceFile[..<(sourceFile.lastIndex(of: "/") ?? sourceFile.startIndex)]
        let path = "\(directory)/Fixtures/\(name)"
        guard let file = fopen(path, "r") else { throw Missing(description: "cannot open \(path)") }
        defer { fclose(file) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            text += chunk[..<count]
        }
        var values: [String: String] = [:]
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].filter { $0 != " " }
            let value = trimmed[trimmed.index(after: equals)...].filter { $0 != " " }
            values[String(key)] = String(value)
        }
        self.name = name
        self.values = values
    }

    func text(_ key: String) throws -> String {
        guard let value = values[key] else { throw Missing(description: "\(name): no \(key)") }
        return value
    }

    func bytes(_ key: String) throws -> [UInt8] {
        try Hex.decode(text(key))
    }

    func uint32(_ key: String) throws -> UInt32 {
        try bytes(key).reduce(0) { $0 << 8 | UInt32($1) }
    }
}

enum Hex {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func decode(_ text: some StringProtocol) throws -> [UInt8] {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { throw Invalid(description: "odd hex length: \(text)") }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else {
                throw Invalid(description: "not hex: \(text)")
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
