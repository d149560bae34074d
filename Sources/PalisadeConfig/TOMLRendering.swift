/// Writing TOML source text, for the default file and for showing found values in messages.
enum TOMLRendering {
    /// A TOML basic string: quotes, backslashes and control characters escaped.
    static func basicString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A short rendering of a found value: the literal for scalars, the type for arrays and tables.
    static func brief(_ value: TOMLValue) -> String {
        switch value {
        case .string(let text): basicString(text)
        case .integer(let number): String(number)
        case .float(let number): number.isNaN ? "nan" : number.isInfinite ? (number < 0 ? "-inf" : "inf") : String(number)
        case .boolean(let flag): String(flag)
        case .array(let items): items.isEmpty ? "[]" : "an array of \(items.count)"
        case .table: "a table"
        }
    }
}
