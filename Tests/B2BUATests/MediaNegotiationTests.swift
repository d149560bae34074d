import B2BUA
import MediaControlProtocol
import SDP
import Testing

/// Direct checks of what the golden files show only in passing.
@Suite("MediaNegotiation")
struct MediaNegotiationTests {
    static let access = GoldenCase.access(.required)
    static let core = GoldenCase.core(.rtpOnly)

    static func negotiation(_ a: RealmMediaPolicy = access, _ b: RealmMediaPolicy = core) -> MediaNegotiation {
        MediaNegotiation(session: "t", policyA: a, policyB: b, originA: SDPOriginIdentity(sessionID: "1"),
                         originB: SDPOriginIdentity(sessionID: "2"))
    }

    static func sdp(_ text: String) throws -> SessionDescription {
        try SessionDescription(parsing: text.split(separator: "\n").map { $0 + "\r\n" }.joined())
    }

    static let key80 = "WmFob3Z9hIuSmaCnrrW8w8rR2N/m7fT7AgkQFx4l"

    static func offer(proto: String = "RTP/SAVP", crypto: String? = "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:\(key80)",
                      extra: String = "") throws -> SessionDescription {
        try sdp("""
        v=0
        o=p 1 1 IN IP4 192.0.2.5
        s=-
        c=IN IP4 192.0.2.5
        t=0 0
        m=audio 5004 \(proto) 0
        a=rtpmap:0 PCMU/8000
        \(crypto ?? "a=ptime:20")
        \(extra.isEmpty ? "a=ptime:20" : extra)
        """)
    }

    static let answerB = """
    v=0
    o=- 1 1 IN IP4 198.51.100.30
    s=-
    c=IN IP4 198.51.100.30
    t=0 0
    m=audio 18000 RTP/AVP 0
    a=rtpmap:0 PCMU/8000
    """

    @Test("RFC 3264 §6 / RFC 4568 §7.1.1: the offer's first acceptable a=crypto gives leg A's profile")
    func offerSpec() throws {
        var n = Self.negotiation()
        guard case .allocate(let spec) = n.receiveOffer(try Self.offer(extra: "a=rtcp:6000 IN IP4 192.0.2.6"), from: .a) else {
            Issue.record("rejected")
            return
        }
        let stream = try #require(spec.streams.first)
        #expect(stream.index == 0)
        #expect(stream.a.remote == Endpoint(address: "192.0.2.5", port: 5004))
        #expect(stream.a.remoteRTCP == Endpoint(address: "192.0.2.6", port: 6000))
        #expect(stream.a.profile == .srtp(suite: "AES_CM_128_HMAC_SHA1_80", localKey: nil, remoteKey: Self.key80))
        #expect(stream.a.interface == "access")
        #expect(stream.b.profile == .rtp)
        #expect(stream.b.interface == "core")
        #expect(stream.b.remote == nil)
    }

    @Test("RFC 3605 §2.1: without a=rtcp, RTCP goes to the RTP port + 1; RFC 5761 §5.1.1: none with rtcp-mux")
    func rtcpDefaults() throws {
        var n = Self.negotiation()
        guard case .allocate(let spec) = n.receiveOffer(try Self.offer(), from: .a) else { Issue.record("rejected"); return }
        #expect(spec.streams[0].a.remoteRTCP == Endpoint(address: "192.0.2.5", port: 5005))
        #expect(spec.streams[0].a.rtcpMux == false)
        var m = Self.negotiation()
        guard case .allocate(let muxed) = m.receiveOffer(try Self.offer(extra: "a=rtcp-mux"), from: .a) else {
            Issue.record("rejected")
            return
        }
        #expect(muxed.streams[0].a.remoteRTCP == nil)
        #expect(muxed.streams[0].a.rtcpMux)
        #expect(muxed.streams[0].b.rtcpMux)
    }

    @Test("RFC 3264 §5.1 directions: sendonly from A is recvonly expected of B")
    func directions() throws {
        var n = Self.negotiation()
        guard case .allocate(let spec) = n.receiveOffer(try Self.offer(extra: "a=sendonly"), from: .a) else {
            Issue.record("rejected")
            return
        }
        #expect(spec.streams[0].a.direction == .sendonly)
        #expect(spec.streams[0].b.direction == .recvonly)
    }

    @Test("RFC 3264 §8.4: c=0.0.0.0 hold means no remote and sendonly")
    func oldStyleHold() throws {
        var n = Self.negotiation()
        let held = try Self.sdp("""
        v=0
        o=p 1 2 IN IP4 192.0.2.5
        s=-
        c=IN IP4 0.0.0.0
        t=0 0
        m=audio 5004 RTP/SAVP 0
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(Self.key80)
        """)
        guard case .allocate(let spec) = n.receiveOffer(held, from: .a) else { Issue.record("rejected"); return }
        #expect(spec.streams[0].a.remote == nil)
        #expect(spec.streams[0].a.remoteRTCP == nil)
        #expect(spec.streams[0].a.direction == .sendonly)
        var plane = FakeMediaPlane(addressA: GoldenCase.palisadeAccess, addressB: GoldenCase.palisadeCore)
        let outWritten = n.writeOffer(allocation: plane.apply(spec))
        let out = try #require(outWritten)
        #expect(out.connection?.address == GoldenCase.palisadeCore)
        #expect(out.media[0].direction == .sendonly)
    }

    @Test("488 warnings per policy (RFC 3261 §20.43, RFC 3264 §6)", arguments: [
        (SRTPPolicy.required, "RTP/AVP", false, MediaRejection.Code.srtpRequired),
        (SRTPPolicy.rtpOnly, "RTP/SAVP", true, MediaRejection.Code.srtpNotAllowed),
        (SRTPPolicy.optional, "RTP/SAVP", false, MediaRejection.Code.noAcceptableCrypto),
        (SRTPPolicy.required, "UDP/TLS/RTP/SAVPF", true, MediaRejection.Code.unsupportedTransport),
    ])
    func rejections(policy: SRTPPolicy, proto: String, withCrypto: Bool, code: MediaRejection.Code) throws {
        var n = Self.negotiation(GoldenCase.access(policy))
        let offer = withCrypto ? try Self.offer(proto: proto) : try Self.offer(proto: proto, crypto: nil)
        let decision = n.receiveOffer(offer, from: .a)
        guard case .reject(let r) = decision else { Issue.record("accepted: \(decision)"); return }
        #expect(r.code == code)
        #expect(r.status == 488)
        #expect(r.warning(agent: "sbc.example.com").hasPrefix("30"))
        #expect(!n.isNegotiating)
    }

    @Test("An RTP/AVP offer with a=crypto in an rtp-only realm is answered as RTP (RFC 8643 §3.1)")
    func opportunisticIgnored() throws {
        var n = Self.negotiation(GoldenCase.access(.rtpOnly))
        guard case .allocate(let spec) = n.receiveOffer(try Self.offer(proto: "RTP/AVP"), from: .a) else {
            Issue.record("rejected")
            return
        }
        #expect(spec.streams[0].a.profile == .rtp)
    }

    @Test("RFC 3264 §6: an answer with another m= count is refused")
    func answerMismatch() throws {
        var n = Self.negotiation()
        guard case .allocate(let spec) = n.receiveOffer(try Self.offer(), from: .a) else { Issue.record("rejected"); return }
        var plane = FakeMediaPlane(addressA: GoldenCase.palisadeAccess, addressB: GoldenCase.palisadeCore)
        _ = n.writeOffer(allocation: plane.apply(spec))
        let two = try Self.sdp(Self.answerB + "\nm=video 0 RTP/AVP 99")
        guard case .reject(let r) = n.receiveAnswer(two) else { Issue.record("accepted"); return }
        #expect(r.code == .answerMismatch)
        var fresh = Self.negotiation()
        guard case .reject(let none) = fresh.receiveAnswer(try Self.sdp(Self.answerB)) else { Issue.record("accepted"); return }
        #expect(none.code == .noOfferPending)
    }

    @Test("Early media: a 183 answer then the 200's answer both go through (RFC 3261 §13.2.1)")
    func earlyMedia() throws {
        var n = Self.negotiation()
        var plane = FakeMediaPlane(addressA: GoldenCase.palisadeAccess, addressB: GoldenCase.palisadeCore)
        guard case .allocate(let spec) = n.receiveOffer(try Self.offer(), from: .a) else { Issue.record("rejected"); return }
        _ = n.writeOffer(allocation: plane.apply(spec))
        guard case .update(let early) = n.receiveAnswer(try Self.sdp(Self.answerB)) else { Issue.record("refused"); return }
        let firstWritten = n.writeAnswer(allocation: plane.apply(early))
        let first = try #require(firstWritten)
        guard case .update(let final) = n.receiveAnswer(try Self.sdp(Self.answerB)) else { Issue.record("refused"); return }
        let secondWritten = n.writeAnswer(allocation: plane.apply(final))
        let second = try #require(secondWritten)
        n.complete()
        #expect(first.printed == second.printed, "an unchanged answer keeps its o= version")
        #expect(early == final)
        #expect(final.streams[0].b.remote == Endpoint(address: "198.51.100.30", port: 18000))
        #expect(n.spec == final)
        #expect(!n.isNegotiating)
    }

    @Test("RFC 4568 §6.1: a key without padding reaches the media plane padded")
    func paddedRemoteKey() throws {
        var n = Self.negotiation(GoldenCase.access(.required, [.aeadAES128GCM]))
        let unpadded = "z9bd5Ovy+QAHDhUcIyoxOD9GTVRbYmlwd36FjA"
        guard case .allocate(let spec) = n.receiveOffer(
            try Self.offer(crypto: "a=crypto:1 AEAD_AES_128_GCM inline:\(unpadded)"), from: .a) else {
            Issue.record("rejected")
            return
        }
        #expect(spec.streams[0].a.profile == .srtp(suite: "AEAD_AES_128_GCM", localKey: nil, remoteKey: unpadded + "=="))
    }

    @Test("RFC 4568 §5.1.1: the offer to an SRTP leg lists only suites sharing the allocated key length")
    func suitesShareKeyLength() throws {
        var n = Self.negotiation(GoldenCase.access(.required), GoldenCase.core(.required, [.aesCM128HMACSHA1_80, .aeadAES128GCM, .aesCM128HMACSHA1_32]))
        var plane = FakeMediaPlane(addressA: GoldenCase.palisadeAccess, addressB: GoldenCase.palisadeCore)
        guard case .allocate(let spec) = n.receiveOffer(try Self.offer(), from: .a) else { Issue.record("rejected"); return }
        let outWritten = n.writeOffer(allocation: plane.apply(spec))
        let out = try #require(outWritten)
        let suites = try out.media[0].cryptos().map(\.suite)
        #expect(suites == [.aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32])
        #expect(out.media[0].media.proto == "RTP/SAVP")
    }

    /// One full exchange from A with `offer`, answered by B with `answerB`.
    static func exchange(_ n: inout MediaNegotiation, _ plane: inout FakeMediaPlane, _ offer: SessionDescription,
                         answer: String = answerB) throws -> SessionSpec {
        guard case .allocate(let spec) = n.receiveOffer(offer, from: .a) else { throw MediaRejection(.noMediaStream, "refused") }
        _ = n.writeOffer(allocation: plane.apply(spec))
        guard case .update(let updated) = n.receiveAnswer(try sdp(answer)) else { throw MediaRejection(.answerMismatch, "refused") }
        _ = n.writeAnswer(allocation: plane.apply(updated))
        n.complete()
        return n.spec
    }

    @Test("RFC 4568 §7.1.4 re-key: the peer's new key, Palisade's key kept; a new suite draws a new key")
    func rekey() throws {
        var n = Self.negotiation()
        var plane = FakeMediaPlane(addressA: GoldenCase.palisadeAccess, addressB: GoldenCase.palisadeCore)
        let first = try Self.exchange(&n, &plane, Self.offer())
        guard case .srtp(_, let localKey?, _) = first.streams[0].a.profile else { Issue.record("no key"); return }
        let newKey = "XWRrcnmAh46VnKOqsbi/xs3U2+Lp8Pf+BQwTGiEo"
        guard case .allocate(let rekeyed) = n.receiveOffer(
            try Self.offer(crypto: "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(newKey)"), from: .a) else {
            Issue.record("rejected")
            return
        }
        #expect(rekeyed.streams[0].a.profile == .srtp(suite: "AES_CM_128_HMAC_SHA1_80", localKey: localKey, remoteKey: newKey))
        n.abandon()
        guard case .allocate(let resuited) = n.receiveOffer(
            try Self.offer(crypto: "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:\(newKey)"), from: .a) else {
            Issue.record("rejected")
            return
        }
        #expect(resuited.streams[0].a.profile == .srtp(suite: "AES_CM_128_HMAC_SHA1_32", localKey: nil, remoteKey: newKey))
    }

    @Test("SRTP on both legs: each leg gets its own key, and neither is the peer's")
    func keysDifferPerLeg() throws {
        var n = Self.negotiation(GoldenCase.access(.required), GoldenCase.core(.required))
        var plane = FakeMediaPlane(addressA: GoldenCase.palisadeAccess, addressB: GoldenCase.palisadeCore)
        let answer = """
        v=0
        o=- 1 1 IN IP4 198.51.100.30
        s=-
        c=IN IP4 198.51.100.30
        t=0 0
        m=audio 18000 RTP/SAVP 0
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:YGdudXyDipGYn6attLvCydDX3uXs8/oBCA8WHSQr
        """
        let spec = try Self.exchange(&n, &plane, Self.offer(), answer: answer)
        guard case .srtp(_, let keyA?, let peerA?) = spec.streams[0].a.profile,
              case .srtp(_, let keyB?, let peerB?) = spec.streams[0].b.profile else {
            Issue.record("not SRTP on both legs: \(spec)")
            return
        }
        #expect(Set([keyA, keyB, peerA, peerB]).count == 4)
        #expect(peerB == "YGdudXyDipGYn6attLvCydDX3uXs8/oBCA8WHSQr")
    }

    @Test("RFC 3264 §8: an unchanged offer keeps the o= version, a changed one increments it")
    func originVersion() throws {
        var n = Self.negotiation()
        var plane = FakeMediaPlane(addressA: GoldenCase.palisadeAccess, addressB: GoldenCase.palisadeCore)
        var versions: [UInt64] = []
        for extra in ["a=ptime:20", "a=ptime:20", "a=sendonly"] {
            guard case .allocate(let spec) = n.receiveOffer(try Self.offer(extra: extra), from: .a) else {
                Issue.record("rejected")
                return
            }
            let out = n.writeOffer(allocation: plane.apply(spec))
            versions.append(out?.origin?.sessionVersion ?? 0)
            n.abandon()
        }
        #expect(versions == [1, 1, 2])
    }

    @Test("RFC 3261 §14.2 glare: an offer while Palisade's offer is unanswered gets 491")
    func glare() throws {
        var n = Self.negotiation()
        guard case .allocate = n.receiveOffer(try Self.offer(), from: .a) else { Issue.record("rejected"); return }
        guard case .reject(let r) = n.receiveOffer(try Self.sdp(Self.answerB), from: .b) else { Issue.record("accepted"); return }
        #expect(r.code == .offerPending)
        #expect(r.status == 491)
        #expect(n.isNegotiating)
    }

    @Test("An RTP answer from an SRTP-required realm is refused (RFC 4568 §7.1.3)")
    func answerBreaksPolicy() throws {
        var n = Self.negotiation(GoldenCase.access(.required), GoldenCase.core(.required))
        var plane = FakeMediaPlane(addressA: GoldenCase.palisadeAccess, addressB: GoldenCase.palisadeCore)
        guard case .allocate(let spec) = n.receiveOffer(try Self.offer(), from: .a) else { Issue.record("rejected"); return }
        _ = n.writeOffer(allocation: plane.apply(spec))
        guard case .reject(let r) = n.receiveAnswer(try Self.sdp(Self.answerB)) else { Issue.record("accepted"); return }
        #expect(r.code == .srtpRequired)
    }
}
