/// The byte views the grammar code runs over. Parsers and typed values are generic over it:
/// the public API uses `ArraySlice<UInt8>` (values that outlive a parse), while validation runs
/// over `Slice<UnsafeBufferPointer<UInt8>>`, which costs no reference counting per sub-slice.
/// Both index with absolute offsets into the message bytes.
public protocol SIPByteView: RandomAccessCollection where Element == UInt8, Index == Int, SubSequence == Self {}

extension ArraySlice: SIPByteView where Element == UInt8 {}

extension Slice: SIPByteView where Base == UnsafeBufferPointer<UInt8> {}

extension SIPByteView {
    /// The first index at or after `start` whose byte satisfies `stop`, or `endIndex`.
    /// Scans the contiguous storage both views have, so the loop runs without per-byte range
    /// checks; the buffer the standard library hands out is exactly this view's bytes.
    @inline(__always)
    func firstIndex(from start: Int, where stop: (UInt8) -> Bool) -> Int {
        let found = withContiguousStorageIfAvailable { buffer -> Int in
            var k = start - startIndex
            while k < buffer.count, !stop(buffer[k]) { k += 1 }
            return k + startIndex
        }
        if let found { return found }
        var i = start
        while i < endIndex, !stop(self[i]) { i += 1 }
        return i
    }

    /// Index just past the closing quote of the quoted string opening at `open`, honouring
    /// `\` escapes (RFC 3261 §25.1 quoted-pair); nil when it never closes.
    @inline(__always)
    func indexAfterQuotedString(at open: Int) -> Int? {
        var i = open + 1
        while true {
            i = firstIndex(from: i) { $0 == ASCII.quote || $0 == ASCII.backslash }
            guard i < endIndex else { return nil }
            if self[i] == ASCII.quote { return i + 1 }
            i += 2
            if i >= endIndex { return nil }
        }
    }
}
