/// A parsed TOML 1.0 document (https://toml.io/en/v1.0.0): the root table, with the 1-based line
/// and column of every key and value so that configuration errors can say where they come from.
///
/// Date and time values are not supported (PalisadeConfig has no key that takes one); the parser
/// rejects them with `TOMLError.Kind.unsupported` rather than misreading them.
struct TOMLDocument: Sendable, Equatable {
    var root: TOMLTable

    static func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
        var parser = TOMLParser(text)
        return TOMLDocument(root: try parser.parseDocument())
    }
}

/// 1-based position in the source. Columns count Unicode scalars, not bytes.
struct TOMLLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    var line: Int
    var column: Int

    var description: String { "\(line):\(column)" }
}

indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// A static array or an array of tables (`[[name]]`); elements of mixed types are allowed.
    case array([TOMLItem])
    /// A `[header]` table, a table made by dotted keys, or an inline table.
    case table(TOMLTable)

    /// "a string", "an integer", … for messages such as "expected an integer, found a string".
    var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A value and where it starts.
struct TOMLItem: Sendable, Equatable {
    var value: TOMLValue
    var location: TOMLLocation
}

/// A table whose entries keep the order in which they appear in the source.
struct TOMLTable: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var key: String
        /// Where the key was written; for a `[header]` table, where the header starts.
        var keyLocation: TOMLLocation
        var item: TOMLItem
    }

    var entries: [Entry]

    subscript(key: String) -> Entry? {
        entries.first { $0.key == key }
    }
}

struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case syntax
        /// A key or table defined twice (TOML 1.0 §Keys, §Table).
        case duplicateKey
        /// Valid TOML that this parser does not support (date and time values).
        case unsupported
    }

    var kind: Kind
    var location: TOMLLocation
    /// The dotted key concerned, for `duplicateKey`.
    var key: String?
    var message: String

    var description: String { "\(location): \(message)" }
}
