/// `--name value` pairs; nothing else is accepted.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>) throws(UsageError) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard flag.hasPrefix("--"), let value = iterator.next() else {
                throw UsageError("expected --name value, got '\(flag)'")
            }
            values[String(flag.dropFirst(2))] = value
        }
    }

    func required(_ name: String) throws(UsageError) -> String {
        guard let value = values[name] else { throw UsageError("--\(name) is required") }
        return value
    }

    func optional(_ name: String) -> String? { values[name] }
    func string(_ name: String, default fallback: String) -> String { values[name] ?? fallback }
    func int(_ name: String, default fallback: Int) -> Int { values[name].flatMap { Int($0) } ?? fallback }
    func double(_ name: String, default fallback: Double) -> Double { values[name].flatMap { Double($0) } ?? fallback }
}

struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
