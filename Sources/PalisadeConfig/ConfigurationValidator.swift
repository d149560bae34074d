/// Turns a TOML document into a `PalisadeConfiguration`, checking every key against the catalogue
/// and collecting every error rather than stopping at the first. Syntax errors are the exception:
/// after one, the rest of the document cannot be trusted, so that error is reported alone.
///
/// Two passes: every table is checked key by key against the catalogue (`checkTable`), in file
/// order; then the rules that span keys, elements and realms run on what passed
/// (`ConfigurationValidator+Realms.swift`), so that one bad value gives one error, not a cascade.
struct ConfigurationValidator {
    let source: String
    private(set) var errors: [ConfigurationError] = []
    /// Where each top-level key was set, for errors that concern a key after it has been read.
    private var lines: [ConfigKey: Int] = [:]
    /// Top-level keys that broke their own rule; rules between keys leave them alone.
    private var failed: Set<ConfigKey> = []

    init(source: String) {
        self.source = source
    }

    /// One table of a section after its own keys were checked: the values that passed, where
    /// each key was written, and the tables of its child sections.
    struct CheckedTable {
        /// As errors name it: `sip`, `realm[1]`, `realm[1].listener[0]`, `realm[1].media`.
        var path: String
        /// Where the table starts (its header).
        var line: Int
        var values: [ConfigKey: ConfigValue] = [:]
        /// Every key written, whether it passed or not.
        var lines: [ConfigKey: Int] = [:]
        var failed: Set<ConfigKey> = []
        /// Elements of each child section written in this table (one for a single table).
        var children: [ConfigSection: [CheckedTable]] = [:]
        /// Child sections that were written but were not tables (already reported).
        var failedChildren: Set<ConfigSection> = []
        /// Values in file order, for the top-level sections.
        var ordered: [(ConfigKey, ConfigValue)] = []

        func keyPath(_ key: ConfigKey) -> String { path + "." + key.name }
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
        var realmTables: [CheckedTable]?
        for entry in document.root.entries {
            guard let section = ConfigSection(rawValue: entry.key), section.parent == nil else {
                reportUnknown(path: entry.key, shownAs: entry.key, value: entry.item.value, line: entry.keyLocation.line)
                continue
            }
            guard let tables = sectionTables(entry, of: section, under: nil) else { continue }
            if section.isRepeated {
                realmTables = tables
                continue
            }
            for table in tables {
                for (key, value) in table.ordered {
                    configuration.set(key, to: value)
                }
                lines.merge(table.lines) { $1 }
                failed.formUnion(table.failed)
            }
        }
        for rule in ConfigKey.crossFieldRules {
            check(rule, in: configuration)
        }
        var realmsBuilt = true
        if let realmTables {
            if let realms = buildRealms(realmTables) { configuration.realms = realms } else { realmsBuilt = false }
        }
        if realmsBuilt { checkRelay(configuration) }
        // The second pass reports after the first; a stable sort on the line restores file order.
        if !errors.isEmpty {
            let sorted = errors.enumerated().sorted { a, b in
                (a.element.line ?? .max, a.offset) < (b.element.line ?? .max, b.offset)
            }
            throw ConfigurationErrors(sorted.map(\.element))
        }
        return configuration
    }

    /// The tables of `section` held by `entry`: one for a single section, one per element for a
    /// repeated one; nil (and an error) when the entry is not the right kind of table.
    private mutating func sectionTables(_ entry: TOMLTable.Entry, of section: ConfigSection, under parent: String?) -> [CheckedTable]? {
        let shownPath = parent.map { $0 + "." + section.name } ?? section.rawValue
        let line = entry.keyLocation.line
        if section.isRepeated {
            guard case .array(let items) = entry.item.value,
                  case let tables = items.compactMap({ item -> (TOMLTable, Int)? in
                      if case .table(let table) = item.value { (table, item.location.line) } else { nil }
                  }),
                  tables.count == items.count else {
                report(.wrongType, shownPath, line,
                       "expected an array of tables \(section.header), found \(entry.item.value.typeDescription)\(shown(entry.item.value))")
                return nil
            }
            if tables.isEmpty {
                report(.invalidValue, shownPath, line, "an empty array gives no \(section.header) at all; leave it out instead")
                return nil
            }
            return tables.enumerated().map { index, element in
                checkTable(element.0, in: section, path: "\(shownPath)[\(index)]", line: element.1)
            }
        }
        guard case .table(let table) = entry.item.value else {
            report(.wrongType, shownPath, line,
                   "expected a table \(section.header), found \(entry.item.value.typeDescription)\(shown(entry.item.value))")
            return nil
        }
        return [checkTable(table, in: section, path: shownPath, line: entry.item.location.line)]
    }

    /// Checks one table of `section` against the catalogue, child sections included; everything
    /// that does not pass becomes an error. A repeated section calls this once per element.
    private mutating func checkTable(_ table: TOMLTable, in section: ConfigSection, path: String, line: Int) -> CheckedTable {
        var checked = CheckedTable(path: path, line: line)
        for field in table.entries {
            let catalogue = section.rawValue + "." + field.key
            let shown = path + "." + field.key
            if let child = ConfigSection(rawValue: catalogue), child.parent == section {
                if let tables = sectionTables(field, of: child, under: path) {
                    checked.children[child] = tables
                } else {
                    checked.failedChildren.insert(child)
                }
                continue
            }
            guard let key = ConfigKey(rawValue: catalogue) else {
                reportUnknown(path: catalogue, shownAs: shown, value: field.item.value, line: field.keyLocation.line)
                continue
            }
            checked.lines[key] = field.keyLocation.line
            switch check(field.item.value, against: key.rule) {
            case .success(let value):
                checked.values[key] = value
                checked.ordered.append((key, value))
            case .failure(let problem):
                checked.failed.insert(key)
                report(problem.code, shown + problem.suffix, problem.line ?? field.keyLocation.line, problem.message)
            }
        }
        return checked
    }

    // MARK: - Rules

    struct Problem: Error {
        var code: ConfigurationError.Code
        var message: String
        /// Added to the key in the error: `[1].cert` for one field of one certificate.
        var suffix = ""
        /// The line of the part that is wrong, when it is not the key's own line.
        var line: Int?
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
        case .choiceList(let names):
            guard case .array(let items) = value else { return wrongType("an array of strings") }
            if items.isEmpty {
                return .failure(Problem(code: .invalidValue, message: "the list is empty; expected \(rule.allowedDescription)"))
            }
            var chosen: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let name) = item.value else {
                    return .failure(Problem(
                        code: .wrongType, message: "expected a string, found \(item.value.typeDescription)\(shown(item.value))",
                        suffix: "[\(index)]", line: item.location.line))
                }
                guard names.contains(name) else {
                    return .failure(Problem(
                        code: .invalidValue, message: "\(TOMLRendering.brief(item.value)) is not one of: \(names.joined(separator: ", "))",
                        suffix: "[\(index)]", line: item.location.line))
                }
                if let first = chosen.firstIndex(of: name) {
                    return .failure(Problem(
                        code: .conflict, message: "\(TOMLRendering.brief(item.value)) is listed twice (first at [\(first)])",
                        suffix: "[\(index)]", line: item.location.line))
                }
                chosen.append(name)
            }
            return .success(.array(chosen.map(ConfigValue.string)))
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
        case .absolutePath:
            guard case .string(let path) = value else { return wrongType("a string") }
            if let problem = Self.absolutePathProblem(path) { return .failure(problem) }
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
        case .advertisedAddress:
            guard case .string(let text) = value else { return wrongType("a string \"host\" or \"host:port\"") }
            switch AdvertisedAddress.check(text) {
            case .success(let text):
                return .success(.string(text))
            case .failure(.portOutOfRange(let port)):
                return .failure(Problem(code: .outOfRange, message: "\(found): port \(port) is out of range 1...65535"))
            case .failure(.malformed(let why)):
                return .failure(Problem(code: .invalidValue, message: "\(found): \(why); expected \(rule.allowedDescription)"))
            }
        case .ipAddress:
            guard case .string(let text) = value else { return wrongType("a string") }
            if IPAddressLiteral.isIPv4(text[...]) || IPAddressLiteral.isIPv6(text[...]) { return .success(.string(text)) }
            let hint = text.hasPrefix("[") ? "; write an IPv6 address without brackets" : text.contains(":") && text.contains(".")
                ? "; no port here" : ""
            return .failure(Problem(code: .invalidValue, message: "\(found) is not an IPv4 or IPv6 address\(hint)"))
        case .domainName:
            guard case .string(let name) = value else { return wrongType("a string") }
            let valid = (1...253).contains(name.utf8.count) && name.utf8.allSatisfy {
                $0.isDigit || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20) || $0 == UInt8(ascii: ".")
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ":")
            }
            guard valid else {
                return .failure(Problem(code: .invalidValue, message: "\(found) is not \(rule.allowedDescription)"))
            }
            return .success(.string(name))
        case .name:
            guard case .string(let name) = value else { return wrongType("a string") }
            let valid = (1...ConfigValueRule.maximumNameLength).contains(name.utf8.count)
                && name.utf8.first.map { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) } == true
                && name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0.isDigit || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
            guard valid else {
                return .failure(Problem(code: .invalidValue, message: "\(found) is not a valid name: \(rule.allowedDescription)"))
            }
            return .success(.string(name))
        case .certificates:
            return checkCertificates(value)
        case .tlsPeers:
            return checkTLSPeers(value)
        }
    }

    static func absolutePathProblem(_ path: String) -> Problem? {
        if path.isEmpty { return Problem(code: .invalidValue, message: "the path is empty; expected an absolute path") }
        if !path.hasPrefix("/") {
            return Problem(code: .invalidValue, message: "\(TOMLRendering.basicString(path)) is not an absolute path")
        }
        if path.utf8.contains(0) {
            return Problem(code: .invalidValue, message: "\(TOMLRendering.basicString(path)) contains a NUL character")
        }
        return nil
    }

    /// `certificates = [{ cert = …, key = …, server_names = […] }, …]`: each certificate complete,
    /// its names valid, no name served twice, at most one fallback without names.
    private func checkCertificates(_ value: TOMLValue) -> Result<ConfigValue, Problem> {
        guard case .array(let items) = value else {
            return .failure(Problem(
                code: .wrongType,
                message: "expected an array of inline tables [{ cert = \"/path.pem\", key = \"/path.key\" }], found \(value.typeDescription)\(shown(value))"))
        }
        let fields = ["cert", "key", "server_names"]
        var certificates: [ConfigValue] = []
        var fallback: Int?
        var servedBy: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let at = "[\(index)]"
            let line = item.location.line
            guard case .table(let table) = item.value else {
                return .failure(Problem(
                    code: .wrongType, message: "expected an inline table { cert = …, key = … }, found \(item.value.typeDescription)\(shown(item.value))",
                    suffix: at, line: line))
            }
            var paths: [String: String] = [:]
            var names: [String] = []
            for field in table.entries {
                let fieldLine = field.keyLocation.line
                switch field.key {
                case "cert", "key":
                    guard case .string(let path) = field.item.value else {
                        return .failure(Problem(
                            code: .wrongType, message: "expected a string, found \(field.item.value.typeDescription)\(shown(field.item.value))",
                            suffix: "\(at).\(field.key)", line: fieldLine))
                    }
                    if var problem = Self.absolutePathProblem(path) {
                        problem.suffix = "\(at).\(field.key)"
                        problem.line = fieldLine
                        return .failure(problem)
                    }
                    paths[field.key] = path
                case "server_names":
                    guard case .array(let nameItems) = field.item.value else {
                        return .failure(Problem(
                            code: .wrongType, message: "expected an array of DNS names, found \(field.item.value.typeDescription)\(shown(field.item.value))",
                            suffix: "\(at).server_names", line: fieldLine))
                    }
                    for (nameIndex, nameItem) in nameItems.enumerated() {
                        let suffix = "\(at).server_names[\(nameIndex)]"
                        guard case .string(let name) = nameItem.value else {
                            return .failure(Problem(
                                code: .wrongType, message: "expected a string, found \(nameItem.value.typeDescription)\(shown(nameItem.value))",
                                suffix: suffix, line: nameItem.location.line))
                        }
                        if let why = DNSName.problem(name[...], allowWildcard: true) {
                            return .failure(Problem(code: .invalidValue, message: why, suffix: suffix, line: nameItem.location.line))
                        }
                        let lowered = name.lowercased()
                        if let other = servedBy[lowered] {
                            return .failure(Problem(
                                code: .conflict, message: "\(TOMLRendering.basicString(name)) is already served by certificates[\(other)]",
                                suffix: suffix, line: nameItem.location.line))
                        }
                        servedBy[lowered] = index
                        names.append(lowered)
                    }
                default:
                    let close = fields.min { ConfigKeySuggestion.distance(field.key, $0) < ConfigKeySuggestion.distance(field.key, $1) }
                    let hint = close.flatMap { ConfigKeySuggestion.distance(field.key, $0) <= 2 ? "did you mean \($0)? " : nil } ?? ""
                    return .failure(Problem(
                        code: .unknownKey, message: "unknown key; \(hint)(a certificate has cert, key, server_names)",
                        suffix: "\(at).\(field.key)", line: fieldLine))
                }
            }
            for required in ["cert", "key"] where paths[required] == nil {
                return .failure(Problem(
                    code: .missingKey, message: "every certificate needs \(required) = \"/absolute/path\" (PEM)",
                    suffix: "\(at).\(required)", line: line))
            }
            if names.isEmpty {
                if let fallback {
                    return .failure(Problem(
                        code: .conflict,
                        message: "only one certificate may leave out server_names (the fallback when SNI matches none); certificates[\(fallback)] already does",
                        suffix: "\(at).server_names", line: line))
                }
                fallback = index
            }
            certificates.append(PalisadeConfiguration.TLS.Certificate(cert: paths["cert"]!, key: paths["key"]!, serverNames: names).configValue)
        }
        return .success(.array(certificates))
    }

    /// `tls_peers = [{ host = …, verify = …, ca_bundle = … }, …]`: each with a host (a DNS name, an
    /// IP address or "*"), named once; verify one of the choices; ca_bundle an absolute path.
    private func checkTLSPeers(_ value: TOMLValue) -> Result<ConfigValue, Problem> {
        typealias Peer = PalisadeConfiguration.Realm.TLSPeer
        guard case .array(let items) = value else {
            return .failure(Problem(
                code: .wrongType,
                message: "expected an array of inline tables [{ host = \"pbx.example.net\", verify = \"chain-only\" }], found \(value.typeDescription)\(shown(value))"))
        }
        let fields = ["host", "verify", "ca_bundle"]
        let choices = Peer.Verify.allCases.map(\.rawValue)
        var peers: [ConfigValue] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let at = "[\(index)]"
            let line = item.location.line
            guard case .table(let table) = item.value else {
                return .failure(Problem(
                    code: .wrongType, message: "expected an inline table { host = …, verify = … }, found \(item.value.typeDescription)\(shown(item.value))",
                    suffix: at, line: line))
            }
            var host: String?
            var peer = Peer(host: "")
            for field in table.entries {
                let fieldLine = field.keyLocation.line
                guard fields.contains(field.key) else {
                    let close = fields.min { ConfigKeySuggestion.distance(field.key, $0) < ConfigKeySuggestion.distance(field.key, $1) }
                    let hint = close.flatMap { ConfigKeySuggestion.distance(field.key, $0) <= 2 ? "did you mean \($0)? " : nil } ?? ""
                    return .failure(Problem(
                        code: .unknownKey, message: "unknown key; \(hint)(a TLS peer has host, verify, ca_bundle)",
                        suffix: "\(at).\(field.key)", line: fieldLine))
                }
                guard case .string(let text) = field.item.value else {
                    return .failure(Problem(
                        code: .wrongType, message: "expected a string, found \(field.item.value.typeDescription)\(shown(field.item.value))",
                        suffix: "\(at).\(field.key)", line: fieldLine))
                }
                switch field.key {
                case "host":
                    let isAddress = IPAddressLiteral.isIPv4(text[...]) || IPAddressLiteral.isIPv6(text[...])
                    if text != "*", !isAddress, let why = DNSName.problem(text[...], allowWildcard: false) {
                        return .failure(Problem(code: .invalidValue, message: "\(why); expected a DNS name, an IP address or \"*\"",
                                                suffix: "\(at).host", line: fieldLine))
                    }
                    let lowered = text.lowercased()
                    if let other = seen[lowered] {
                        return .failure(Problem(
                            code: .conflict, message: "\(TOMLRendering.basicString(text)) is already set by tls_peers[\(other)]",
                            suffix: "\(at).host", line: fieldLine))
                    }
                    seen[lowered] = index
                    host = lowered
                case "verify":
                    guard let verify = Peer.Verify(rawValue: text) else {
                        return .failure(Problem(
                            code: .invalidValue, message: "\(TOMLRendering.basicString(text)) is not one of \(choices.joined(separator: ", "))",
                            suffix: "\(at).verify", line: fieldLine))
                    }
                    peer.verify = verify
                default:
                    if var problem = Self.absolutePathProblem(text) {
                        problem.suffix = "\(at).ca_bundle"
                        problem.line = fieldLine
                        return .failure(problem)
                    }
                    peer.caBundle = text
                }
            }
            guard let host else {
                return .failure(Problem(
                    code: .missingKey, message: "every TLS peer needs host = \"pbx.example.net\" (or \"*\" for the realm's default)",
                    suffix: "\(at).host", line: line))
            }
            peer.host = host
            peers.append(peer.configValue)
        }
        return .success(.array(peers))
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
    func shown(_ value: TOMLValue) -> String {
        switch value {
        case .string, .integer, .float, .boolean: " " + TOMLRendering.brief(value)
        case .array, .table: ""
        }
    }

    /// `path` is the catalogue path (`realm.listener.transprt`), `shownAs` the path with indices
    /// (`realm[0].listener[1].transprt`) that the error names.
    private mutating func reportUnknown(path: String, shownAs: String, value: TOMLValue, line: Int) {
        let isSection = !path.contains(".")
        // The key is already at the front of the error's description; only a table repeats itself in brackets.
        var message = value.isTable ? "unknown table [\(shownAs)]" : value.isArrayOfTables ? "unknown table [[\(shownAs)]]" : "unknown key"
        let parentPath = String(path[..<(path.lastIndex(of: ".") ?? path.startIndex)])
        let shownParent = String(shownAs[..<(shownAs.lastIndex(of: ".") ?? shownAs.startIndex)])
        if let suggestion = ConfigKeySuggestion.closest(to: path) {
            if let section = ConfigSection(rawValue: suggestion) {
                message += "; did you mean \(section.header)?"
            } else if let key = ConfigKey(rawValue: suggestion), key.section.rawValue == parentPath {
                // Same table: name the key as the error does, with its indices.
                message += "; did you mean \(shownParent).\(key.name)?"
            } else {
                message += "; did you mean \(suggestion)?"
            }
        } else if isSection {
            message += "; the sections are " + ConfigSection.allCases.filter { $0.parent == nil }.map(\.header).joined(separator: ", ")
        } else if let section = ConfigSection(rawValue: parentPath) {
            let contents = section.keys.map(\.name) + section.children.map(\.header)
            message += "; \(section.header) has " + contents.joined(separator: ", ")
        }
        report(.unknownKey, shownAs, line, message)
    }

    /// `registrar.mode = "relay"` needs `relay_realm` to name a realm with at least one target.
    private mutating func checkRelay(_ configuration: PalisadeConfiguration) {
        let registrar = configuration.registrar
        guard registrar.mode == .relay, !failed.contains(.registrarRelayRealm) else { return }
        let key = ConfigKey.registrarRelayRealm
        guard let realm = configuration.realms.first(where: { $0.name == registrar.relayRealm }) else {
            report(.invalidValue, key.rawValue, lines[key] ?? lines[.registrarMode],
                   "mode = \"relay\" sends REGISTER to the targets of realm \"\(registrar.relayRealm)\", and no realm "
                       + "has that name; realms here: \(configuration.realms.map(\.name).sorted().joined(separator: ", "))")
            return
        }
        if realm.targets.isEmpty {
            report(.invalidValue, key.rawValue, lines[key] ?? lines[.registrarMode],
                   "mode = \"relay\" sends REGISTER to the [[realm.target]] of realm \"\(realm.name)\", and it has none; "
                       + "add the core registrar there")
        }
    }

    mutating func report(_ code: ConfigurationError.Code, _ key: String, _ line: Int?, _ message: String) {
        errors.append(ConfigurationError(code: code, key: key, line: line, message: message, source: source))
    }
}

extension TOMLValue {
    var isTable: Bool {
        if case .table = self { true } else { false }
    }

    /// `[[name]]`, or an array of inline tables.
    var isArrayOfTables: Bool {
        if case .array(let items) = self { !items.isEmpty && items.allSatisfy(\.value.isTable) } else { false }
    }
}
