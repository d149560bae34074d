/// JSON written straight into a byte array, formatted exactly as JSONEncoder formats it (its
/// `JSONWriter` in swift-foundation), so the hand-written encoders of the hot messages produce the
/// same bytes: strings escape `"`, `\`, `/` and the C0 controls (`\b \f \n \r \t`, else `\u00xx`
/// in lowercase hex) and pass everything else through as UTF-8; integers in decimal; a Double as
/// its Swift `description` without a trailing ".0". Callers write keys in sorted order themselves.
struct JSONOutput {
    var bytes: [UInt8]
    /// Set when a Double was not finite: JSONEncoder refuses those, so the caller must not use
    /// this output (it falls back to JSONEncoder, which keeps today's behaviour).
    private(set) var refused = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// `{"key":` or `,"key":` — `key` is a literal of our own that needs no escaping.
    mutating func key(_ key: StaticString, first: Bool = false) {
        bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func close() { bytes.append(UInt8(ascii: "}")) }

    /// `[e,e,…]`, each element written by `element`.
    mutating func array<C: Collection>(_ items: C, _ element: (C.Element, inout JSONOutput) -> Void) {
        raw("[")
        for (i, item) in items.enumerated() {
            if i > 0 { raw(",") }
            element(item, &self)
        }
        raw("]")
    }

    /// `{"a":…,"b":…,"index":n}`: a stream of a session (spec or statistics), its legs written by `leg`.
    mutating func stream<Leg>(a: Leg, b: Leg, index: Int, _ leg: (Leg, inout JSONOutput) -> Void) {
        key("a", first: true)
        leg(a, &self)
        key("b")
        leg(b, &self)
        key("index")
        integer(index)
        close()
    }

    mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        var count = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        // Digits are found last first: make room, then fill from the right.
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var k = bytes.count - 1
        repeat {
            bytes[k] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            k -= 1
        } while magnitude != 0
    }

    mutating func double(_ value: Double) {
        guard value.isFinite else {
            refused = true
            return
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        // `utf8` is the string's own storage, read only inside the closure; runs between escapes
        // are copied whole.
        value.withUTF8 { utf8 in
            var mark = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x2F || byte == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<i]))
                mark = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x22, 0x2F, 0x5C: bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func optionalString(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
    }
}
