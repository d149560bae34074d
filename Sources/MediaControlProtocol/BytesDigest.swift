/// Tells one byte string from another without keeping it: its length and a 64-bit hash (SipHash,
/// seeded per process). Two different strings agree with probability 2⁻⁶⁴. For state that only
/// needs to recognise bytes seen before (a repeated control request, an SDP body sent again).
public struct BytesDigest: Equatable, Sendable {
    public let count: Int
    public let hash: Int

    public init(_ bytes: [UInt8]) {
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        count = bytes.count
        hash = hasher.finalize()
    }
}
