import MediaControlProtocol
import SDP

/// The SDP half of one call's media anchoring (issue 6 item 7, RFC 3264 offer/answer): a value
/// that turns an offer from one leg into a `SessionSpec` for the media plane and, with the
/// media plane's `SessionAllocation`, into the offer for the other leg; then the answer back.
///
/// It does no I/O and keeps no clock. The shell drives one exchange at a time:
///
///     receiveOffer(sdp, from: .a)        → .reject(488) or .allocate(spec)   — create/update-session
///     writeOffer(allocation)             → SDP for leg B
///     receiveAnswer(sdp)                 → .update(spec) or .reject          — update-session
///     writeAnswer(allocation)            → SDP for leg A; the exchange is done
///
/// Either leg may offer (a re-INVITE or UPDATE from the core side is `from: .b`). An early
/// answer (183 with SDP) goes through `receiveAnswer`/`writeAnswer` like the final one; the
/// exchange stays open until `complete()` or the next offer, so the 200's SDP can follow.
///
/// Each leg sees only Palisade: o= carries that leg's `SDPOriginIdentity` and a version that
/// grows on every change (RFC 3264 §8), c=, m= and a=rtcp carry the media plane's address and
/// ports, a=crypto carries the media plane's own key for that leg, and ICE and DTLS attributes
/// of the other leg are dropped because Palisade terminates media.
public struct MediaNegotiation: Sendable {
    public enum OfferDecision: Sendable, Equatable {
        /// Answer the offer with 488 and a Warning.
        case reject(MediaRejection)
        /// Send this to the media plane (create-session, or update-session when a session exists).
        case allocate(SessionSpec)
    }

    public enum AnswerDecision: Sendable, Equatable {
        /// The answer cannot be used under policy; end the exchange (e.g. 488 toward the offerer,
        /// BYE toward an answerer that sent a 200).
        case reject(MediaRejection)
        /// Send this to the media plane (update-session).
        case update(SessionSpec)
    }

    /// The media plane's session name.
    public let session: String
    public let policyA: RealmMediaPolicy
    public let policyB: RealmMediaPolicy
    /// The desired state after the last completed step; empty before the first offer.
    public internal(set) var spec: SessionSpec

    struct OriginState: Sendable {
        var identity: SDPOriginIdentity
        var version: UInt64?
        /// The last description sent on the leg, o= line left out, to tell a change from a refresh:
        /// its digest, not its bytes, which would stay for the whole call.
        var lastBody: BytesDigest?
    }

    struct Exchange: Sendable {
        var offerer: LegName
        var offer: SessionDescription
        var streams: [StreamOffer]
        /// The offer Palisade wrote onward, with the suites it offered per m= line and tag.
        var onward: SessionDescription?
        var onwardCryptos: [Int: [SDPCrypto]] = [:]
        var answer: SessionDescription?
        /// Which streams the answerer refused (port 0).
        var refused: Set<Int> = []
    }

    var originA: OriginState
    var originB: OriginState
    var exchange: Exchange?

    public init(session: String, policyA: RealmMediaPolicy, policyB: RealmMediaPolicy,
                originA: SDPOriginIdentity, originB: SDPOriginIdentity) {
        self.session = session
        self.policyA = policyA
        self.policyB = policyB
        self.spec = SessionSpec(session: session, streams: [])
        self.originA = OriginState(identity: originA)
        self.originB = OriginState(identity: originB)
    }

    /// Whether an offer is outstanding or its answer not yet sent on.
    public var isNegotiating: Bool { exchange != nil }

    func policy(_ leg: LegName) -> RealmMediaPolicy {
        switch leg {
        case .a: policyA
        case .b: policyB
        }
    }

    static func path(_ leg: LegName) -> WritableKeyPath<StreamSpec, LegSpec> {
        switch leg {
        case .a: \.a
        case .b: \.b
        }
    }

    static func path(_ leg: LegName) -> KeyPath<StreamAllocation, LegAllocation> {
        switch leg {
        case .a: \.a
        case .b: \.b
        }
    }

    static func other(_ leg: LegName) -> LegName {
        switch leg {
        case .a: .b
        case .b: .a
        }
    }

    // MARK: - Offer in

    /// RFC 3264 §5–6 from the answerer's side: decides whether Palisade can take `offer` from
    /// `leg` under that leg's policy and says what the media plane must set up.
    ///
    /// Per m= line: port 0 stays rejected (RFC 3264 §8.2); a line that is not audio or video, not
    /// RTP/AVP(F)/SAVP(F), or breaks the SRTP policy is rejected alone; when no line is left,
    /// the whole offer gets 488 with the first reason. An accepted line gives the offering leg's
    /// `LegSpec` from its own c=/m=/a=rtcp/rtcp-mux/direction and the first a=crypto the policy
    /// allows (RFC 4568 §7.1.1): the peer's key as `remoteKey`, and the media plane's current
    /// key kept as `localKey` unless the suite changes (a re-key keeps Palisade's own key;
    /// RFC 4568 §7.1.4). The other leg's `LegSpec` follows its own realm policy.
    public mutating func receiveOffer(_ offer: SessionDescription, from leg: LegName) -> OfferDecision {
        // RFC 3264 §4: one offer at a time. Once an (early) answer is in, a new offer (UPDATE,
        // RFC 3311 §5.1) ends the open exchange.
        if let exchange, exchange.answer == nil {
            return .reject(MediaRejection(.offerPending, "an offer is already outstanding"))
        }
        let mine = policy(leg)
        let theirs = policy(Self.other(leg))
        var streams: [StreamOffer] = []
        var specs: [StreamSpec] = []
        var firstReason: MediaRejection?
        var sawAudioVideo = false
        for (index, section) in offer.media.enumerated() {
            let media = section.media
            var stream = StreamOffer(index: index, verdict: .accepted, proto: media.proto, crypto: nil, peer: nil)
            let outcome = Self.judge(section, index: index, in: offer, policy: mine)
            if media.type == "audio" || media.type == "video" { sawAudioVideo = true }
            switch outcome {
            case .rejected(let reason):
                stream.verdict = .rejected(reason)
                if firstReason == nil, let reason { firstReason = reason }
            case .accepted(let crypto, let peer):
                stream.crypto = crypto
                stream.peer = peer
                specs.append(streamSpec(index: index, offerer: leg, crypto: crypto, peer: peer, mine: mine, theirs: theirs))
            }
            streams.append(stream)
        }
        guard !specs.isEmpty else {
            let reason = firstReason
                ?? MediaRejection(.noMediaStream, sawAudioVideo ? "every media stream is disabled" : "no audio or video stream")
            return .reject(reason)
        }
        exchange = Exchange(offerer: leg, offer: offer, streams: streams)
        let proposed = SessionSpec(session: session, streams: specs)
        pendingSpec = proposed
        return .allocate(proposed)
    }

    /// The spec of the exchange in progress (what the media plane was last asked for).
    public internal(set) var pendingSpec: SessionSpec?

    enum Judgement {
        case accepted(SDPCrypto?, MediaPeer)
        case rejected(MediaRejection?)
    }

    /// One m= line against one realm policy: the accepted crypto and peer, or why not
    /// (nil reason for a line the offerer itself disabled with port 0).
    static func judge(_ section: MediaSection, index: Int, in sdp: SessionDescription,
                      policy: RealmMediaPolicy) -> Judgement {
        let media = section.media
        guard media.port != 0 else { return .rejected(nil) }
        guard media.type == "audio" || media.type == "video" else {
            return .rejected(MediaRejection(.noMediaStream, stream: index, "no audio or video stream"))
        }
        guard ["RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF"].contains(media.proto) else {
            return .rejected(MediaRejection(.unsupportedTransport, stream: index, "transport \(media.proto) not supported"))
        }
        let chosen: SDPCrypto?
        switch policy.srtp {
        case .required:
            guard let c = CryptoChoice.first(in: section, allowed: policy.suites) else {
                return .rejected(media.isSRTP
                    ? MediaRejection(.noAcceptableCrypto, stream: index, "no acceptable crypto suite")
                    : MediaRejection(.srtpRequired, stream: index, "SRTP required"))
            }
            chosen = c
        case .optional:
            chosen = CryptoChoice.first(in: section, allowed: policy.suites)
            if chosen == nil, media.isSRTP {
                return .rejected(MediaRejection(.noAcceptableCrypto, stream: index, "no acceptable crypto suite"))
            }
        case .rtpOnly:
            guard !media.isSRTP else {
                return .rejected(MediaRejection(.srtpNotAllowed, stream: index, "SRTP not allowed, RTP only"))
            }
            chosen = nil
        }
        switch MediaPeer.read(section, in: sdp, stream: index) {
        case .failure(let reason): return .rejected(reason)
        case .success(let peer): return .accepted(chosen, peer)
        }
    }

    func streamSpec(index: Int, offerer: LegName, crypto: SDPCrypto?, peer: MediaPeer,
                    mine: RealmMediaPolicy, theirs: RealmMediaPolicy) -> StreamSpec {
        let current = spec.streams.first { $0.index == index }
        let offererPath: WritableKeyPath<StreamSpec, LegSpec> = Self.path(offerer)
        let otherPath: WritableKeyPath<StreamSpec, LegSpec> = Self.path(Self.other(offerer))
        let currentOfferer = current?[keyPath: offererPath]
        let currentOther = current?[keyPath: otherPath]

        var offererProfile = LegProfile.rtp
        if let crypto {
            let suite = crypto.suite.description
            var localKey: String?
            if case .srtp(let s, let k, _)? = currentOfferer?.profile, s == suite { localKey = k }
            offererProfile = .srtp(suite: suite, localKey: localKey, remoteKey: CryptoChoice.canonical(crypto.keys[0]))
        }
        let offererLeg = LegSpec(interface: mine.interface, rtcpMux: peer.rtcpMux, remote: peer.remote,
                                 remoteRTCP: peer.remoteRTCP, profile: offererProfile, direction: peer.direction,
                                 strictSource: mine.strictSource)

        // The other leg keeps what its peer last said until it answers; a new stream starts
        // from its realm's policy with the first suite it offers.
        var otherProfile = LegProfile.rtp
        if theirs.srtp != .rtpOnly, let first = theirs.suites.first(where: { $0.keySaltLength != nil }) {
            otherProfile = .srtp(suite: first.description, localKey: nil, remoteKey: nil)
            if case .srtp(let s, let k, let r)? = currentOther?.profile { otherProfile = .srtp(suite: s, localKey: k, remoteKey: r) }
        }
        let otherLeg = LegSpec(interface: theirs.interface, rtcpMux: currentOther?.rtcpMux ?? peer.rtcpMux,
                               remote: currentOther?.remote, remoteRTCP: currentOther?.remoteRTCP,
                               profile: otherProfile, direction: peer.direction.mirrored,
                               strictSource: theirs.strictSource)
        var stream = StreamSpec(index: index, a: offererLeg, b: otherLeg)
        stream[keyPath: offererPath] = offererLeg
        stream[keyPath: otherPath] = otherLeg
        return stream
    }

    // MARK: - Answer in

    /// RFC 3264 §6 and §7 from the offerer's side: reads the answer from the leg Palisade sent
    /// the offer to, and says what changes for the media plane — that leg's remote endpoint,
    /// direction, rtcp-mux and, for SRTP, the suite of the offered tag it accepted (RFC 4568
    /// §7.1.3) with its key as `remoteKey`. A line the answerer set to port 0 is dropped.
    /// Callable again for the same offer (183 then 200): the later answer replaces the earlier.
    public mutating func receiveAnswer(_ answer: SessionDescription) -> AnswerDecision {
        guard var exchange, let proposed = pendingSpec else {
            return .reject(MediaRejection(.noOfferPending, "answer without an offer"))
        }
        guard answer.media.count == exchange.offer.media.count else {
            return .reject(MediaRejection(.answerMismatch,
                                          "answer has \(answer.media.count) m= lines, offer had \(exchange.offer.media.count)"))
        }
        let answerer = Self.other(exchange.offerer)
        let theirs = policy(answerer)
        let path: WritableKeyPath<StreamSpec, LegSpec> = Self.path(answerer)
        var streams: [StreamSpec] = []
        var refused: Set<Int> = []
        for var stream in proposed.streams {
            let section = answer.media[stream.index]
            guard section.media.port != 0 else {
                refused.insert(stream.index)
                continue
            }
            let peer: MediaPeer
            switch MediaPeer.read(section, in: answer, stream: stream.index) {
            case .failure(let reason): return .reject(reason)
            case .success(let p): peer = p
            }
            var leg = stream[keyPath: path]
            leg.remote = peer.remote
            leg.remoteRTCP = peer.remoteRTCP
            leg.rtcpMux = peer.rtcpMux
            leg.direction = peer.direction
            let offered = exchange.onwardCryptos[stream.index] ?? []
            let accepted = CryptoChoice.cryptos(in: section).first { a in
                offered.contains { $0.tag == a.tag && $0.suite == a.suite } && a.keys.count == 1 && a.keys[0].mki == nil
            }
            if let accepted {
                var localKey: String?
                if let mine = offered.first(where: { $0.tag == accepted.tag }) { localKey = mine.keys[0].encoded }
                leg.profile = .srtp(suite: accepted.suite.description, localKey: localKey,
                                    remoteKey: CryptoChoice.canonical(accepted.keys[0]))
            } else if theirs.srtp == .required || section.media.isSRTP {
                return .reject(MediaRejection(section.media.isSRTP ? .noAcceptableCrypto : .srtpRequired,
                                              stream: stream.index,
                                              section.media.isSRTP ? "no acceptable crypto suite in answer"
                                                                   : "SRTP required, answer is RTP"))
            } else {
                leg.profile = .rtp
            }
            stream[keyPath: path] = leg
            streams.append(stream)
        }
        exchange.answer = answer
        exchange.refused = refused
        self.exchange = exchange
        let updated = SessionSpec(session: session, streams: streams)
        spec = updated
        return .update(updated)
    }

    /// Ends the exchange after the final answer was sent on; the next offer starts afresh.
    public mutating func complete() {
        exchange = nil
        pendingSpec = nil
    }

    /// Abandons an offer that was refused or failed (RFC 3264 §8: the old session stays).
    public mutating func abandon() {
        exchange = nil
        pendingSpec = nil
    }
}
