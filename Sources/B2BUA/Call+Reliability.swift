import MediaControlProtocol
import SIPMessage

/// Forked early dialogs and reliable provisionals (RFC 3262) of a call: PRACK is answered or
/// relayed per leg, with RSeq and RAck mapped, never copied (`HeaderPolicy` drops both).
extension Call {
    /// The B-leg INVITE's headers with 100rel (RFC 3262 §3): Supported — Palisade PRACKs the
    /// callee itself when the caller cannot — and Required when the caller requires it.
    static func with100rel(_ headers: [(String, String)], require: Bool) -> [(String, String)] {
        var out = headers
        func add(_ name: String) {
            if let index = out.firstIndex(where: { $0.0.lowercased() == name.lowercased()
                || (name == "Supported" && $0.0.lowercased() == "k") }) {
                out[index].1 += ", 100rel"
            } else {
                out.append((name, "100rel"))
            }
        }
        add("Supported")
        if require { add("Require") }
        return out
    }

    /// A provisional mapped for the caller, made reliable: Require: 100rel and Palisade's RSeq.
    static func reliable(_ response: SIPMessage, rseq: UInt32) -> SIPMessage {
        var out = response
        if let require = out.field(.require) {
            out.replaceValue(of: require, with: text(out.value(of: require)) + ", 100rel")
        } else {
            out.appendHeader("Require", "100rel")
        }
        out.appendHeader("RSeq", "\(rseq)")
        return out
    }

    /// RFC 3262 §4: how to treat a provisional from the B-leg — reliable when it requires 100rel
    /// and carries an RSeq; a retransmission when its fork already had that RSeq or a later one.
    public func reliability(of response: SIPMessage) -> ProvisionalReliability {
        guard let status = response.statusCode, status > 100, status < 200,
              response.optionTags([.require]).contains("100rel"), let rseq = response.rseq else { return .unreliable }
        if let tag = response.to?.tag, let fork = forks.first(where: { $0.bTag == tag }),
           let last = fork.lastRSeqB, rseq <= last {
            return .retransmission
        }
        return .reliable(rseq: rseq)
    }

    /// The reliable provisional last relayed to the caller on the fork of `response` and not yet
    /// PRACKed.
    public func pendingReliable(for response: SIPMessage) -> SIPMessage? {
        guard let tag = response.to?.tag else { return nil }
        return forks.first { $0.bTag == tag }?.pendingA
    }

    /// The fork a request within an early (or just confirmed) dialog belongs to: from the caller,
    /// by its To tag (Palisade's A-leg tag of the fork); from the callee, by its From tag.
    func fork(of request: SIPMessage, from leg: LegName) -> EarlyFork? {
        guard forks.count > 1 else { return nil }
        switch leg {
        case .a:
            guard let tag = request.to?.tag else { return nil }
            return forks.first { $0.aTag == tag }
        case .b:
            guard let tag = request.from?.tag else { return nil }
            return forks.first { $0.bTag == tag }
        }
    }

    /// `dialog` (of `leg`) as the fork's early dialog.
    static func apply(_ fork: EarlyFork, to dialog: inout Dialog, leg: LegName) {
        switch leg {
        case .a:
            dialog.localTag = fork.aTag
        case .b:
            dialog.remoteTag = fork.bTag
            dialog.remoteTarget = fork.remoteTarget
            dialog.routeSet = fork.routeSet
        }
    }

    /// The B-leg dialog of the fork with To tag `bTag` (the current dialog when it is unknown).
    func bDialog(fork bTag: String?) -> Dialog {
        var dialog = b
        if let bTag, let fork = forks.first(where: { $0.bTag == bTag }) { Self.apply(fork, to: &dialog, leg: .b) }
        return dialog
    }

    /// RFC 3262 §4: Palisade's own PRACK for a reliable provisional of the callee (the caller
    /// does not support 100rel), within that response's fork: RAck = its RSeq, the INVITE's
    /// CSeq number and method.
    public mutating func prackForB(acknowledging response: SIPMessage, via: String) -> SIPMessage? {
        guard let rseq = response.rseq, let cseq = response.cseq, let tag = response.to?.tag else { return nil }
        var dialog = bDialog(fork: tag)
        let prack = dialog.request(.prack, via: via, contact: nil, headers: [("RAck", "\(rseq) \(cseq.sequence) INVITE")])
        b.localSequence = dialog.localSequence
        return prack
    }

    /// The caller's PRACK (received on the A-leg, its CSeq already recorded) carried to the
    /// callee's fork it acknowledges (RFC 3262 §7.2): RAck's RSeq mapped back to the callee's,
    /// the CSeq number of the B-leg INVITE, `body` (an answer to an offer in the provisional
    /// goes through media anchoring first). Nil when it matches no unacknowledged reliable
    /// provisional: the shell answers 481 (RFC 3262 §3).
    public mutating func prackForB(relaying prack: SIPMessage, via: String, body: CallBody) -> SIPMessage? {
        guard let rack = prack.rack, rack.method.uppercased() == "INVITE",
              rack.sequence == aInvite.cseq?.sequence else { return nil }
        let tag = prack.to?.tag
        guard let index = forks.firstIndex(where: { ($0.aTag == tag || forks.count == 1)
            && $0.unacknowledged[rack.rseq] != nil }),
            let rseqB = forks[index].unacknowledged.removeValue(forKey: rack.rseq) else { return nil }
        if forks[index].pendingA?.rseq == rack.rseq { forks[index].pendingA = nil }
        let copied = headers.copied(from: prack, sourceTrusted: sideA.trusted)
        var dialog = bDialog(fork: forks[index].bTag)
        let out = dialog.request(.prack, via: via, contact: nil, headers: [("RAck", "\(rseqB) \(inviteSequenceB) INVITE")]
            + copied, body: body.bytes, contentType: body.contentType)
        b.localSequence = dialog.localSequence
        return out
    }

    /// Whether a 2xx to the B-leg INVITE comes from another fork than the one that answered
    /// first (RFC 3261 §13.2.2.4: that dialog is ACKed and hung up).
    public func isOtherFork(_ response: SIPMessage) -> Bool {
        guard let tag = response.to?.tag, let answered = b.remoteTag else { return false }
        return tag != answered
    }
}
