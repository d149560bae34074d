/// Typed reads from a `JSONTape`, with the conversions JSONDecoder applies (so that the hand-written
/// decoders of the hot messages accept and refuse what the Codable conformances do).
extension JSONTape {
    /// A field that is missing, null where a value is required, of the wrong type, or out of range.
    struct FieldError: Error, CustomStringConvertible {
        /// Outermost first.
        var path: [String]
        var problem: String
        var missing = false

        init(_ problem: String) { self.path = []; self.problem = problem }

        static func missing(_ key: StaticString) -> FieldError {
            var error = FieldError("missing")
            error.path = [key.description]
            error.missing = true
            return error
        }

        /// The same error one level further out.
        func at(_ component: String) -> FieldError {
            var error = self
            error.path.insert(component, at: 0)
            return error
        }

        var description: String {
            let field = path.joined(separator: ".")
            return missing ? "missing field '\(field)'" : path.isEmpty ? problem : "field '\(field)': \(problem)"
        }
    }

    // MARK: Members

    /// The member's value node; a missing member or a null is an error (JSONDecoder's `decode`).
    func required(_ object: Int, _ key: StaticString) throws(FieldError) -> Int {
        guard let value = member(object, key) else { throw .missing(key) }
        guard kind(value) != .null else { throw FieldError("null where a value is required").at(key.description) }
        return value
    }

    /// The member's value node, nil when missing or null (JSONDecoder's `decodeIfPresent`).
    func optional(_ object: Int, _ key: StaticString) -> Int? {
        guard let value = member(object, key), kind(value) != .null else { return nil }
        return value
    }

    /// Runs `read` on a member, adding the key to the path of its error.
    func field<T>(_ object: Int, _ key: StaticString, _ read: (Int) throws(FieldError) -> T) throws(FieldError) -> T {
        let value = try required(object, key)
        do { return try read(value) } catch { throw error.at(key.description) }
    }

    func optionalField<T>(_ object: Int, _ key: StaticString,
                          _ read: (Int) throws(FieldError) -> T) throws(FieldError) -> T? {
        guard let value = optional(object, key) else { return nil }
        do { return try read(value) } catch { throw error.at(key.description) }
    }

    // The common fields, spelled out so that no closure is formed per read.

    func stringField(_ object: Int, _ key: StaticString) throws(FieldError) -> String {
        let value = try required(object, key)
        do { return try string(value: value) } catch { throw error.at(key.description) }
    }

    func optionalStringField(_ object: Int, _ key: StaticString) throws(FieldError) -> String? {
        guard let value = optional(object, key) else { return nil }
        do { return try string(value: value) } catch { throw error.at(key.description) }
    }

    func boolField(_ object: Int, _ key: StaticString) throws(FieldError) -> Bool {
        let value = try required(object, key)
        do { return try bool(value) } catch { throw error.at(key.description) }
    }

    func doubleField(_ object: Int, _ key: StaticString) throws(FieldError) -> Double {
        let value = try required(object, key)
        do { return try double(value) } catch { throw error.at(key.description) }
    }

    func optionalDoubleField(_ object: Int, _ key: StaticString) throws(FieldError) -> Double? {
        guard let value = optional(object, key) else { return nil }
        do { return try double(value) } catch { throw error.at(key.description) }
    }

    func integerField<T: FixedWidthInteger>(_ object: Int, _ key: StaticString, as _: T.Type = T.self) throws(FieldError) -> T {
        let value = try required(object, key)
        do { return try integer(value, as: T.self) } catch { throw error.at(key.description) }
    }

    func array<T>(_ node: Int, _ read: (Int) throws(FieldError) -> T) throws(FieldError) -> [T] {
        guard kind(node) == .array else { throw mismatch("an array", node) }
        var result: [T] = []
        var index = 0
        var element = node + 1
        let end = next(node)
        while element < end {
            do { result.append(try read(element)) } catch { throw error.at(String(index)) }
            index += 1
            element = next(element)
        }
        return result
    }

    func object(_ node: Int) throws(FieldError) -> Int {
        guard kind(node) == .object else { throw mismatch("an object", node) }
        return node
    }

    // MARK: Scalars

    func string(value node: Int) throws(FieldError) -> String {
        guard kind(node) == .string else { throw mismatch("a string", node) }
        guard !isInvalid(node) else { throw FieldError("not strict JSON") }
        return string(node)
    }

    func bool(_ node: Int) throws(FieldError) -> Bool {
        switch kind(node) {
        case .true: return true
        case .false: return false
        default: throw mismatch("a boolean", node)
        }
    }

    func enumeration<E: RawRepresentable>(_ node: Int, _: E.Type) throws(FieldError) -> E where E.RawValue == String {
        let text = try string(value: node)
        guard let value = E(rawValue: text) else {
            throw FieldError("Cannot initialize \(E.self) from invalid String value \(text)")
        }
        return value
    }

    func mismatch(_ expected: String, _ node: Int) -> FieldError {
        FieldError(kind(node) == .null ? "null where a value is required" : "expected \(expected), found \(kind(node))")
    }

    /// JSONDecoder's integer rule: an integer literal converts exactly; a number with a fraction or
    /// an exponent converts through Double when it is integral and below 2^53 in magnitude, and above
    /// that through its decimal digits, the fraction truncated.
    func integer<T: FixedWidthInteger>(_ node: Int, as _: T.Type = T.self) throws(FieldError) -> T {
        guard kind(node) == .number else { throw mismatch("a number", node) }
        guard !isInvalid(node) else { throw FieldError("not strict JSON") }
        let text = numberText(node)
        func outOfRange() -> FieldError {
            FieldError("number \(String(decoding: text, as: UTF8.self)) does not fit in \(T.self)")
        }
        if isIntegral(node) {
            let negative = text.first == UInt8(ascii: "-")
            guard let magnitude = Self.digitsValue(text.dropFirst(negative ? 1 : 0)),
                  let value = Self.signed(magnitude, negative: negative, as: T.self) else { throw outOfRange() }
            return value
        }
        let parsed = Self.parseDouble(text)
        guard parsed.value.isFinite, let value = T(exactly: parsed.value) else { throw outOfRange() }
        if parsed.value.magnitude < 9_007_199_254_740_992 { return value }
        guard let truncated = Self.truncatedDecimal(text, as: T.self) else { throw outOfRange() }
        return truncated
    }

    /// JSONDecoder's Double rule: correctly rounded; infinity, and an underflow of non-zero digits to
    /// zero, are refused.
    func double(_ node: Int) throws(FieldError) -> Double {
        guard kind(node) == .number else { throw mismatch("a number", node) }
        guard !isInvalid(node) else { throw FieldError("not strict JSON") }
        let text = numberText(node)
        let parsed = Self.parseDouble(text)
        guard parsed.value.isFinite, parsed.value != 0 || !parsed.nonZeroDigits else {
            throw FieldError("number \(String(decoding: text, as: UTF8.self)) does not fit in Double")
        }
        return parsed.value
    }

    // MARK: Number conversion

    /// Decimal digits as a UInt64, nil on overflow.
    private static func digitsValue(_ digits: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in digits {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }

    private static func signed<T: FixedWidthInteger>(_ magnitude: UInt64, negative: Bool, as _: T.Type) -> T? {
        guard negative else { return T(exactly: magnitude) }
        if magnitude == 0 { return 0 }
        guard T.isSigned else { return nil }
        if let positive = T(exactly: magnitude) { return 0 - positive }
        // T.min has no positive counterpart.
        return magnitude == T.min.magnitude ? T.min : nil
    }

    /// The integer part of a number with a fraction or exponent, as JSONDecoder's Decimal path
    /// finds it for magnitudes of 2^53 and above: the digits without trailing zeros must fit in
    /// 64 bits, then the exponent applies, a fraction truncated.
    private static func truncatedDecimal<T: FixedWidthInteger>(_ text: ArraySlice<UInt8>, as _: T.Type) -> T? {
        var i = text.startIndex
        let negative = text[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var digits: [UInt8] = []
        var scale = 0
        var inFraction = false
        while i < text.endIndex, text[i] | 0x20 != UInt8(ascii: "e") {
            if text[i] == UInt8(ascii: ".") {
                inFraction = true
            } else {
                digits.append(text[i])
                if inFraction { scale -= 1 }
            }
            i += 1
        }
        if i < text.endIndex { scale += exponent(text[(i + 1)...]) }
        while digits.count > 1, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            scale += 1
        }
        guard var magnitude = digitsValue(digits[...]) else { return nil }
        if scale < 0 {
            for _ in 0..<min(-scale, 40) { magnitude /= 10 }
        } else {
            for _ in 0..<scale {
                let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                magnitude = times10
            }
        }
        return signed(magnitude, negative: negative, as: T.self)
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]

    /// A JSON number as the nearest Double. Clinger's fast path (an exact mantissa below 2^53 times
    /// or divided by an exact power of ten ≤ 10^22 is correctly rounded by one IEEE operation)
    /// covers what the encoder writes; anything else goes to the standard library's parser.
    /// The exponent after a number's `e`/`E` (already validated: an optional sign, then digits),
    /// clamped to ±100,000.
    private static func exponent(_ text: ArraySlice<UInt8>) -> Int {
        var i = text.startIndex
        var negative = false
        if text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") {
            negative = text[i] == UInt8(ascii: "-")
            i += 1
        }
        var value = 0
        while i < text.endIndex {
            value = min(value * 10 + Int(text[i] &- UInt8(ascii: "0")), 100_000)
            i += 1
        }
        return negative ? -value : value
    }

    static func parseDouble(_ text: ArraySlice<UInt8>) -> (value: Double, nonZeroDigits: Bool) {
        var i = text.startIndex
        let negative = text[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var scale = 0
        var inexact = false
        var inFraction = false
        while i < text.endIndex, text[i] | 0x20 != UInt8(ascii: "e") {
            let byte = text[i]
            i += 1
            if byte == UInt8(ascii: ".") {
                inFraction = true
                continue
            }
            let digit = UInt64(byte &- UInt8(ascii: "0"))
            if mantissa == 0 && digit == 0 {
                if inFraction { scale -= 1 }
            } else if significant < 19 {
                mantissa = mantissa * 10 + digit
                significant += 1
                if inFraction { scale -= 1 }
            } else {
                inexact = true
                if !inFraction { scale += 1 }
            }
        }
        if i < text.endIndex { scale += exponent(text[(i + 1)...]) }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, false) }
        if !inexact, mantissa <= 1 << 53, scale >= -22, scale <= 22 {
            var value = Double(mantissa)
            value = scale >= 0 ? value * powersOfTen[scale] : value / powersOfTen[-scale]
            return (negative ? -value : value, true)
        }
        return (Double(String(decoding: text, as: UTF8.self)) ?? .nan, true)
    }
}
