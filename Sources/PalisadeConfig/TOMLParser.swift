/// A hand-written recursive-descent parser for TOML 1.0 over the UTF-8 bytes of the input.
///
/// The input is a Swift `String`, so it is already valid UTF-8; the parser only ever splits it at
/// ASCII bytes, and decodes string contents back from the bytes between them.
struct TOMLParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// How many arrays and inline tables enclose the value being read.
    private var depth = 0

    /// Deeper nesting is refused rather than risking the stack on a hostile or broken file.
    static let maximumDepth = 100

    init(_ text: String) {
        bytes = Array(text.utf8)
        // Editors on some systems start files with a UTF-8 byte order mark; it is not content.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            lineStart = 3
        }
    }

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        let root = TOMLTableBuilder(origin: .header, location: TOMLLocation(line: 1, column: 1), path: [])
        var current = root
        while true {
            skipWhitespace()
            guard let byte = peek() else { break }
            switch byte {
            case .hash, .newline, .carriageReturn:
                break
            case .openBracket:
                current = try parseHeader(root: root)
            default:
                try parseKeyValue(into: current)
            }
            try expectEndOfLine()
        }
        return root.freeze()
    }

    // MARK: - Lines, tables and key/value pairs

    /// After a header or a key/value pair only whitespace and a comment may follow on the line.
    private mutating func expectEndOfLine() throws(TOMLError) {
        skipWhitespace()
        if peek() == .hash { try skipComment() }
        guard let byte = peek() else { return }
        if byte == .newline || byte == .carriageReturn {
            try consumeNewline()
            return
        }
        throw syntax("expected the end of the line, found \(describe(byte))")
    }

    /// `[a.b]` or `[[a.b]]`; returns the table that following key/value pairs go into.
    private mutating func parseHeader(root: TOMLTableBuilder) throws(TOMLError) -> TOMLTableBuilder {
        let start = location()
        advance()
        let isArray = peek() == .openBracket
        if isArray { advance() }
        skipWhitespace()
        let key = try parseKey()
        skipWhitespace()
        guard peek() == .closeBracket else {
            throw syntax("expected ']' to close the table header, found \(describePeek())")
        }
        advance()
        if isArray {
            guard peek() == .closeBracket else {
                throw syntax("expected ']]' to close the array-of-tables header, found \(describePeek())")
            }
            advance()
        }
        return isArray
            ? try root.appendArrayElement(at: key, location: start)
            : try root.defineTable(at: key, location: start)
    }

    private mutating func parseKeyValue(into table: TOMLTableBuilder) throws(TOMLError) {
        let key = try parseKey()
        skipWhitespace()
        guard peek() == .equals else {
            throw syntax("expected '=' after the key \(TOMLKeyPath.render(key)), found \(describePeek())")
        }
        advance()
        skipWhitespace()
        let item = try parseValue(path: table.path + key.map(\.name))
        try table.insert(item, at: key)
    }

    /// A simple or dotted key: `a`, `"quoted key"`, `'literal'`, `a . "b" . c`.
    private mutating func parseKey() throws(TOMLError) -> [TOMLKeyPath.Component] {
        var components = [try parseSimpleKey()]
        while true {
            let save = (index, line, lineStart)
            skipWhitespace()
            guard peek() == .dot else {
                (index, line, lineStart) = save
                return components
            }
            advance()
            skipWhitespace()
            components.append(try parseSimpleKey())
        }
    }

    private mutating func parseSimpleKey() throws(TOMLError) -> TOMLKeyPath.Component {
        let start = location()
        switch peek() {
        case .quote:
            if peek(offset: 1) == .quote && peek(offset: 2) == .quote {
                throw syntax("a multi-line string cannot be a key")
            }
            return .init(name: try parseBasicString(), location: start)
        case .apostrophe:
            if peek(offset: 1) == .apostrophe && peek(offset: 2) == .apostrophe {
                throw syntax("a multi-line string cannot be a key")
            }
            return .init(name: try parseLiteralString(), location: start)
        case let byte? where byte.isBareKeyByte:
            let from = index
            while let byte = peek(), byte.isBareKeyByte { advance() }
            return .init(name: String(decoding: bytes[from..<index], as: UTF8.self), location: start)
        default:
            throw syntax("expected a key (letters, digits, '_', '-' or a quoted string), found \(describePeek())")
        }
    }

    // MARK: - Values

    /// `path` is the dotted key the value is assigned to, for messages about inline tables in it.
    private mutating func parseValue(path: [String]) throws(TOMLError) -> TOMLItem {
        let start = location()
        let value: TOMLValue
        switch peek() {
        case .quote:
            if peek(offset: 1) == .quote && peek(offset: 2) == .quote {
                value = .string(try parseMultiLineBasicString())
            } else {
                value = .string(try parseBasicString())
            }
        case .apostrophe:
            if peek(offset: 1) == .apostrophe && peek(offset: 2) == .apostrophe {
                value = .string(try parseMultiLineLiteralString())
            } else {
                value = .string(try parseLiteralString())
            }
        case .openBracket, .openBrace:
            guard depth < Self.maximumDepth else {
                throw syntax("arrays and inline tables are nested more than \(Self.maximumDepth) deep")
            }
            depth += 1
            defer { depth -= 1 }
            value = peek() == .openBracket ? try parseArray(path: path) : try parseInlineTable(path: path)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            value = try parseBoolean()
        case let byte? where byte.isDigit || byte == .plus || byte == .minus
            || byte == UInt8(ascii: "i") || byte == UInt8(ascii: "n"):
            value = try parseNumberOrDate()
        default:
            throw syntax("expected a value (string, number, boolean, array or inline table), found \(describePeek())")
        }
        return TOMLItem(value: value, location: start)
    }

    private mutating func parseBoolean() throws(TOMLError) -> TOMLValue {
        for (word, result) in [("true", true), ("false", false)] where matches(word) {
            if !(peek(offset: word.utf8.count)?.isBareKeyByte ?? false) {
                index += word.utf8.count
                return .boolean(result)
            }
        }
        throw syntax("expected a value; booleans are lowercase 'true' or 'false'")
    }

    private mutating func parseArray(path: [String]) throws(TOMLError) -> TOMLValue {
        let start = location()
        advance()
        var items: [TOMLItem] = []
        while true {
            try skipWhitespaceNewlinesAndComments()
            if peek() == .closeBracket { advance(); break }
            guard peek() != nil else {
                throw TOMLError(kind: .syntax, location: start, message: "unterminated array: missing ']'")
            }
            items.append(try parseValue(path: path))
            try skipWhitespaceNewlinesAndComments()
            switch peek() {
            case .comma:
                advance()
            case .closeBracket:
                advance()
                return .array(items)
            case nil:
                throw TOMLError(kind: .syntax, location: start, message: "unterminated array: missing ']'")
            default:
                throw syntax("expected ',' or ']' in the array opened at line \(start.line), found \(describePeek())")
            }
        }
        return .array(items)
    }

    /// TOML 1.0 §Inline Table: on one line, no trailing comma, and closed to later additions.
    private mutating func parseInlineTable(path: [String]) throws(TOMLError) -> TOMLValue {
        let start = location()
        advance()
        let table = TOMLTableBuilder(origin: .inline, location: start, path: path)
        skipWhitespace()
        if peek() == .closeBrace {
            advance()
            return .table(table.freeze())
        }
        while true {
            skipWhitespace()
            if peek() == .closeBrace {
                throw syntax("a trailing comma is not allowed in an inline table")
            }
            if peek() == .newline || peek() == .carriageReturn || peek() == nil {
                throw syntax("unterminated inline table opened at column \(start.column): inline tables must close with '}' on the same line")
            }
            try parseKeyValue(into: table)
            skipWhitespace()
            switch peek() {
            case .comma:
                advance()
            case .closeBrace:
                advance()
                return .table(table.freeze())
            case .newline, .carriageReturn, nil:
                throw TOMLError(
                    kind: .syntax, location: location(),
                    message: "unterminated inline table opened at column \(start.column): inline tables must close with '}' on the same line")
            default:
                throw syntax("expected ',' or '}' in the inline table, found \(describePeek())")
            }
        }
    }

    // MARK: - Numbers

    private mutating func parseNumberOrDate() throws(TOMLError) -> TOMLValue {
        let start = location()
        let from = index
        while let byte = peek(), byte.isBareKeyByte || byte == .plus || byte == .dot || byte == .colon {
            advance()
        }
        let token = String(decoding: bytes[from..<index], as: UTF8.self)
        if token.looksLikeDateOrTime {
            throw TOMLError(
                kind: .unsupported, location: start,
                message: "date and time values are not supported (found \(token)); write the value as a string")
        }
        guard let value = TOMLNumber.parse(token) else {
            throw TOMLError(kind: .syntax, location: start, message: TOMLNumber.problem(token))
        }
        return value
    }

    // MARK: - Strings

    private mutating func parseBasicString() throws(TOMLError) -> String {
        let start = location()
        advance()
        var out: [UInt8] = []
        while true {
            guard let byte = peek(), byte != .newline, byte != .carriageReturn else {
                throw TOMLError(kind: .syntax, location: start, message: "unterminated string: missing closing '\"' on this line")
            }
            switch byte {
            case .quote:
                advance()
                return String(decoding: out, as: UTF8.self)
            case .backslash:
                try parseEscape(into: &out, multiLine: false)
            default:
                try checkAllowedInString(byte)
                out.append(byte)
                advance()
            }
        }
    }

    private mutating func parseMultiLineBasicString() throws(TOMLError) -> String {
        let start = location()
        index += 3
        try skipNewlineAfterOpeningDelimiter()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw TOMLError(kind: .syntax, location: start, message: "unterminated multi-line string: missing closing '\"\"\"'")
            }
            switch byte {
            case .quote:
                if try closeMultiLine(delimiter: .quote, into: &out) { return String(decoding: out, as: UTF8.self) }
            case .backslash:
                try parseEscape(into: &out, multiLine: true)
            case .newline, .carriageReturn:
                try consumeNewline()
                out.append(.newline)
            default:
                try checkAllowedInString(byte)
                out.append(byte)
                advance()
            }
        }
    }

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        let start = location()
        advance()
        let from = index
        while true {
            guard let byte = peek(), byte != .newline, byte != .carriageReturn else {
                throw TOMLError(kind: .syntax, location: start, message: "unterminated literal string: missing closing \"'\" on this line")
            }
            if byte == .apostrophe {
                let text = String(decoding: bytes[from..<index], as: UTF8.self)
                advance()
                return text
            }
            try checkAllowedInString(byte)
            advance()
        }
    }

    private mutating func parseMultiLineLiteralString() throws(TOMLError) -> String {
        let start = location()
        index += 3
        try skipNewlineAfterOpeningDelimiter()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw TOMLError(kind: .syntax, location: start, message: "unterminated multi-line literal string: missing closing \"'''\"")
            }
            switch byte {
            case .apostrophe:
                if try closeMultiLine(delimiter: .apostrophe, into: &out) { return String(decoding: out, as: UTF8.self) }
            case .newline, .carriageReturn:
                try consumeNewline()
                out.append(.newline)
            default:
                try checkAllowedInString(byte)
                out.append(byte)
                advance()
            }
        }
    }

    /// TOML 1.0: "A newline immediately following the opening delimiter will be trimmed."
    private mutating func skipNewlineAfterOpeningDelimiter() throws(TOMLError) {
        if peek() == .newline || peek() == .carriageReturn { try consumeNewline() }
    }

    /// At a run of delimiter quotes inside a multi-line string. Up to two quotes may sit right
    /// before the closing three (`""""` ends with one quote of content), so a run of n ≥ 3 closes
    /// the string after n − 3 (at most 2) content quotes; a shorter run is content.
    private mutating func closeMultiLine(delimiter: UInt8, into out: inout [UInt8]) throws(TOMLError) -> Bool {
        var run = 0
        while peek(offset: run) == delimiter { run += 1 }
        if run < 3 {
            out.append(contentsOf: repeatElement(delimiter, count: run))
            index += run
            return false
        }
        if run > 5 {
            index += 5
            throw syntax("too many quotes: at most two may precede the closing delimiter")
        }
        out.append(contentsOf: repeatElement(delimiter, count: run - 3))
        index += run
        return true
    }

    /// TOML 1.0 §String escapes; in a multi-line basic string a backslash at the end of a line
    /// also swallows the newline and all whitespace and newlines after it.
    private mutating func parseEscape(into out: inout [UInt8], multiLine: Bool) throws(TOMLError) {
        let escapeStart = location()
        advance()
        guard let byte = peek() else { throw syntax("unterminated escape sequence") }
        let simple: UInt8? = switch byte {
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "r"): 0x0D
        case .quote: .quote
        case .backslash: .backslash
        default: nil
        }
        if let simple {
            out.append(simple)
            advance()
            return
        }
        if byte == UInt8(ascii: "u") || byte == UInt8(ascii: "U") {
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            advance()
            var code: UInt32 = 0
            for _ in 0..<count {
                guard let digit = peek()?.hexValue else {
                    throw TOMLError(
                        kind: .syntax, location: escapeStart,
                        message: "invalid escape: \\\(Character(Unicode.Scalar(byte))) needs exactly \(count) hexadecimal digits")
                }
                code = code << 4 | UInt32(digit)
                advance()
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw TOMLError(
                    kind: .syntax, location: escapeStart,
                    message: "invalid escape: U+\(String(code, radix: 16, uppercase: true)) is not a Unicode scalar value")
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            return
        }
        if multiLine && (byte == .space || byte == .tab || byte == .newline || byte == .carriageReturn) {
            // Line-ending backslash: only whitespace may stand between it and the newline.
            while peek() == .space || peek() == .tab { advance() }
            guard peek() == .newline || peek() == .carriageReturn else {
                throw TOMLError(kind: .syntax, location: escapeStart, message: "invalid escape: a backslash followed by spaces must end the line")
            }
            while let next = peek() {
                if next == .space || next == .tab {
                    advance()
                } else if next == .newline || next == .carriageReturn {
                    try consumeNewline()
                } else {
                    break
                }
            }
            return
        }
        throw TOMLError(
            kind: .syntax, location: escapeStart,
            message: "invalid escape sequence \\\(describeRaw(byte)); allowed are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX")
    }

    /// TOML 1.0: control characters other than tab must be escaped.
    private func checkAllowedInString(_ byte: UInt8) throws(TOMLError) {
        if byte.isControl { throw syntax("control character \(describe(byte)) must be escaped in a string") }
    }

    // MARK: - Whitespace, comments, newlines

    private mutating func skipWhitespace() {
        while peek() == .space || peek() == .tab { advance() }
    }

    private mutating func skipComment() throws(TOMLError) {
        advance()
        while let byte = peek(), byte != .newline {
            if byte == .carriageReturn && peek(offset: 1) == .newline { return }
            if byte.isControl { throw syntax("control character \(describe(byte)) is not allowed in a comment") }
            advance()
        }
    }

    private mutating func skipWhitespaceNewlinesAndComments() throws(TOMLError) {
        while let byte = peek() {
            switch byte {
            case .space, .tab: advance()
            case .newline, .carriageReturn: try consumeNewline()
            case .hash: try skipComment()
            default: return
            }
        }
    }

    /// LF or CRLF; a lone CR is not a newline in TOML.
    private mutating func consumeNewline() throws(TOMLError) {
        if peek() == .carriageReturn {
            guard peek(offset: 1) == .newline else { throw syntax("a carriage return must be followed by a line feed") }
            index += 1
        }
        index += 1
        line += 1
        lineStart = index
    }

    // MARK: - Bytes and positions

    private func peek(offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance() { index += 1 }

    private func matches(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        return index + utf8.count <= bytes.count && bytes[index..<index + utf8.count].elementsEqual(utf8)
    }

    private func location() -> TOMLLocation {
        let scalars = bytes[lineStart..<min(index, bytes.count)].lazy.filter { $0 & 0xC0 != 0x80 }.count
        return TOMLLocation(line: line, column: scalars + 1)
    }

    private func syntax(_ message: String) -> TOMLError {
        TOMLError(kind: .syntax, location: location(), message: message)
    }

    private func describePeek() -> String {
        guard let byte = peek() else { return "the end of the file" }
        return describe(byte)
    }

    private func describe(_ byte: UInt8) -> String {
        switch byte {
        case .newline, .carriageReturn: "the end of the line"
        default: "'\(describeRaw(byte))'"
        }
    }

    /// The character starting at the current position (whole, if it is multi-byte) or a hex code.
    private func describeRaw(_ byte: UInt8) -> String {
        if byte.isControl { return "U+" + String(byte, radix: 16, uppercase: true) }
        if byte < 0x80 { return String(Character(Unicode.Scalar(byte))) }
        var end = index + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }
}

extension UInt8 {
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let apostrophe = UInt8(ascii: "'")
    static let hash = UInt8(ascii: "#")
    static let plus = UInt8(ascii: "+")
    static let comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")
    static let openBracket = UInt8(ascii: "[")
    static let backslash = UInt8(ascii: "\\")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")

    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    /// TOML 1.0 §Keys: bare keys are ASCII letters, digits, underscores and dashes.
    var isBareKeyByte: Bool {
        isDigit || (self | 0x20 >= UInt8(ascii: "a") && self | 0x20 <= UInt8(ascii: "z"))
            || self == UInt8(ascii: "_") || self == .minus
    }

    /// Control characters other than tab (U+0000–U+0008, U+000A–U+001F, U+007F).
    var isControl: Bool { (self < 0x20 && self != .tab) || self == 0x7F }

    var hexValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    /// `1979-05-27…` or `07:32:00…`: the start of a TOML date, date-time or time.
    var looksLikeDateOrTime: Bool {
        let utf8 = Array(self.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.upperBound <= utf8.count && utf8[range].allSatisfy(\.isDigit) }
        if digits(0..<4) && utf8.count > 4 && utf8[4] == .minus { return true }
        if digits(0..<2) && utf8.count > 2 && utf8[2] == .colon { return true }
        return false
    }
}
