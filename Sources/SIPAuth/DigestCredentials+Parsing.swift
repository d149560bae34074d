extension DigestCredentials {
    /// Parses a credentials header value: `Digest username="bob", realm="example.com", ...`.
    ///
    /// RFC 7616 §3.4 / RFC 3261 §25.1: the scheme is case-insensitive, parameters are `token "="
    /// (token / quoted-string)` separated by commas with optional whitespace, quoted strings may
    /// contain quoted-pairs (`\"`, `\\`). Unknown parameters are ignored; a repeated known one is an
    /// error, since two different `response`s in one header can only be an attack or a bug.
    public init(parsing value: some Collection<UInt8>) throws(DigestParseError) {
        let parameters = try DigestParameterList(parsing: Array(value))
        func required(_ name: String) throws(DigestParseError) -> [UInt8] {
            guard let found = parameters[name] else {
                throw DigestParseError(.missingParameter, offset: value.count, parameter: name)
            }
            return found.value
        }
        var algorithm = DigestAlgorithm.md5
        if let given = parameters["algorithm"] {
            guard let known = DigestAlgorithm(token: given.value) else {
                throw DigestParseError(.unsupportedAlgorithm, offset: given.offset, parameter: "algorithm")
            }
            algorithm = known
        }
        var qop: Qop?
        if let given = parameters["qop"] {
            guard asciiCaseInsensitiveEquals(given.value, "auth".utf8) else {
                throw DigestParseError(.unsupportedQop, offset: given.offset, parameter: "qop")
            }
            qop = .auth
        }
        var nonceCountText: [UInt8]?
        if let given = parameters["nc"] {
            guard DigestCredentials.parseNonceCount(given.value) != nil else {
                throw DigestParseError(.invalidNonceCount, offset: given.offset, parameter: "nc")
            }
            nonceCountText = given.value
        }
        let cnonce = parameters["cnonce"]?.value
        if qop != nil && (nonceCountText == nil || cnonce == nil) {
            throw DigestParseError(.qopWithoutNonceCount, offset: parameters["qop"]?.offset ?? 0, parameter: "qop")
        }
        self.init(username: try required("username"), realm: try required("realm"), nonce: try required("nonce"),
                  uri: try required("uri"), response: try required("response"), algorithm: algorithm, qop: qop,
                  nonceCountText: nonceCountText, cnonce: cnonce, opaque: parameters["opaque"]?.value)
    }
}

/// The auth-params after the `Digest` scheme, with each value's byte offset for error reports.
struct DigestParameterList {
    struct Parameter {
        var value: [UInt8]
        var offset: Int
    }

    /// Names are stored lower-cased (RFC 7616 §3.4: parameter names are case-insensitive).
    private var parameters: [String: Parameter] = [:]

    subscript(name: String) -> Parameter? { parameters[name] }

    init(parsing bytes: [UInt8]) throws(DigestParseError) {
        var index = Self.skipWhitespace(bytes, from: 0)
        let schemeStart = index
        while index < bytes.count, Self.isTokenCharacter(bytes[index]) { index += 1 }
        guard asciiCaseInsensitiveEquals(bytes[schemeStart..<index], "Digest".utf8),
              index < bytes.count, Self.isWhitespace(bytes[index])
        else {
            throw DigestParseError(.notDigestScheme, offset: schemeStart)
        }
        while true {
            index = Self.skipWhitespace(bytes, from: index)
            // Empty list elements (",,") are allowed by the #rule of RFC 3261 §7.3.1.
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if index == bytes.count { break }
            let nameStart = index
            while index < bytes.count, Self.isTokenCharacter(bytes[index]) { index += 1 }
            guard index > nameStart else { throw DigestParseError(.malformedParameter, offset: index) }
            let name = String(decoding: bytes[nameStart..<index].map(asciiLowercased), as: UTF8.self)
            index = Self.skipWhitespace(bytes, from: index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw DigestParseError(.malformedParameter, offset: index, parameter: name)
            }
            index = Self.skipWhitespace(bytes, from: index + 1)
            let valueStart = index
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        index += 1
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): CR and LF cannot be escaped.
                        guard index + 1 < bytes.count, bytes[index + 1] != 0x0a, bytes[index + 1] != 0x0d else {
                            throw DigestParseError(.unterminatedQuotedString, offset: valueStart, parameter: name)
                        }
                        value.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    value.append(byte)
                    index += 1
                }
                guard closed else {
                    throw DigestParseError(.unterminatedQuotedString, offset: valueStart, parameter: name)
                }
            } else {
                while index < bytes.count, Self.isTokenCharacter(bytes[index]) { index += 1 }
                guard index > valueStart else {
                    throw DigestParseError(.malformedParameter, offset: valueStart, parameter: name)
                }
                value = Array(bytes[valueStart..<index])
            }
            guard parameters[name] == nil else {
                throw DigestParseError(.duplicateParameter, offset: nameStart, parameter: name)
            }
            parameters[name] = Parameter(value: value, offset: valueStart)
            index = Self.skipWhitespace(bytes, from: index)
            if index == bytes.count { break }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw DigestParseError(.malformedParameter, offset: index, parameter: name)
            }
            index += 1
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == 0x0d || byte == 0x0a
    }

    static func skipWhitespace(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    /// RFC 3261 §25.1 token characters.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
             UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
