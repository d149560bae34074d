/// A `;name[=value]` list kept as its raw bytes (RFC 3261 §19.1.1 uri-parameters, §25.1
/// generic-param). Iterating finds each parameter without copying; values keep their quotes.
public typealias SIPParameters = SIPParametersView<ArraySlice<UInt8>>

public struct SIPParametersView<Bytes: SIPByteView>: Sequence {
    /// The raw bytes, starting at the first `;` (or empty).
    public let raw: Bytes

    public init(raw: Bytes) { self.raw = raw }

    public struct Parameter {
        public let name: Bytes
        /// nil for a flag parameter such as `;lr` or `;rport`.
        public let value: Bytes?
    }

    public struct Iterator: IteratorProtocol {
        var bytes: Bytes
        var index: Int

        public mutating func next() -> Parameter? {
            let end = bytes.endIndex
            // Skip the separator and surrounding LWS.
            while index < end, bytes[index] == ASCII.semicolon || ASCII.isLWS(bytes[index]) { index += 1 }
            guard index < end else { return nil }
            let nameStart = index
            while index < end, bytes[index] != ASCII.semicolon, bytes[index] != ASCII.equals, !ASCII.isLWS(bytes[index]) { index += 1 }
            let name = bytes[nameStart..<index]
            while index < end, ASCII.isLWS(bytes[index]) { index += 1 }
            guard index < end, bytes[index] == ASCII.equals else {
                return Parameter(name: name, value: nil)
            }
            index += 1
            while index < end, ASCII.isLWS(bytes[index]) { index += 1 }
            let valueStart = index
            while true {
                while index < end, bytes[index] != ASCII.semicolon, bytes[index] != ASCII.quote { index += 1 }
                guard index < end, bytes[index] == ASCII.quote else { break }
                index = bytes.indexAfterQuotedString(at: index) ?? end
            }
            return Parameter(name: name, value: ASCII.trimmed(bytes[valueStart..<index]))
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: raw, index: raw.startIndex) }

    /// The parameter named `name` (case-insensitive, RFC 3261 §19.1.4); `.some(nil)` for a flag.
    public func lookup(_ name: StaticString) -> Bytes?? {
        for p in self where ASCII.equalsLowercase(p.name, name) { return .some(p.value) }
        return .none
    }

    public func contains(_ name: StaticString) -> Bool { lookup(name) != nil }

    /// The value of `name` as a String, nil when absent or a flag.
    public func string(_ name: StaticString) -> String? {
        guard case .some(.some(let v)) = lookup(name) else { return nil }
        return ASCII.string(v)
    }

    /// Checks every parameter against the generic-param grammar (RFC 3261 §25.1): a token name,
    /// and a value that is a token, a host (IPv6 references included) or a quoted string.
    func validate() -> SIPMessageError.Code? {
        var it = makeIterator()
        while let p = it.next() {
            if let code = SIPParametersView.check(p) { return code }
        }
        return nil
    }

    /// One parameter against the generic-param grammar.
    @inline(__always)
    static func check(_ p: Parameter) -> SIPMessageError.Code? {
        if p.name.isEmpty { return .badHeaderValue }
        for b in p.name where !ASCII.isTokenChar(b) { return .badHeaderValue }
        guard let v = p.value else { return nil }
        if v.first == ASCII.quote {
            if v.count < 2 || v.last != ASCII.quote { return .unbalancedQuote }
            return nil
        }
        if v.isEmpty { return .badHeaderValue }
        for b in v where !(ASCII.isTokenChar(b) || b == ASCII.colon || b == ASCII.leftBracket || b == ASCII.rightBracket) {
            return b == ASCII.quote ? .unbalancedQuote : .badHeaderValue
        }
        return nil
    }
}

extension SIPParametersView: Sendable where Bytes: Sendable {}
extension SIPParametersView.Parameter: Sendable where Bytes: Sendable {}
