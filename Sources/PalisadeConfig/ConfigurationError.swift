/// One thing wrong with a configuration file: what (code), which key, where, and in words.
/// Equal on code, key and line, not on the wording of the message.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not valid TOML.
        case syntax
        /// A key or table that the catalogue does not have.
        case unknownKey
        /// The TOML type does not fit the key (a string where an integer belongs).
        case wrongType
        /// A number outside the key's range, or breaking a rule between keys.
        case outOfRange
        /// A string that is not one of the allowed values, not an address, not a usable path.
        case invalidValue
        /// A key or table defined twice.
        case duplicateKey
        /// A required key or table left out (a realm's name, a TLS listener's certificate).
        case missingKey
        /// Settings that cannot hold together: a realm name, a listen address or media ports used twice.
        case conflict
        /// Valid TOML that Palisade does not support (date and time values).
        case unsupported
    }

    public var code: Code
    /// The dotted key, when the error concerns one; inside repeated sections with the element's
    /// index: `realm[1].listener[0].transport`.
    public var key: String?
    /// 1-based line in the file.
    public var line: Int?
    /// 1-based column, for syntax errors.
    public var column: Int?
    public var message: String
    /// The file name, as given to `PalisadeConfiguration.parse(_:source:)`.
    public var source: String

    public init(code: Code, key: String?, line: Int?, column: Int? = nil, message: String, source: String) {
        self.code = code
        self.key = key
        self.line = line
        self.column = column
        self.message = message
        self.source = source
    }

    /// `palisade.toml:12: signal.media_reconnect_max_ms: 70000 is out of range 10...60000`, or
    /// `palisade.toml:3:9: expected '=' after the key level, found '"'` for syntax errors.
    public var description: String {
        var location = source
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        if let key, code != .syntax {
            return "\(location): \(key): \(message)"
        }
        return "\(location): \(message)"
    }

    public static func == (lhs: ConfigurationError, rhs: ConfigurationError) -> Bool {
        lhs.code == rhs.code && lhs.key == rhs.key && lhs.line == rhs.line
    }
}

/// Every error found in one file, in the order of the file.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigurationError]

    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    /// One error per line.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}

extension ConfigurationError.Code: CaseIterable {
    /// One line for the reference.
    public var meaning: String {
        switch self {
        case .syntax: "the file is not valid TOML (the message gives line and column)"
        case .unknownKey: "a key or table that does not exist; a close match is suggested"
        case .wrongType: "the TOML type does not fit, e.g. a string where an integer belongs"
        case .outOfRange: "a number outside its range, or a rule between keys broken"
        case .invalidValue: "a value that is not one of the allowed ones, not an address, not a usable path"
        case .duplicateKey: "a key or table defined twice"
        case .missingKey: "a required key or table is left out, e.g. a realm without a name or a TLS listener without a certificate"
        case .conflict: "settings that cannot hold together: a realm name, a listen address or overlapping media ports used twice"
        case .unsupported: "valid TOML that Palisade does not accept (date and time values)"
        }
    }
}
