/// TOML 1.0 §Integer and §Float, checked by hand: Swift's own number parsing accepts forms TOML
/// forbids (leading zeros, `0x` with a sign, `.5`, `1.`) and knows nothing of `_` separators.
enum TOMLNumber {
    /// The value of `token`, or nil when it is not a TOML integer or float.
    static func parse(_ token: String) -> TOMLValue? {
        var body = Substring(token)
        var negative = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            body = body.dropFirst()
        }
        switch body {
        case "inf": return .float(negative ? -.infinity : .infinity)
        case "nan": return .float(negative ? -.nan : .nan)
        default: break
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            // A sign is not allowed on prefixed integers.
            guard body.count == token.count, let digits = separated(body.dropFirst(2), radix: radix) else { return nil }
            // Read as unsigned so that 0xFFFF_FFFF_FFFF_FFFF is rejected as out of range, not as garbage.
            guard let magnitude = UInt64(digits, radix: radix), magnitude <= UInt64(Int64.max) else { return nil }
            return .integer(Int64(magnitude))
        }
        let exponentSplit = body.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "E", maxSplits: 1, omittingEmptySubsequences: false) }
        guard exponentSplit.count <= 2 else { return nil }
        let mantissa = exponentSplit[0]
        let mantissaParts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integerPart = separated(mantissaParts[0], radix: 10) else { return nil }
        // TOML 1.0: "Leading zeros are not allowed" (in integers and in the integer part of floats).
        guard integerPart == "0" || !integerPart.hasPrefix("0") else { return nil }
        var text = (negative ? "-" : "") + integerPart
        var isFloat = false
        if mantissaParts.count == 2 {
            guard let fraction = separated(mantissaParts[1], radix: 10) else { return nil }
            text += "." + fraction
            isFloat = true
        }
        if exponentSplit.count == 2 {
            var exponent = exponentSplit[1]
            var sign = ""
            if let first = exponent.first, first == "+" || first == "-" {
                sign = String(first)
                exponent = exponent.dropFirst()
            }
            guard let digits = separated(exponent, radix: 10) else { return nil }
            text += "e" + sign + digits
            isFloat = true
        }
        if isFloat {
            guard let double = Double(text) else { return nil }
            return .float(double)
        }
        guard let integer = Int64(text) else { return nil }
        return .integer(integer)
    }

    /// Why `token` was rejected, for the error message.
    static func problem(_ token: String) -> String {
        let body = token.drop { $0 == "+" || $0 == "-" }
        guard let first = body.first, first.isASCII, first.isNumber else {
            return "expected a value (string, number, boolean, array or inline table), found \(token)"
        }
        let isPrefixed = body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b")
        let reason: String
        if isPrefixed && body.count != token.count {
            reason = "hexadecimal, octal and binary integers cannot have a sign"
        } else if token.contains("__") || token.hasSuffix("_") || token.contains("_.") || token.contains("._")
            || token.contains("_e") || token.contains("e_") || token.contains("_E") || token.contains("E_") {
            reason = "each underscore must stand between two digits"
        } else if !isPrefixed, body.prefix(while: { $0 != "." && $0 != "e" && $0 != "E" }).count > 1, first == "0" {
            reason = "leading zeros are not allowed"
        } else if isPrefixed || body.allSatisfy({ $0.isASCII && $0.isNumber || $0 == "_" }) {
            reason = "not an integer, or out of the range of a 64-bit signed integer"
        } else {
            reason = "a float needs digits on both sides of '.' and after 'e', as in 3.14 or 1e6"
        }
        return "invalid number \(token): \(reason)"
    }

    /// The digits of `text` without separators, if every `_` stands between two digits of `radix`.
    private static func separated(_ text: Substring, radix: Int) -> String? {
        var digits = ""
        var previousWasDigit = false
        for character in text {
            if character == "_" {
                guard previousWasDigit else { return nil }
                previousWasDigit = false
            } else {
                guard character.isASCII, let value = character.hexDigitValue, value < radix else { return nil }
                digits.append(character)
                previousWasDigit = true
            }
        }
        return previousWasDigit ? digits : nil
    }
}
