/// Turns a TOML document into a `PalisadeConfiguration`, checking every key against the catalogue
/// and collecting every error rather than stopping at the first. Syntax errors are the exception:
/// after one, the rest of the document cannot be trusted, so that error is reported alone.
struct ConfigurationValidator {
    let source: String
    private var errors: [ConfigurationError] = []
    /// Where each key was set, for errors that concern a key after it has been read.
    private var lines: [ConfigKey: Int] = [:]
    /// Keys that broke their own rule; rules between keys leave them alone.
    private var failed: Set<ConfigKey> = []

    init(source: String) {
        self.source = source
    }

    func validate(_ text: String) throws(ConfigurationErrors) -> PalisadeConfiguration {
        let document: TOMLDocument
        do {
            document = try TOMLDocument.parse(text)
        } catch {
            let code: ConfigurationError.Code = switch error.kind {
            case .syntax: .syntax
            case .duplicateKey: .duplicateKey
            case .unsupported: .unsupported
            }
            throw ConfigurationErrors([ConfigurationError(
                code: code, key: error.key, line: error.location.line, column: error.location.column,
                message: error.message, source: source)])
        }
        var validator = self
        return try validator.validate(document)
    }

    private mutating func validate(_ document: TOMLDocument) throws(ConfigurationErrors) -> PalisadeConfiguration {
        var configuration = PalisadeConfiguration.defaults
        for entry in document.root.entries {
            guard let section = ConfigSection(rawValue: entry.key) else {
                reportUnknown(path: entry.key, isTable: entry.item.value.isTable, line: entry.keyLocation.line)
                continue
            }
            guard case .table(let table) = entry.item.value else {
                report(.wrongType, entry.key, entry.keyLocation.line,
                       "expected a table [\(section.rawValue)], found \(entry.item.value.typeDescription)\(shown(entry.item.value))")
                continue
            }
            for (key, value) in checkedValues(of: table, in: section) {
                configuration.set(key, to: value)
            }
        }
        for rule in ConfigKey.crossFieldRules {
            check(rule, in: configuration)
        }
        if !errors.isEmpty { throw ConfigurationErrors(errors) }
        return configuration
    }

    /// Checks one table of `section` against the catalogue and returns the values that passed, in
    /// file order; everything else becomes an error. A repeated section (`[[realm]]`) will call
    /// this once per element and store the values into that element's model.
    private mutating func checkedValues(of table: TOMLTable, in section: ConfigSection) -> [(ConfigKey, ConfigValue)] {
        var values: [(ConfigKey, ConfigValue)] = []
        for field in table.entries {
            let path = section.rawValue + "." + field.key
            guard let key = ConfigKey(rawValue: path) else {
                reportUnknown(path: path, isTable: field.item.value.isTable, line: field.keyLocation.line)
                continue
            }
            lines[key] = field.keyLocation.line
            switch check(field.item.value, against: key.rule) {
            case .success(let value):
                values.append((key, value))
            case .failure(let problem):
                failed.insert(key)
                report(problem.code, path, field.keyLocation.line, problem.message)
            }
        }
        return values
    }

    // MARK: - Rules

    struct Problem: Error {
        var code: ConfigurationError.Code
        var message: String
    }

    /// The value if it fits the rule; otherwise what is wrong, naming the value found.
    func check(_ value: TOMLValue, against rule: ConfigValueRule) -> Result<ConfigValue, Problem> {
        let found = TOMLRendering.brief(value)
        func wrongType(_ expected: String) -> Result<ConfigValue, Problem> {
            .failure(Problem(code: .wrongType, message: "expected \(expected), found \(value.typeDescription)\(shown(value))"))
        }
        switch rule {
        case .boolean:
            guard case .boolean(let flag) = value else { return wrongType("a boolean (true or false)") }
            return .success(.boolean(flag))
        case .integer(let range):
            guard case .integer(let number) = value else { return wrongType("an integer") }
            guard let number = Int(exactly: number), range.contains(number) else {
                return .failure(Problem(code: .outOfRange, message: "\(found) is out of range \(rule.allowedDescription)"))
            }
            return .success(.integer(number))
        case .choice(let names):
            guard case .string(let name) = value else { return wrongType("a string") }
            guard names.contains(name) else {
                return .failure(Problem(code: .invalidValue, message: "\(found) is not one of: \(rule.allowedDescription)"))
            }
            return .success(.string(name))
        case .socketPath:
            guard case .string(let path) = value else { return wrongType("a string") }
            let limit = "a socket path must be absolute and at most \(ConfigValueRule.maximumSocketPathBytes) bytes (the sun_path limit)"
            if path.isEmpty {
                return .failure(Problem(code: .invalidValue, message: "the path is empty; \(limit)"))
            }
            if !path.hasPrefix("/") {
                return .failure(Problem(code: .invalidValue, message: "\(found) is not an absolute path; \(limit)"))
            }
            if path.utf8.count > ConfigValueRule.maximumSocketPathBytes {
                return .failure(Problem(code: .invalidValue, message: "\(found) is \(path.utf8.count) bytes long; \(limit)"))
            }
            if path.utf8.contains(0) {
                return .failure(Problem(code: .invalidValue, message: "\(found) contains a NUL character; \(limit)"))
            }
            return .success(.string(path))
        case .listenAddress:
            guard case .string(let text) = value else { return wrongType("a string \"host:port\"") }
            switch ListenAddress.parse(text) {
            case .success(let address):
                return .success(.string(address.description))
            case .failure(.portOutOfRange(let port)):
                return .failure(Problem(
                    code: .outOfRange,
                    message: "\(found): port \(port) is out of range \(ListenAddress.portRange.lowerBound)...\(ListenAddress.portRange.upperBound)"))
            case .failure(.malformed(let why)):
                return .failure(Problem(code: .invalidValue, message: "\(found): \(why); expected \(rule.allowedDescription)"))
            }
        }
    }

    private mutating func check(_ rule: ConfigCrossFieldRule, in configuration: PalisadeConfiguration) {
        switch rule {
        case .atLeast(let key, let bound):
            guard !failed.contains(key), !failed.contains(bound),
                  case .integer(let value) = configuration[key], case .integer(let minimum) = configuration[bound],
                  value < minimum else { return }
            let valueOrigin = lines[key] == nil ? " (the default)" : ""
            let boundOrigin = lines[bound].map { "line \($0)" } ?? "the default"
            report(.outOfRange, key.rawValue, lines[key] ?? lines[bound],
                   "\(value)\(valueOrigin) must be at least \(bound.rawValue), which is \(minimum) (\(boundOrigin))")
        }
    }

    // MARK: - Reporting

    /// " 3" or " \"yes\"" after the type of a wrong value; nothing for arrays and tables.
    private func shown(_ value: TOMLValue) -> String {
        switch value {
        case .string, .integer, .float, .boolean: " " + TOMLRendering.brief(value)
        case .array, .table: ""
        }
    }

    private mutating func reportUnknown(path: String, isTable: Bool, line: Int) {
        let isSection = !path.contains(".")
        // The key is already at the front of the error's description; only a table repeats itself in brackets.
        var message = isTable ? "unknown table [\(path)]" : "unknown key"
        if let suggestion = ConfigKeySuggestion.closest(to: path) {
            message += isTable && ConfigSection(rawValue: suggestion) != nil
                ? "; did you mean [\(suggestion)]?" : "; did you mean \(suggestion)?"
        } else if isSection {
            message += "; the sections are " + ConfigSection.allCases.map { "[\($0.rawValue)]" }.joined(separator: ", ")
        } else if let section = ConfigSection(rawValue: String(path.prefix { $0 != "." })) {
            message += "; [\(section.rawValue)] has " + section.keys.map(\.name).joined(separator: ", ")
        }
        report(.unknownKey, path, line, message)
    }

    private mutating func report(_ code: ConfigurationError.Code, _ key: String, _ line: Int?, _ message: String) {
        errors.append(ConfigurationError(code: code, key: key, line: line, message: message, source: source))
    }
}

extension TOMLValue {
    var isTable: Bool {
        if case .table = self { true } else { false }
    }
}
