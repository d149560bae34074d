import Foundation
import Testing
import TestSupport

/// Forked early dialogs, reliable provisionals (RFC 3262) and session timers (RFC 4028) through
/// both daemons, with sipp as the phone and as the core PBX (issue 6, item 7), in the shape of
/// `CallEndToEndTests`.
@Suite("Early dialogs, PRACK and session timers end to end", .serialized)
struct EarlyDialogEndToEndTests {
    typealias SippPeer = CallEndToEndTests.SippPeer

    /// The value of header `name` in `message` (first one, long form), trimmed.
    static func header(_ name: String, in message: String) -> String? {
        for line in message.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The tag parameter of the To header of `message`.
    static func toTag(_ message: String) -> String? {
        guard let to = header("To", in: message), let range = to.range(of: ";tag=") else { return nil }
        return String(to[range.upperBound...].prefix { $0 != ";" && $0 != ">" && !$0.isWhitespace })
    }

    /// The requests of `method` among `messages`, by their request line.
    static func requests(_ method: String, in messages: [String]) -> [String] {
        messages.filter { $0.split(separator: " ", maxSplits: 1).first.map(String.init) == method }
    }

    static func text(_ packet: (bytes: [UInt8], fromPort: UInt16)?) -> String? {
        packet.map { String(decoding: $0.bytes.dropFirst(12), as: UTF8.self) }
    }

    @Test("RFC 3261 §12.1.2: a forking core's two 183s become two early dialogs toward the phone; the latest early answer is heard, the 200 of the other fork settles the media on it, a late 200 of the first fork gets ACK and BYE")
    func forkedEarlyDialogs() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let directory = setup.pair.directory.path
            let phoneMedia = try LoopbackUDP(), fork1Media = try LoopbackUDP(), fork2Media = try LoopbackUDP()
            let pbx = try SippPeer(scenario: "fork-uas.xml", target: nil, port: setup.pbxPort, rtpPort: fork1Media.port,
                                   extra: ["-key", "rtp_port2", "\(fork2Media.port)"], directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))
            let phone = try SippPeer(scenario: "fork-uac.xml", target: setup.accessTarget, rtpPort: phoneMedia.port,
                                     holdMilliseconds: 1000, directory: directory, name: "phone")

            // Both early dialogs reach the phone, each with Palisade's SDP and a To tag of its own.
            let early = await eventually(seconds: 10) { () -> [String]? in
                let provisionals = phone.received.filter { $0.hasPrefix("SIP/2.0 183") }
                return provisionals.count >= 2 ? provisionals : nil
            }
            let provisionals = try #require(early, "no two 183s\n\(phone.log)\n\(pbx.log)\n\(setup.pair.logs)")
            let tags = provisionals.compactMap(Self.toTag)
            #expect(tags.count == 2 && tags[0] != tags[1], "two early dialogs toward the phone: \(tags)")
            #expect(!provisionals.contains { $0.contains("fork-1-") || $0.contains("fork-2-") || $0.contains("o=fork") })
            let accessPort = try #require(CallEndToEndTests.mediaPort(in: provisionals, startingWith: "SIP/2.0 183"))
            #expect(CallEndToEndTests.mediaPort(in: [provisionals[1]], startingWith: "SIP/2.0 183") == accessPort,
                    "one media session: every early dialog names the same Palisade port")

            // While fork 2's early answer is the latest, the phone's media goes to fork 2.
            let early2 = try await CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: fork2Media) { n in
                MediaEndToEndTests.rtp(sequence: UInt16(n), ssrc: 0x1111, payload: "early\(n)")
            }
            #expect(Self.text(early2)?.hasPrefix("early") == true, "early media did not reach the latest fork")

            // Fork 1 answers: the 200 names fork 1's early dialog, and the media follows fork 1.
            let ok = await eventually(seconds: 10) { phone.received.first { $0.hasPrefix("SIP/2.0 200") } }
            let answer = try #require(ok, "no 200\n\(phone.log)\n\(setup.pair.logs)")
            #expect(Self.toTag(answer) == tags.first, "the 200 confirms the first fork's early dialog")
            let answered = try await CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: fork1Media) { n in
                MediaEndToEndTests.rtp(sequence: UInt16(100 + n), ssrc: 0x1111, payload: "talk\(n)")
            }
            #expect(Self.text(answered)?.hasPrefix("talk") == true, "media did not move to the answering fork")

            #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(setup.pair.logs)")
            #expect(await pbx.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx.log)\n\(setup.pair.logs)")
            // The late 200 of fork 2: ACK and BYE within fork 2; the phone's BYE went to fork 1.
            let received = pbx.received
            let acks = Self.requests("ACK", in: received).compactMap(Self.toTag)
            let byeMessages = Self.requests("BYE", in: received)
            let byes = byeMessages.compactMap(Self.toTag)
            #expect(acks.count == 2 && acks[0].hasPrefix("fork-1-") && acks[1].hasPrefix("fork-2-"), "\(acks)")
            #expect(byes.count == 2 && byes[0].hasPrefix("fork-2-") && byes[1].hasPrefix("fork-1-"), "\(byes) from \(byeMessages)")
            #expect(Self.requests("BYE", in: phone.received).isEmpty, "the phone never hears of fork 2's answer")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0, "\(setup.pair.logs)")
        }
    }

    @Test("forks with reliable 183s to a phone without 100rel: Palisade PRACKs each fork, the latest early answer is heard, and the 200 without SDP brings fork 1's answer to the phone and its media back")
    func forkedReliableEarlyAnswers() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let directory = setup.pair.directory.path
            let phoneMedia = try LoopbackUDP(), fork1Media = try LoopbackUDP(), fork2Media = try LoopbackUDP()
            let pbx = try SippPeer(scenario: "fork-reliable-uas.xml", target: nil, port: setup.pbxPort,
                                   rtpPort: fork1Media.port, extra: ["-key", "rtp_port2", "\(fork2Media.port)"],
                                   directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))
            let phone = try SippPeer(scenario: "fork-uac.xml", target: setup.accessTarget, rtpPort: phoneMedia.port,
                                     holdMilliseconds: 1000, directory: directory, name: "phone")
            let early = await eventually(seconds: 10) { () -> [String]? in
                let provisionals = phone.received.filter { $0.hasPrefix("SIP/2.0 183") }
                return provisionals.count >= 2 ? provisionals : nil
            }
            let provisionals = try #require(early, "no two 183s\n\(phone.log)\n\(pbx.log)\n\(setup.pair.logs)")
            #expect(provisionals.allSatisfy { Self.header("RSeq", in: $0) == nil }, "relayed unreliably")
            let accessPort = try #require(CallEndToEndTests.mediaPort(in: provisionals, startingWith: "SIP/2.0 183"))
            let early2 = try await CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: fork2Media) { n in
                MediaEndToEndTests.rtp(sequence: UInt16(n), ssrc: 0x1111, payload: "early\(n)")
            }
            #expect(Self.text(early2)?.hasPrefix("early") == true, "early media did not reach the latest fork")

            let ok = await eventually(seconds: 10) { phone.received.first { $0.hasPrefix("SIP/2.0 200") } }
            let answer = try #require(ok, "no 200\n\(phone.log)\n\(setup.pair.logs)")
            #expect(CallEndToEndTests.mediaPort(in: [answer], startingWith: "SIP/2.0 200") == accessPort,
                    "the 200 carries the answer the phone only had unreliably: \(answer)")
            let answered = try await CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: fork1Media) { n in
                MediaEndToEndTests.rtp(sequence: UInt16(100 + n), ssrc: 0x1111, payload: "talk\(n)")
            }
            #expect(Self.text(answered)?.hasPrefix("talk") == true, "media did not move back to the answering fork")

            #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(setup.pair.logs)")
            #expect(await pbx.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx.log)\n\(setup.pair.logs)")
            let pracks = Self.requests("PRACK", in: pbx.received)
            #expect(pracks.compactMap(Self.toTag).map { String($0.prefix(7)) } == ["fork-1-", "fork-2-"], "\(pbx.log)")
            #expect(pracks.allSatisfy { Self.header("RAck", in: $0) == "1 1 INVITE" })
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0, "\(setup.pair.logs)")
        }
    }

    @Test("RFC 3262: a phone requiring 100rel gets the core's reliable 180 with an RSeq of its own leg; its PRACK reaches the core with RAck mapped back")
    func prackRelayed() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "prack-uas.xml", rtpPort: pbxMedia.port,
                                                    phone: "prack-uac.xml", rtpPort: phoneMedia.port, holdMilliseconds: 300)

            #expect(!phone.received.contains { $0.hasPrefix("SIP/2.0 420") }, "Require: 100rel is no longer refused")
            let invite = try #require(Self.requests("INVITE", in: pbx.received).first)
            #expect(Self.header("Require", in: invite) == "100rel", "the phone's requirement goes on to the core")
            let ringing = try #require(phone.received.first { $0.hasPrefix("SIP/2.0 180") }, "\(phone.log)")
            let rseq = try #require(Self.header("RSeq", in: ringing).flatMap { UInt32($0) }, "\(ringing)")
            #expect(Self.header("Require", in: ringing) == "100rel")
            #expect(rseq != 5001, "RSeq is numbered per leg, not copied")
            let prack = try #require(Self.requests("PRACK", in: pbx.received).first, "no PRACK at the core\n\(pbx.log)")
            #expect(Self.header("RAck", in: prack) == "5001 1 INVITE", "RAck names the core's RSeq and INVITE: \(prack)")
            #expect(Self.toTag(prack)?.hasPrefix("pbx-tag-") == true)
            #expect(!prack.contains("phone-tag-") && !prack.contains("\(rseq)"))
            #expect(phone.received.contains { $0.hasPrefix("SIP/2.0 200") && $0.contains("PRACK") },
                    "the core's 200 to the PRACK reaches the phone")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0, "\(setup.pair.logs)")
        }
    }

    @Test("RFC 3262 §3: Palisade retransmits the reliable 180 on the phone's UDP leg until the phone PRACKs it, with the same RSeq")
    func reliableRetransmitted() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "prack-uas.xml", rtpPort: pbxMedia.port,
                                                    phone: "prack-late-uac.xml", rtpPort: phoneMedia.port, holdMilliseconds: 300)
            let rseqs = phone.received.filter { $0.hasPrefix("SIP/2.0 180") }.compactMap { Self.header("RSeq", in: $0) }
            #expect(rseqs.count >= 2 && Set(rseqs).count == 1, "one reliable 180, retransmitted: \(rseqs)")
            let pracks = Self.requests("PRACK", in: pbx.received)
            #expect(pracks.count == 1 && pracks.allSatisfy { Self.header("RAck", in: $0) == "5001 1 INVITE" }, "\(pbx.log)")
        }
    }

    @Test("RFC 3262 §4: to a phone without 100rel the reliable 180 is relayed unreliably and Palisade PRACKs the core itself")
    func prackAnsweredByPalisade() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "prack-uas.xml", rtpPort: pbxMedia.port,
                                                    phone: "call-uac.xml", rtpPort: phoneMedia.port, holdMilliseconds: 300)

            let invite = try #require(Self.requests("INVITE", in: pbx.received).first)
            #expect(Self.header("Supported", in: invite)?.contains("100rel") == true, "Palisade offers 100rel itself")
            #expect(Self.header("Require", in: invite) == nil)
            let ringing = phone.received.filter { $0.hasPrefix("SIP/2.0 180") }
            #expect(!ringing.isEmpty && ringing.allSatisfy { Self.header("RSeq", in: $0) == nil
                && Self.header("Require", in: $0) == nil }, "\(ringing)")
            let pracks = Self.requests("PRACK", in: pbx.received)
            #expect(pracks.count == 1 && pracks.allSatisfy { Self.header("RAck", in: $0) == "5001 1 INVITE" }, "\(pbx.log)")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0, "\(setup.pair.logs)")
        }
    }

    @Test("RFC 3262 §5: the core's offer in a reliable 183 reaches the phone as Palisade's offer; the phone's answer in PRACK reaches the core as Palisade's answer")
    func offerInReliableProvisional() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "early-offer-uas.xml", rtpPort: pbxMedia.port,
                                                    phone: "early-offer-uac.xml", rtpPort: phoneMedia.port, holdMilliseconds: 300)

            let invite = try #require(Self.requests("INVITE", in: pbx.received).first)
            #expect(Self.header("Supported", in: invite)?.contains("100rel") == true)
            let offer = try #require(phone.received.first { $0.hasPrefix("SIP/2.0 183") }, "\(phone.log)")
            #expect(Self.header("RSeq", in: offer) != nil && offer.contains("m=audio "))
            #expect(!offer.contains("o=pbx") && !offer.contains(" \(pbxMedia.port) "), "Palisade's own offer: \(offer)")
            let prack = try #require(Self.requests("PRACK", in: pbx.received).first, "\(pbx.log)")
            #expect(Self.header("RAck", in: prack) == "1 1 INVITE")
            #expect(prack.contains("m=audio ") && !prack.contains("o=phone") && !prack.contains(" \(phoneMedia.port) "),
                    "Palisade's own answer in the PRACK: \(prack)")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0, "\(setup.pair.logs)")
        }
    }

    @Test("RFC 3264 §4: a re-INVITE without SDP; the core's offer in the 200 and the phone's answer in the ACK each cross as Palisade's own")
    func reinviteWithoutSDP() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "reinvite-nosdp-uas.xml", rtpPort: pbxMedia.port,
                                                    phone: "reinvite-nosdp-uac.xml", rtpPort: phoneMedia.port, holdMilliseconds: 300)

            let oks = phone.received.filter { $0.hasPrefix("SIP/2.0 200") && $0.contains("INVITE") }
            #expect(oks.count == 2, "\(phone.log)")
            if oks.count == 2 {
                #expect(oks[1].contains("m=audio ") && !oks[1].contains("o=pbx") && !oks[1].contains(" \(pbxMedia.port) "),
                        "Palisade's own offer in the 200: \(oks[1])")
            }
            let acks = Self.requests("ACK", in: pbx.received)
            #expect(acks.count == 2, "\(pbx.log)")
            if acks.count == 2 {
                #expect(acks[1].contains("m=audio ") && !acks[1].contains("o=phone")
                    && !acks[1].contains(" \(phoneMedia.port) "), "Palisade's own answer in the ACK: \(acks[1])")
            }
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0, "\(setup.pair.logs)")
        }
    }

    @Test("RFC 4028: Session-Expires and Min-SE cross both ways, a refresh UPDATE and re-INVITE are relayed with theirs")
    func sessionTimerRelayed() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "timer-uas.xml", rtpPort: pbxMedia.port, extra: ["-key", "session_expires", "90"],
                                                    phone: "timer-uac.xml", rtpPort: phoneMedia.port, holdMilliseconds: 300)

            let invites = Self.requests("INVITE", in: pbx.received)
            #expect(invites.count == 2, "\(pbx.log)")
            #expect(invites.allSatisfy { Self.header("Session-Expires", in: $0) == "90;refresher=uac" }, "\(invites)")
            #expect(invites.first.flatMap { Self.header("Min-SE", in: $0) } == "90")
            #expect(invites.first.flatMap { Self.header("Supported", in: $0) }?.contains("timer") == true)
            let update = try #require(Self.requests("UPDATE", in: pbx.received).first, "refresh UPDATE not relayed")
            #expect(Self.header("Session-Expires", in: update) == "90;refresher=uac")
            #expect(!update.contains("phone-tag-"))
            let oks = phone.received.filter { $0.hasPrefix("SIP/2.0 200") && !$0.contains("BYE") }
            #expect(oks.count == 3 && oks.allSatisfy { Self.header("Session-Expires", in: $0) == "90;refresher=uac"
                && Self.header("Require", in: $0) == "timer" }, "\(phone.log)")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0, "\(setup.pair.logs)")
        }
    }

    @Test("RFC 4028 §6: the core's 422 reaches the phone with its Min-SE")
    func sessionIntervalTooSmall() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let media = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "timer-422-uas.xml", rtpPort: media.port,
                                                    phone: "timer-422-uac.xml", rtpPort: media.port)
            let invite = try #require(Self.requests("INVITE", in: pbx.received).first)
            #expect(Self.header("Session-Expires", in: invite) == "90" && Self.header("Min-SE", in: invite) == "90")
            let refused = try #require(phone.received.first { $0.hasPrefix("SIP/2.0 422") })
            #expect(Self.header("Min-SE", in: refused) == "1800")
        }
    }

    @Test("RFC 4028 §10: a session not refreshed within its interval is ended by Palisade: BYE on both legs, call record cause session-expired")
    func sessionExpires() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "timer-expiry-uas.xml", rtpPort: pbxMedia.port, extra: ["-key", "session_expires", "2"],
                                                    phone: "timeout-uac.xml", rtpPort: phoneMedia.port)
            let byes = Self.requests("BYE", in: phone.received) + Self.requests("BYE", in: pbx.received)
            #expect(byes.count == 2 && byes.allSatisfy { $0.contains("session timer expired") }, "\(byes)")
            let record = try #require(try await setup.pair.callRecords().first, "no call record\n\(setup.pair.logs)")
            #expect(record["cause"] as? String == "session-expired" && record["endedBy"] as? String == "palisade",
                    "\(record)")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0, "\(setup.pair.logs)")
        }
    }
}
