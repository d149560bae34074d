/// `--key value` pairs after the command name; the script passes everything explicitly.
struct Options {
    struct Missing: Error, CustomStringConvertible {
        let key: String
        var description: String { "missing or bad option --\(key)" }
    }

    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>) {
        var rest = arguments
        while let key = rest.popFirst() {
            guard key.hasPrefix("--"), let value = rest.popFirst() else { continue }
            values[String(key.dropFirst(2))] = value
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = values[key] else { throw Missing(key: key) }
        return value
    }

    func string(_ key: String, default fallback: String) -> String { values[key] ?? fallback }

    func int(_ key: String) throws -> Int {
        guard let value = values[key].flatMap(Int.init) else { throw Missing(key: key) }
        return value
    }

    func int(_ key: String, default fallback: Int) -> Int { values[key].flatMap(Int.init) ?? fallback }
}
