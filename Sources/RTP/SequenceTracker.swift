/// Sequence-number bookkeeping for one RTP source, after RFC 3550 Appendix A.1 (`update_seq`)
/// and A.3 (expected and lost packets).
///
/// A plain value: the media worker keeps one per leg and feeds it every valid RTP header. A change
/// of SSRC starts a new source; the losses counted for the old one are kept in `lostBeforeReset`.
public struct SequenceTracker: Equatable, Sendable {
    /// RFC 3550 A.1: consecutive packets needed before a source counts as valid.
    public static let minSequential: UInt16 = 2
    public static let maxDropout: UInt16 = 3000
    public static let maxMisorder: UInt16 = 100
    static let sequenceModulus: UInt32 = 1 << 16

    public private(set) var ssrc: UInt32 = 0
    public private(set) var hasSource = false
    public private(set) var maxSequence: UInt16 = 0
    /// Sequence-number wraps, times 2^16 (RFC 3550's `cycles`).
    public private(set) var cycles: UInt32 = 0
    public private(set) var baseSequence: UInt32 = 0
    public private(set) var badSequence: UInt32 = sequenceModulus + 1
    public private(set) var probation: UInt16 = 0
    /// Packets accepted in sequence accounting for the current source.
    public private(set) var received: UInt64 = 0
    /// Losses of earlier sources (before an SSRC change or a resynchronisation).
    public private(set) var lostBeforeReset: Int64 = 0
    /// Packets that arrived with a sequence number at or below the highest seen (late or duplicate).
    public private(set) var misordered: UInt64 = 0

    public init() {}

    /// RFC 3550 A.3: extended highest sequence number received.
    public var extendedMaxSequence: UInt32 { cycles &+ UInt32(maxSequence) }

    /// RFC 3550 A.3: packets expected from the current source.
    public var expected: Int64 {
        guard hasSource, probation == 0 else { return 0 }
        return Int64(extendedMaxSequence) - Int64(baseSequence) + 1
    }

    /// Cumulative packets lost (RFC 3550 A.3; negative when duplicates outnumber losses), over
    /// every source this tracker has seen.
    public var cumulativeLost: Int64 { lostBeforeReset + (expected - Int64(received)) }

    /// Feeds one packet. Returns whether it counts as valid for the source (RFC 3550 A.1).
    @discardableResult
    public mutating func update(sequence: UInt16, ssrc newSSRC: UInt32) -> Bool {
        if !hasSource || newSSRC != ssrc {
            if hasSource { lostBeforeReset += expected - Int64(received) }
            hasSource = true
            ssrc = newSSRC
            start(sequence)
            maxSequence = sequence &- 1
            probation = Self.minSequential
            received = 0
        }
        let delta = sequence &- maxSequence
        if probation > 0 {
            // Source not yet valid: it must send minSequential packets in a row.
            if sequence == maxSequence &+ 1 {
                probation -= 1
                maxSequence = sequence
                if probation == 0 {
                    start(sequence)
                    received += 1
                    return true
                }
            } else {
                probation = Self.minSequential - 1
                maxSequence = sequence
            }
            return false
        } else if delta < Self.maxDropout {
            // In order, with a permissible gap — or (delta 0) a duplicate of the highest, which
            // A.1 also lets through.
            if delta == 0 { misordered += 1 }
            if sequence < maxSequence { cycles &+= Self.sequenceModulus }
            maxSequence = sequence
        } else if UInt32(delta) <= Self.sequenceModulus - UInt32(Self.maxMisorder) {
            // A very large jump: believe it only if the next packet follows it (the sender restarted).
            if UInt32(sequence) == badSequence {
                lostBeforeReset += expected - Int64(received)
                start(sequence)
                received = 0
            } else {
                badSequence = (UInt32(sequence) + 1) & (Self.sequenceModulus - 1)
                return false
            }
        } else {
            // Duplicate or reordered packet.
            misordered += 1
        }
        received += 1
        return true
    }

    private mutating func start(_ sequence: UInt16) {
        baseSequence = UInt32(sequence)
        maxSequence = sequence
        badSequence = Self.sequenceModulus + 1
        cycles = 0
    }
}
