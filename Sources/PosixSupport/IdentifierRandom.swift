import CPosixShims

/// The generator for identifiers and choices (tags, branches, Call-IDs, RSeq, o= ids, nonce
/// salts, target order): getrandom(2) through a per-thread buffer, one system call per 32 draws
/// where `SystemRandomNumberGenerator` makes one per draw (palisade-signal made about 14 per
/// call). Not for key material.
public struct IdentifierRandom: RandomNumberGenerator {
    public init() {}

    public mutating func next() -> UInt64 { palisade_random_u64() }

    /// 64 random bits.
    public static func word() -> UInt64 { palisade_random_u64() }

    public static func value<T: FixedWidthInteger>(in range: ClosedRange<T>) -> T {
        var generator = IdentifierRandom()
        return T.random(in: range, using: &generator)
    }
}
