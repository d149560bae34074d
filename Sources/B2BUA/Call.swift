import MediaControlProtocol
import SIPCore
import SIPMessage

/// Palisade's own face on one leg of a call: the realm, the URI it puts in Contact there, the
/// host it writes in From/To of requests it originates there, and whether that realm's peers are
/// trusted (for `HeaderPolicy.trustedOnly`).
public struct CallSide: Sendable, Equatable {
    public var realm: String
    public var contact: String
    public var host: String
    public var trusted: Bool

    public init(realm: String, contact: String, host: String, trusted: Bool) {
        self.realm = realm
        self.contact = contact
        self.host = host
        self.trusted = trusted
    }
}

/// The identifiers Palisade draws for a new call (this layer has no randomness): the B-leg's
/// Call-ID and From tag, and the To tag of the A-leg.
public struct CallIdentifiers: Sendable, Equatable {
    public var callID: String
    public var bTag: String
    public var aTag: String

    public init(callID: String, bTag: String, aTag: String) {
        self.callID = callID
        self.bTag = bTag
        self.aTag = aTag
    }
}

/// What a message's body becomes on the other leg: bytes and their Content-Type (nil: no body).
public struct CallBody: Sendable, Equatable {
    public var bytes: [UInt8]
    public var contentType: String?

    public init(bytes: [UInt8], contentType: String?) {
        self.bytes = bytes
        self.contentType = contentType
    }

    public static let none = CallBody(bytes: [], contentType: nil)

    /// The body of `message` as it is, with its Content-Type (non-SDP bodies pass unchanged).
    public static func unchanged(_ message: SIPMessage) -> CallBody {
        message.body.isEmpty ? .none : CallBody(bytes: Array(message.body), contentType: message.contentType)
    }
}

/// One call through the B2BUA (issue 6, item 2): the A-leg dialog (Palisade as UAS toward the
/// caller) and the B-leg dialog (Palisade as UAC toward the callee), joined. Every message sent
/// on a leg is built from that leg's own dialog — its Call-ID, tags, CSeq space, Palisade's
/// Via and Contact in that realm — and only the headers the `HeaderPolicy` allows are copied
/// across, so nothing that identifies one realm's hosts, addresses or dialogs reaches the other
/// (topology hiding). Bodies are the shell's choice: SDP rewritten by `MediaNegotiation`,
/// anything else unchanged.
///
/// A value without I/O or clock: the shell (Signalling.SIPService) feeds it the messages of both
/// legs and sends what it returns through client and server transactions.
public struct Call: Sendable {
    public enum State: Sendable, Equatable {
        /// The B-leg INVITE is out; no final response yet.
        case calling
        /// The B-leg answered 2xx; the call is up (until BYE).
        case confirmed
        /// A BYE or CANCEL is on its way; the call ends when it completes.
        case ending
        case ended
    }

    public var state: State = .calling
    public var a: Dialog
    public var b: Dialog
    public let sideA: CallSide
    public let sideB: CallSide
    public let headers: HeaderPolicy
    /// The caller's INVITE, answered by the A-leg's responses.
    public let aInvite: SIPMessage
    /// The B-leg INVITE of the current attempt, for its CANCEL; nil once the A-leg is answered.
    public private(set) var bInvite: SIPMessage?
    /// CSeq of the last INVITE sent on each leg, which its ACK repeats (RFC 3261 §17.1.1.3).
    public private(set) var inviteSequenceA: UInt32 = 0
    public private(set) var inviteSequenceB: UInt32 = 0
    /// Whether the A-leg got a final response to its INVITE.
    public private(set) var answeredA = false
    /// The B-leg's early dialogs, one per To tag, in the order they appeared (RFC 3261 §12.1.2);
    /// after a 2xx only the answering fork is left.
    public internal(set) var forks: [EarlyFork] = []
    /// RFC 3262 §3: the caller's INVITE said Supported or Require: 100rel, so reliable
    /// provisionals of the callee are relayed reliably (else Palisade PRACKs them itself).
    public let callerSupports100rel: Bool
    /// The caller's INVITE said Require: 100rel: the B-leg INVITE requires it too.
    public let callerRequires100rel: Bool
    /// The caller's INVITE carried an SDP offer (else the callee offers, RFC 3264 §4).
    public let callerOffered: Bool

    /// A new call from `invite` (received on the A-leg) toward `requestURI` on the B-leg.
    public init(invite: SIPMessage, requestURI: String, ids: CallIdentifiers, sideA: CallSide, sideB: CallSide,
                headers: HeaderPolicy = .default) {
        self.sideA = sideA
        self.sideB = sideB
        self.headers = headers
        aInvite = invite
        callerSupports100rel = invite.optionTags().contains("100rel")
        callerOffered = !invite.body.isEmpty && invite.contentType?.lowercased().hasPrefix("application/sdp") == true
        callerRequires100rel = invite.optionTags([.require]).contains("100rel")
        let from = invite.from
        let to = invite.to
        a = Dialog(callID: invite.callID ?? "", localTag: ids.aTag, remoteTag: from?.tag,
                   localParty: to.map(SIPMessage.party) ?? "<\(requestURI)>",
                   remoteParty: from.map(SIPMessage.party) ?? "<sip:anonymous@anonymous.invalid>",
                   localSequence: 0, remoteSequence: invite.cseq?.sequence,
                   remoteTarget: invite.contactURI ?? from?.uri.string ?? "",
                   routeSet: invite.values(.recordRoute).map(text))
        // The B-leg From keeps the caller's display name and user, on Palisade's host in realm B;
        // the To names the Request-URI. Neither carries a host of realm A.
        let display = from?.displayName.map { text($0) + " " } ?? ""
        let user = from?.uri.user.map(text)
        let fromURI = "sip:" + (user.map { $0 + "@" } ?? "") + sideB.host
        b = Dialog(callID: ids.callID, localTag: ids.bTag, remoteTag: nil,
                   localParty: display + "<" + fromURI + ">", remoteParty: "<" + requestURI + ">",
                   localSequence: 0, remoteSequence: nil, remoteTarget: requestURI, routeSet: [])
    }

    /// The dialog of a leg.
    public func dialog(_ leg: LegName) -> Dialog {
        switch leg {
        case .a: a
        case .b: b
        }
    }

    public func side(_ leg: LegName) -> CallSide {
        switch leg {
        case .a: sideA
        case .b: sideB
        }
    }

    static func other(_ leg: LegName) -> LegName {
        switch leg {
        case .a: .b
        case .b: .a
        }
    }

    /// Which leg a message with this Call-ID belongs to.
    public func leg(ofCallID callID: String) -> LegName? {
        if callID == b.callID { return .b }
        if callID == a.callID { return .a }
        return nil
    }

    // MARK: - The initial INVITE

    /// Points the B-leg at another Request-URI before its first INVITE (a registered contact).
    public mutating func retarget(requestURI: String) {
        b.remoteTarget = requestURI
        b.remoteParty = "<" + requestURI + ">"
    }

    /// The B-leg INVITE for the next attempt, toward `requestURI` (a failover target keeps the
    /// Call-ID and From tag and takes the next CSeq, RFC 3261 §8.1.3.4 style retry).
    public mutating func inviteForB(requestURI: String? = nil, via: String, body: CallBody) -> SIPMessage {
        if let requestURI {
            b.remoteTarget = requestURI
            b.remoteParty = "<" + requestURI + ">"
        }
        b.remoteTag = nil
        b.routeSet = []
        var maxForwards = (aInvite.maxForwards ?? 70) - 1
        if maxForwards < 0 { maxForwards = 0 }
        forks = []
        // RFC 3262 §5: a reliable provisional to an INVITE without an offer may carry the
        // callee's offer, whose answer goes in the PRACK — which only the caller can give. So
        // Palisade offers 100rel of its own only when the caller offered or supports it.
        var copied = headers.copied(from: aInvite, sourceTrusted: sideA.trusted)
        if callerSupports100rel || callerOffered { copied = Self.with100rel(copied, require: callerRequires100rel) }
        var invite = b.request(.invite, via: via, contact: sideB.contact, headers: copied,
                               body: body.bytes, contentType: body.contentType)
        inviteSequenceB = b.localSequence
        if let field = invite.field(.maxForwards) { invite.replaceValue(of: field, with: "\(maxForwards)") }
        let reparsed = Self.reparse(invite)
        bInvite = reparsed
        return reparsed
    }

    /// The CANCEL of the current B-leg INVITE (RFC 3261 §9.1): its Request-URI, top Via (same
    /// branch), Call-ID, From, To and CSeq number, with the method CANCEL.
    public func cancelForB(reason: String? = nil) -> SIPMessage? {
        guard let invite = bInvite, let cseq = invite.cseq else { return nil }
        var fields: [(String, String)] = []
        if let via = invite.values(.via).first { fields.append(("Via", text(via))) }
        fields.append(("Max-Forwards", "70"))
        for name in [SIPHeaderName.from, .to, .callID] {
            if let f = invite.field(name) { fields.append((name.canonicalName, text(invite.value(of: f)))) }
        }
        fields.append(("CSeq", "\(cseq.sequence) CANCEL"))
        if let reason { fields.append(("Reason", reason)) }
        return SIPMessage.request(.cancel, uri: invite.requestURIBytes.map(text) ?? b.remoteTarget, headers: fields)
    }

    /// A response from the B-leg to its INVITE, mapped to the A-leg's INVITE: same status and
    /// reason, Palisade's To tag and Contact, the allowed headers, `body`. A 1xx with a tag or a
    /// 2xx belongs to a fork (`EarlyFork`, created on its first response with `fresh`'s A-leg tag,
    /// the first fork keeping the call's own): the fork's tag, target and route set (RFC 3261
    /// §12.1.2) become the B-leg dialog's and its A-leg tag the A-leg dialog's — the latest fork
    /// to speak is the current one, and a 2xx confirms its fork and drops the others.
    ///
    /// A reliable provisional (`reliability`) is relayed reliably when the caller supports
    /// 100rel (RFC 3262 §3: Require: 100rel, RSeq numbered on the A-leg), else as an ordinary
    /// provisional (Palisade PRACKs the callee itself, `prackForB`).
    public mutating func inviteResponseForA(_ response: SIPMessage, body: CallBody,
                                            fresh: ForkIdentifiers? = nil,
                                            reliability: ProvisionalReliability = .unreliable) -> SIPMessage {
        let status = response.statusCode ?? 500
        var tagA = a.localTag
        var forkIndex: Int?
        if status > 100, status < 300, let to = response.to, let tag = to.tag {
            let index = fork(bTag: tag, response: response, fresh: fresh)
            forkIndex = index
            tagA = forks[index].aTag
            b.remoteTag = tag
            b.remoteTarget = forks[index].remoteTarget
            b.routeSet = forks[index].routeSet
            a.localTag = tagA
            if status >= 200 { forks = [forks[index]]; forkIndex = 0 }
        }
        if status >= 200 {
            answeredA = true
            state = status < 300 ? .confirmed : .ended
            // Answered: nothing can be cancelled any more, and the B-leg INVITE (kept for
            // `cancelForB`) would otherwise stay for the whole call.
            bInvite = nil
        }
        var mapped = responseFor(aInvite, side: sideA, tag: tagA, status: status, reason: response.reasonPhrase,
                                 copying: response, sourceTrusted: sideB.trusted, body: body)
        if status > 100, status < 200, let forkIndex, case .reliable(let rseq) = reliability {
            forks[forkIndex].lastRSeqB = rseq
            if callerSupports100rel {
                // RFC 3262 §3: Require: 100rel and an RSeq of the A-leg's own sequence.
                let rseqA = forks[forkIndex].nextRSeqA
                forks[forkIndex].nextRSeqA = rseqA &+ 1
                forks[forkIndex].unacknowledged[rseqA] = rseq
                mapped = Self.reparse(Self.reliable(mapped, rseq: rseqA))
                forks[forkIndex].pendingA = mapped
            }
        }
        return mapped
    }

    /// The fork a response with To tag `bTag` belongs to, created on its first response.
    mutating func fork(bTag: String, response: SIPMessage, fresh: ForkIdentifiers?) -> Int {
        let contact = response.contactURI
        let routes: [String] = response.values(.recordRoute).map(text).reversed()
        if let index = forks.firstIndex(where: { $0.bTag == bTag }) {
            if let contact { forks[index].remoteTarget = contact }
            // §12.1.2: a 2xx fixes the route set of the dialog it confirms.
            if response.statusCode.map({ $0 >= 200 }) == true || forks[index].routeSet.isEmpty {
                forks[index].routeSet = routes
            }
            return index
        }
        // The first fork answers with the A-leg tag the call was created with; later forks take
        // the fresh one (a distinct early dialog toward the caller, RFC 3261 §13.2.2.4).
        let aTag = forks.isEmpty ? a.localTag : (fresh?.aTag ?? a.localTag + "-\(forks.count)")
        forks.append(EarlyFork(bTag: bTag, aTag: aTag, remoteTarget: contact ?? b.remoteTarget, routeSet: routes,
                               nextRSeqA: fresh?.firstRSeq ?? 1))
        return forks.count - 1
    }

    /// A response Palisade itself gives the A-leg INVITE (404, 480, 488 with Warning, 408, 503…).
    public mutating func localResponseForA(status: Int, reason: String? = nil, headers extra: [(String, String)] = [])
        -> SIPMessage {
        if status >= 200 {
            answeredA = true
            if status >= 300 { state = .ended }
        }
        return SIPResponseBuilder.response(to: aInvite, status: status, reason: reason,
                                           toTag: status > 100 ? a.localTag : nil, headers: extra)
    }

    /// A response to `request` (received on `leg`), built from Palisade's dialog on that leg:
    /// the request's Via, From, Call-ID, CSeq and To (with Palisade's tag), the headers of
    /// `source` the policy allows, Palisade's Contact on a 1xx/2xx to a dialog-forming or
    /// target-refresh request.
    public func response(to request: SIPMessage, on leg: LegName, status: Int, reason: String?,
                         copying source: SIPMessage?, body: CallBody) -> SIPMessage {
        switch leg {
        case .a: responseForA(to: request, status: status, reason: reason, copying: source, body: body)
        case .b: responseFor(request, side: sideB, tag: b.localTag, status: status, reason: reason, copying: source,
                             sourceTrusted: sideA.trusted, body: body)
        }
    }

    func responseForA(to request: SIPMessage, status: Int, reason: String?, copying source: SIPMessage?,
                      body: CallBody) -> SIPMessage {
        responseFor(request, side: sideA, tag: a.localTag, status: status, reason: reason, copying: source,
                    sourceTrusted: sideB.trusted, body: body)
    }

    func responseFor(_ request: SIPMessage, side: CallSide, tag: String, status: Int, reason: String?,
                     copying source: SIPMessage?, sourceTrusted: Bool, body: CallBody) -> SIPMessage {
        var extra = source.map { headers.copied(from: $0, sourceTrusted: sourceTrusted) } ?? []
        let method = request.method
        if status > 100, status < 300, method == .invite || method == .update || method == .subscribe
            || method == .notify || method == .refer {
            extra.append(("Contact", "<\(side.contact)>"))
        }
        if !body.bytes.isEmpty, let type = body.contentType { extra.append(("Content-Type", type)) }
        return SIPResponseBuilder.response(to: request, status: status, reason: reason,
                                           toTag: status > 100 ? tag : nil, headers: extra, body: body.bytes)
    }

    // MARK: - Within the dialogs

    /// The ACK for a 2xx to the INVITE last sent on `leg` (RFC 3261 §13.2.2.4): a new
    /// transaction-less request with that INVITE's CSeq number; it may carry the answer.
    public mutating func ack(on leg: LegName, via: String, body: CallBody = .none) -> SIPMessage {
        switch leg {
        case .a:
            return a.request(.ack, via: via, contact: nil, sequence: inviteSequenceA, body: body.bytes,
                             contentType: body.contentType)
        case .b:
            return b.request(.ack, via: via, contact: nil, sequence: inviteSequenceB, body: body.bytes,
                             contentType: body.contentType)
        }
    }

    /// Records a request received on `leg` within its dialog (RFC 3261 §12.2.2): false when
    /// its CSeq is lower than the last (the shell answers 500), and a target refresh
    /// (re-INVITE, UPDATE) takes its Contact.
    public mutating func receivedInDialog(_ request: SIPMessage, on leg: LegName) -> Bool {
        guard let cseq = request.cseq else { return false }
        var dialog = self.dialog(leg)
        if request.method != .ack, request.method != .cancel {
            if let last = dialog.remoteSequence, cseq.sequence <= last { return false }
            dialog.remoteSequence = cseq.sequence
        }
        if request.method == .invite || request.method == .update, let contact = request.contactURI {
            dialog.remoteTarget = contact
        }
        switch leg {
        case .a: a = dialog
        case .b: b = dialog
        }
        return true
    }

    /// The request that carries `request` (received on `leg`, within the dialog) to the other leg:
    /// same method, the other dialog's identifiers and next CSeq, Palisade's Contact there on a
    /// target refresh, the allowed headers, `body`. An ACK takes the CSeq of the INVITE it acknowledges.
    public mutating func relay(_ request: SIPMessage, from leg: LegName, via: String, body: CallBody) -> SIPMessage {
        let target = Self.other(leg)
        let method = request.method ?? .extension("UNKNOWN")
        let copied = headers.copied(from: request, sourceTrusted: side(leg).trusted)
        let contact: String? = switch method {
        case .invite, .update, .subscribe, .notify, .refer: side(target).contact
        default: nil
        }
        var dialog = self.dialog(target)
        // Early (or answered) dialogs: a request within one fork goes on within that fork.
        let fork = self.fork(of: request, from: leg)
        if let fork { Self.apply(fork, to: &dialog, leg: target) }
        let sequence: UInt32?
        switch (method, target) {
        case (.ack, .a): sequence = inviteSequenceA
        case (.ack, .b): sequence = inviteSequenceB
        default: sequence = nil
        }
        let message = dialog.request(method, via: via, contact: contact, sequence: sequence, headers: copied,
                                     body: body.bytes, contentType: body.contentType)
        if method == .invite {
            switch target {
            case .a: inviteSequenceA = dialog.localSequence
            case .b: inviteSequenceB = dialog.localSequence
            }
        }
        if fork != nil {
            // Only the CSeq space is shared with the current dialog; the fork's identity is its own.
            switch target {
            case .a: a.localSequence = dialog.localSequence
            case .b: b.localSequence = dialog.localSequence
            }
        } else {
            switch target {
            case .a: a = dialog
            case .b: b = dialog
            }
        }
        if method == .bye { state = .ending }
        return message
    }

    /// A request Palisade itself originates on `leg` within its dialog (a BYE after a media
    /// timeout or a failed answer), with a Reason when given (RFC 3326).
    public mutating func request(_ method: SIPMethod, on leg: LegName, via: String, reason: String? = nil) -> SIPMessage {
        let extra = reason.map { [("Reason", $0)] } ?? []
        let message: SIPMessage
        switch leg {
        case .a: message = a.request(method, via: via, contact: nil, headers: extra)
        case .b: message = b.request(method, via: via, contact: nil, headers: extra)
        }
        if method == .bye { state = .ending }
        return message
    }

    public mutating func end() { state = .ended }

    /// A built message parsed again, so that its accessors see the headers it will carry.
    static func reparse(_ message: SIPMessage) -> SIPMessage {
        guard message.isEdited else { return message }
        var limits = SIPLimits.default
        limits.maxMessageSize = Int.max
        limits.maxHeaderCount = Int.max
        return (try? SIPMessage(parsing: message.printed, framing: .stream, limits: limits)) ?? message
    }
}
