/// The comma-separated values of one field (RFC 3261 §7.3.1), split only where the grammar
/// allows: never inside a quoted string or between `<` and `>` (a URI may hold commas).
/// Each value is a trimmed view into the message bytes.
public typealias SIPHeaderValues = SIPHeaderValuesView<ArraySlice<UInt8>>

public struct SIPHeaderValuesView<Bytes: SIPByteView>: Sequence {
    public let raw: Bytes

    public init(raw: Bytes) { self.raw = raw }

    public struct Iterator: IteratorProtocol {
        let bytes: Bytes
        /// A buffer index (see `withGrammarBuffer`).
        var index: Int
        /// Set when a quoted string or angle bracket is left open.
        public private(set) var unbalanced = false

        public mutating func next() -> Bytes? {
            var index = self.index
            var unbalanced = self.unbalanced
            let found = bytes.withGrammarBuffer { SIPGrammar.nextValue($0, &index, $0.count, unbalanced: &unbalanced) }
            self.index = index
            self.unbalanced = unbalanced
            return found.map { bytes.view($0) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: raw, index: 0) }
}
