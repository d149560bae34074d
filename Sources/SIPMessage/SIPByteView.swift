/// The byte views the grammar code runs over. Parsers and typed values are generic over it:
/// the public API uses `ArraySlice<UInt8>` (values that outlive a parse), while validation runs
/// over `Slice<UnsafeBufferPointer<UInt8>>`, which costs no reference counting per sub-slice.
/// Both index with absolute offsets into the message bytes.
public protocol SIPByteView: RandomAccessCollection where Element == UInt8, Index == Int, SubSequence == Self {}

extension ArraySlice: SIPByteView where Element == UInt8 {}

extension Slice: SIPByteView where Base == UnsafeBufferPointer<UInt8> {}
