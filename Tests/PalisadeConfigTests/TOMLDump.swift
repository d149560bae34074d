@testable import PalisadeConfig

/// A line-per-value text form of a parsed TOML document, for golden files:
/// `path = type value @line:column`, tables and arrays on a line of their own before their contents.
enum TOMLDump {
    static func render(_ document: TOMLDocument) -> String {
        var lines: [String] = []
        dump(document.root, path: "", into: &lines)
        return lines.map { $0 + "\n" }.joined()
    }

    private static func dump(_ table: TOMLTable, path: String, into lines: inout [String]) {
        for entry in table.entries {
            let key = TOMLKeyPath.render([entry.key])
            dump(entry.item, path: path.isEmpty ? key : path + "." + key, into: &lines)
        }
    }

    private static func dump(_ item: TOMLItem, path: String, into lines: inout [String]) {
        let at = "@\(item.location)"
        switch item.value {
        case .string(let text): lines.append("\(path) = string \(TOMLRendering.basicString(text)) \(at)")
        case .integer(let number): lines.append("\(path) = integer \(number) \(at)")
        case .float(let number): lines.append("\(path) = float \(number) \(at)")
        case .boolean(let flag): lines.append("\(path) = boolean \(flag) \(at)")
        case .table(let table):
            lines.append("\(path) = table \(at)")
            dump(table, path: path, into: &lines)
        case .array(let items):
            lines.append("\(path) = array(\(items.count)) \(at)")
            for (index, element) in items.enumerated() {
                dump(element, path: "\(path)[\(index)]", into: &lines)
            }
        }
    }
}
