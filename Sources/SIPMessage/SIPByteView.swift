/// The byte views the typed values run over. Values are generic over it: the public API uses
/// `ArraySlice<UInt8>` (values that outlive a parse), while code inside the module may use
/// `Slice<UnsafeBufferPointer<UInt8>>`, which costs no reference counting per sub-slice.
/// Both index with absolute offsets into the message bytes. The grammar itself runs over the
/// contiguous bytes behind either (`SIPGrammar`, `withGrammarBuffer`).
public protocol SIPByteView: RandomAccessCollection where Element == UInt8, Index == Int, SubSequence == Self {}

extension ArraySlice: SIPByteView where Element == UInt8 {}

extension Slice: SIPByteView where Base == UnsafeBufferPointer<UInt8> {}
