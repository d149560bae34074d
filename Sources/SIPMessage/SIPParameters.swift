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
        /// A buffer index (see `withGrammarBuffer`).
        var index: Int

        public mutating func next() -> Parameter? {
            let bytes = self.bytes
            var index = self.index
            let found = bytes.withGrammarBuffer { SIPGrammar.nextParameter($0, &index, $0.count) }
            self.index = index
            guard let found else { return nil }
            return Parameter(name: bytes.view(found.name), value: found.value.map { bytes.view($0) })
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: raw, index: 0) }

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
}

extension SIPParametersView: Sendable where Bytes: Sendable {}
extension SIPParametersView.Parameter: Sendable where Bytes: Sendable {}
