import SIPMessage

/// One early dialog of the B-leg INVITE (RFC 3261 §12.1.2, §13.2.2.4): a provisional or 2xx
/// response with a To tag not seen before is a new fork of the callee side, and Palisade gives it
/// an early dialog of its own toward the caller, with a To tag of its own on the A-leg. A fork
/// also numbers its reliable provisionals per leg (RFC 3262): RSeq on the B-leg is the callee's,
/// RSeq on the A-leg is Palisade's, and `unacknowledged` maps one to the other until the
/// caller's PRACK comes.
public struct EarlyFork: Sendable, Equatable {
    /// The callee's To tag on the B-leg.
    public var bTag: String
    /// Palisade's To tag for this fork on the A-leg.
    public var aTag: String
    /// The fork's Contact and route set (§12.1.2), where requests within it go.
    public var remoteTarget: String
    public var routeSet: [String]
    /// RFC 3262 §4: the RSeq of the last reliable provisional this fork sent on the B-leg.
    public var lastRSeqB: UInt32?
    /// RFC 3262 §3: the RSeq Palisade puts in its next reliable provisional on the A-leg.
    public var nextRSeqA: UInt32
    /// Reliable provisionals sent to the caller and not yet PRACKed: RSeq on the A-leg → RSeq on
    /// the B-leg.
    public var unacknowledged: [UInt32: UInt32] = [:]
    /// The last reliable provisional relayed to the caller, until PRACKed (RFC 3262 §3: the
    /// shell retransmits it on an unreliable A-leg).
    public var pendingA: SIPMessage?

    public init(bTag: String, aTag: String, remoteTarget: String, routeSet: [String], nextRSeqA: UInt32) {
        self.bTag = bTag
        self.aTag = aTag
        self.remoteTarget = remoteTarget
        self.routeSet = routeSet
        self.nextRSeqA = nextRSeqA
    }

    public static func == (lhs: EarlyFork, rhs: EarlyFork) -> Bool {
        lhs.bTag == rhs.bTag && lhs.aTag == rhs.aTag && lhs.remoteTarget == rhs.remoteTarget
            && lhs.routeSet == rhs.routeSet && lhs.lastRSeqB == rhs.lastRSeqB && lhs.nextRSeqA == rhs.nextRSeqA
            && lhs.unacknowledged == rhs.unacknowledged && lhs.pendingA?.printed == rhs.pendingA?.printed
    }
}

/// What Palisade draws for a fork it may create (this layer has no randomness): its To tag on
/// the A-leg and the first RSeq of its reliable provisionals there (RFC 3262 §3: chosen at
/// random between 1 and 2**31 - 1).
public struct ForkIdentifiers: Sendable, Equatable {
    public var aTag: String
    public var firstRSeq: UInt32

    public init(aTag: String, firstRSeq: UInt32) {
        self.aTag = aTag
        self.firstRSeq = firstRSeq
    }
}

/// RFC 3262 reliability of one provisional response as Palisade handles it.
public enum ProvisionalReliability: Sendable, Equatable {
    /// An ordinary provisional (no Require: 100rel, or no valid RSeq).
    case unreliable
    /// A new reliable provisional with this RSeq.
    case reliable(rseq: UInt32)
    /// A retransmission (or an out-of-order RSeq) of a reliable provisional already handled
    /// (RFC 3262 §4: not PRACKed again, not processed further).
    case retransmission
}

extension SIPMessage {
    /// The option tags of every Supported and Require header (or only `names`), lowercased.
    public func optionTags(_ names: [SIPHeaderName] = [.supported, .require]) -> Set<String> {
        var out: Set<String> = []
        for name in names {
            for value in values(name) {
                for tag in text(value).split(separator: ",") {
                    let t = tag.trimmingSpaces().lowercased()
                    if !t.isEmpty { out.insert(t) }
                }
            }
        }
        return out
    }

    /// RFC 3262 §7.1: the RSeq of a reliable provisional (1 to 2**32 - 1).
    public var rseq: UInt32? {
        guard let value = values(.rseq).first, let n = UInt32(text(value).trimmingSpaces()), n > 0 else { return nil }
        return n
    }

    /// RFC 3262 §7.2: RAck = response-num CSeq-num Method.
    public var rack: (rseq: UInt32, sequence: UInt32, method: String)? {
        guard let value = values(.rack).first else { return nil }
        let parts = text(value).split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 3, let r = UInt32(parts[0]), let c = UInt32(parts[1]) else { return nil }
        return (r, c, String(parts[2]))
    }
}
