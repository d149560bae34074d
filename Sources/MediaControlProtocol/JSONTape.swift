/// A JSON document scanned once into a flat list of nodes (a "tape"), for the control messages on
/// the call path. Strict RFC 8259 JSON: the whole input is validated (grammar, escapes, UTF-8,
/// surrogate pairs) before any field is read, so a message is parsed exactly once.
///
/// Nodes are in document order; a container is followed by its children (an object's as key,
/// value, key, value…) and `next` is the index just past a node's subtree, so siblings are walked
/// by following `next`. The scanner is iterative: an open container keeps its parent's index in
/// `next` until it closes, so nesting costs no stack and no second array.
///
/// Where JSONDecoder is more lenient or stricter, the rule follows it (the differential tests in
/// HotCodecEquivalenceTests hold the two side by side): a leading UTF-8 byte-order mark is skipped,
/// nesting deeper than 512 containers is refused, an object's first occurrence of a key wins, and
/// numbers convert to integers the way JSONDecoder converts them.
///
/// JSONDecoder only checks the structure up front: a string's escapes and UTF-8, a number's grammar
/// and a trailing comma (`[1,]`, `{"a":1,}`) it tolerates wherever it does not read. Here they are
/// never accepted, but they are found with JSONDecoder's token boundaries and recorded as
/// `strictnessViolation` rather than thrown, so that the caller can still read the envelope's id
/// and refuse the message as JSONDecoder would have refused it had it read that token.
struct JSONTape {
    enum Kind: UInt8 { case object, array, string, number, `true`, `false`, null }

    struct Node {
        var kind: Kind
        /// Strings: `escaped` (holds a backslash) and `nonASCII`. Numbers: `integral` (no fraction or
        /// exponent). Both: `invalid` (not strict JSON; never read as a value).
        var flags: UInt8
        /// Strings: the bytes between the quotes. Numbers and literals: their bytes. Containers: the brackets.
        var start: UInt32
        var end: UInt32
        var next: UInt32
    }

    static let escaped: UInt8 = 1
    static let nonASCII: UInt8 = 2
    static let integral: UInt8 = 4
    static let invalid: UInt8 = 8

    /// Nesting JSONDecoder accepts (its scanner refuses a 513th level).
    static let maximumDepth = 512
    /// Far above any frame the control socket accepts (ControlFraming: 1 MiB by default).
    static let maximumBytes = 1 << 24

    /// Where and why the input is not JSON.
    struct SyntaxError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    let bytes: [UInt8]
    private(set) var nodes: [Node] = []
    /// The first place where the input is well-structured but not strict JSON (see above).
    private(set) var strictnessViolation: SyntaxError?

    var root: Int { 0 }

    init(scanning bytes: [UInt8]) throws(SyntaxError) {
        self.bytes = bytes
        guard bytes.count <= Self.maximumBytes else {
            throw SyntaxError(offset: 0, reason: "\(bytes.count) bytes exceed the maximum of \(Self.maximumBytes)")
        }
        nodes.reserveCapacity(bytes.count / 8 + 4)
        try scan()
    }

    // MARK: Scanning

    private enum Expect { case value, elementAfterComma, valueOrClose, keyOrClose, key, separatorOrClose }

    private mutating func scan() throws(SyntaxError) {
        let count = bytes.count
        var i = 0
        // RFC 8259 §8.1: a parser may ignore a byte-order mark; JSONDecoder does.
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var open = -1 // the innermost open container, or -1
        var depth = 0
        var expect = Expect.value

        while true {
            while i < count, Self.isWhitespace(bytes[i]) { i += 1 }
            guard i < count else {
                if open < 0 && expect == .separatorOrClose { return }
                throw SyntaxError(offset: i, reason: nodes.isEmpty ? "empty input" : "unexpected end of input")
            }
            let byte = bytes[i]
            switch expect {
            case .separatorOrClose:
                guard open >= 0 else { throw SyntaxError(offset: i, reason: "unexpected data after the value") }
                let isObject = nodes[open].kind == .object
                if byte == UInt8(ascii: ",") {
                    i += 1
                    expect = isObject ? .key : .elementAfterComma
                    continue
                }
                guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw SyntaxError(offset: i, reason: isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
                i += 1
                close(&open, &depth, at: i)
                continue
            case .keyOrClose, .key:
                if byte == UInt8(ascii: "}") {
                    if expect == .key { violation(i, "trailing comma") }
                    i += 1
                    close(&open, &depth, at: i)
                    expect = .separatorOrClose
                    continue
                }
                guard byte == UInt8(ascii: "\"") else { throw SyntaxError(offset: i, reason: "expected a key") }
                i = try scanString(from: i)
                while i < count, Self.isWhitespace(bytes[i]) { i += 1 }
                guard i < count, bytes[i] == UInt8(ascii: ":") else {
                    throw SyntaxError(offset: i, reason: "expected ':' after the key")
                }
                i += 1
                expect = .value
                continue
            case .valueOrClose, .elementAfterComma:
                if byte == UInt8(ascii: "]") {
                    if expect == .elementAfterComma { violation(i, "trailing comma") }
                    i += 1
                    close(&open, &depth, at: i)
                    expect = .separatorOrClose
                    continue
                }
            case .value:
                if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                    throw SyntaxError(offset: i, reason: "expected a value")
                }
            }
            // A value.
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                guard depth <= Self.maximumDepth else {
                    throw SyntaxError(offset: i, reason: "nested deeper than \(Self.maximumDepth) levels")
                }
                let isObject = byte == UInt8(ascii: "{")
                nodes.append(Node(kind: isObject ? .object : .array, flags: 0, start: UInt32(i), end: 0,
                                  next: UInt32(bitPattern: Int32(open))))
                open = nodes.count - 1
                i += 1
                expect = isObject ? .keyOrClose : .valueOrClose
                continue
            case UInt8(ascii: "\""):
                i = try scanString(from: i)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                i = try scanNumber(from: i)
            case UInt8(ascii: "t"):
                i = try scanLiteral("true", .true, from: i)
            case UInt8(ascii: "f"):
                i = try scanLiteral("false", .false, from: i)
            case UInt8(ascii: "n"):
                i = try scanLiteral("null", .null, from: i)
            default:
                throw SyntaxError(offset: i, reason: "expected a value")
            }
            expect = .separatorOrClose
        }
    }

    /// Ends the open container at `end` (just past its closing bracket) and reopens its parent.
    private mutating func close(_ open: inout Int, _ depth: inout Int, at end: Int) {
        let parent = Int(Int32(bitPattern: nodes[open].next))
        nodes[open].end = UInt32(end)
        nodes[open].next = UInt32(nodes.count)
        open = parent
        depth -= 1
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e")
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private mutating func scanLiteral(_ word: StaticString, _ kind: Kind, from start: Int) throws(SyntaxError) -> Int {
        let length = word.utf8CodeUnitCount
        guard start + length <= bytes.count else { throw SyntaxError(offset: start, reason: "expected a value") }
        for k in 0..<length where bytes[start + k] != word.utf8Start[k] {
            throw SyntaxError(offset: start + k, reason: "expected a value")
        }
        appendLeaf(kind, 0, start, start + length)
        return start + length
    }

    private mutating func appendLeaf(_ kind: Kind, _ flags: UInt8, _ start: Int, _ end: Int) {
        nodes.append(Node(kind: kind, flags: flags, start: UInt32(start), end: UInt32(end),
                          next: UInt32(nodes.count + 1)))
    }

    private mutating func violation(_ offset: Int, _ reason: String) {
        if strictnessViolation == nil { strictnessViolation = SyntaxError(offset: offset, reason: reason) }
    }

    /// A number token runs over `0-9 . e E + -` (JSONDecoder's boundary); its grammar, RFC 8259 §6
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, is checked here but a violation is
    /// only recorded.
    private mutating func scanNumber(from start: Int) throws(SyntaxError) -> Int {
        let count = bytes.count
        var end = start
        while end < count, Self.isNumberByte(bytes[end]) { end += 1 }
        var i = start
        func digits(_ i: inout Int) -> Int {
            let first = i
            while i < end, bytes[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            return i - first
        }
        var flags = Self.integral
        var valid = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        if i < end, bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits(&i) == 0 {
            valid = false
        }
        if valid, i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            flags = 0
            valid = digits(&i) > 0
        }
        if valid, i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            flags = 0
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            valid = digits(&i) > 0
        }
        if !valid || i != end {
            violation(start, "invalid number")
            flags = Self.invalid
        }
        appendLeaf(.number, flags, start, end)
        return end
    }

    /// Finds the end of a string the way JSONDecoder does (a backslash hides the byte after it, `\u`
    /// the four after that) and checks it (escapes, surrogate pairs, UTF-8, no raw control
    /// characters), recording a violation rather than throwing. Returns the index after the quote.
    private mutating func scanString(from quote: Int) throws(SyntaxError) -> Int {
        let count = bytes.count
        var i = quote + 1
        var flags: UInt8 = 0
        while true {
            guard i < count else { throw SyntaxError(offset: quote, reason: "unterminated string") }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                flags |= Self.escaped
                guard i + 1 < count else { throw SyntaxError(offset: quote, reason: "unterminated string") }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    // JSONDecoder's scanner takes the four bytes after `\u` as part of the escape and
                    // refuses a quote among them.
                    guard i + 6 <= count, !bytes[i + 2 ..< i + 6].contains(UInt8(ascii: "\"")) else {
                        throw SyntaxError(offset: i, reason: "truncated \\u escape")
                    }
                    let unit = hex4(at: i + 2)
                    i += 6
                    if let unit, unit & 0xFC00 == 0xD800, i + 6 <= count, bytes[i] == UInt8(ascii: "\\"),
                       bytes[i + 1] == UInt8(ascii: "u"), let low = hex4(at: i + 2), low & 0xFC00 == 0xDC00 {
                        i += 6
                    } else if unit == nil || unit! & 0xF800 == 0xD800 {
                        flags |= Self.invalid
                        violation(i - 6, unit == nil ? "invalid \\u escape" : "unpaired surrogate")
                    }
                default:
                    flags |= Self.invalid
                    violation(i, "invalid escape")
                    i += 2
                }
            } else if byte < 0x20 {
                flags |= Self.invalid
                violation(i, "control character in a string")
                i += 1
            } else if byte < 0x80 {
                i += 1
            } else {
                flags |= Self.nonASCII
                if let next = utf8Sequence(at: i) {
                    i = next
                } else {
                    flags |= Self.invalid
                    violation(i, "invalid UTF-8")
                    i += 1
                }
            }
        }
        appendLeaf(.string, flags, quote + 1, i)
        return i + 1
    }

    private func hex4(at start: Int) -> UInt32? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for k in start..<start + 4 {
            let byte = bytes[k]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Unicode §3.9 table 3-7: well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
    /// The index after the sequence, or nil.
    private func utf8Sequence(at start: Int) -> Int? {
        let lead = bytes[start]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard start + length <= bytes.count else { return nil }
        let second = bytes[start + 1]
        guard second >= low, second <= high else { return nil }
        for k in start + 2 ..< start + length where bytes[k] & 0xC0 != 0x80 { return nil }
        return start + length
    }

    // MARK: Reading

    func kind(_ node: Int) -> Kind { nodes[node].kind }

    /// The next sibling of `node` (or the end of its parent).
    func next(_ node: Int) -> Int { Int(nodes[node].next) }

    /// The value of the first member named `key` of the object `object`, like JSONDecoder: the
    /// first occurrence wins, and a key spelled with escapes or non-ASCII equivalents still matches.
    func member(_ object: Int, _ key: StaticString) -> Int? {
        let end = Int(nodes[object].next)
        var k = object + 1
        while k < end {
            if keyEquals(k, key) { return k + 1 }
            k = Int(nodes[k + 1].next)
        }
        return nil
    }

    private func keyEquals(_ node: Int, _ key: StaticString) -> Bool {
        let n = nodes[node]
        if n.flags & Self.invalid != 0 { return false }
        if n.flags != 0 { return string(node) == key.description }
        let length = Int(n.end - n.start)
        guard length == key.utf8CodeUnitCount else { return false }
        let start = Int(n.start)
        for k in 0..<length where bytes[start + k] != key.utf8Start[k] { return false }
        return true
    }

    /// The first member's key node; the next member's key is `next(key + 1)`, up to `next(object)`.
    func firstKey(_ object: Int) -> Int { object + 1 }

    /// The decoded text of a string node (validated by the scan, so decoding cannot fail).
    func string(_ node: Int) -> String {
        let n = nodes[node]
        let start = Int(n.start), end = Int(n.end)
        guard n.flags & Self.escaped != 0 else {
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var i = start
        while i < end {
            let byte = bytes[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            let escape = bytes[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(at: i) ?? 0xFFFD
                i += 4
                if scalar & 0xFC00 == 0xD800 {
                    // A pair (the scan checked it in a valid string; an invalid one reads as U+FFFD).
                    if let low = hex4(at: i + 2), low & 0xFC00 == 0xDC00 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                }
                out.append(contentsOf: (Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
            default: out.append(escape) // `"`, `\`, `/`
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a number node.
    func numberText(_ node: Int) -> ArraySlice<UInt8> {
        bytes[Int(nodes[node].start)..<Int(nodes[node].end)]
    }

    func isIntegral(_ node: Int) -> Bool { nodes[node].flags & Self.integral != 0 }

    /// A string or number that is not strict JSON (it must not be read as a value).
    func isInvalid(_ node: Int) -> Bool { nodes[node].flags & Self.invalid != 0 }
}
