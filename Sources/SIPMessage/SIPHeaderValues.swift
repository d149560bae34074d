/// The comma-separated values of one field (RFC 3261 §7.3.1), split only where the grammar
/// allows: never inside a quoted string or between `<` and `>` (a URI may hold commas).
/// Each value is a trimmed view into the message bytes.
public typealias SIPHeaderValues = SIPHeaderValuesView<ArraySlice<UInt8>>

public struct SIPHeaderValuesView<Bytes: SIPByteView>: Sequence {
    public let raw: Bytes

    public init(raw: Bytes) { self.raw = raw }

    public struct Iterator: IteratorProtocol {
        let bytes: Bytes
        var index: Int
        /// Set when a quoted string or angle bracket is left open.
        public private(set) var unbalanced = false

        public mutating func next() -> Bytes? {
            let end = bytes.endIndex
            guard index < end else { return nil }
            let start = index
            var angle = false
            while true {
                index = bytes.firstIndex(from: index) { $0 == ASCII.comma || $0 == ASCII.quote || $0 == ASCII.lessThan || $0 == ASCII.greaterThan }
                guard index < end else { break }
                let b = bytes[index]
                if b == ASCII.quote {
                    guard let after = bytes.indexAfterQuotedString(at: index) else {
                        unbalanced = true
                        index = end
                        break
                    }
                    index = after
                    continue
                }
                if b == ASCII.comma, !angle { break }
                if b == ASCII.lessThan { angle = true } else if b == ASCII.greaterThan { angle = false }
                index += 1
            }
            if angle { unbalanced = true }
            let value = ASCII.trimmed(bytes[start..<Swift.min(index, end)])
            index += 1
            return value
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: raw, index: raw.startIndex) }
}
