import Foundation
import SRTP
import Testing
import TestSupport

/// A phone with SRTP (SDES) on the access realm calls a PBX with plain RTP on the core realm: each
/// SDP carries only its own leg's media, the phone gets Palisade's own fresh key, and the media is
/// checked with independent SRTP contexts on the phone's side.
@Suite("SRTP calls end to end", .serialized)
struct SRTPCallTests {
    @Test("SRTP phone → RTP PBX: one a=crypto with a key of Palisade's; media re-keyed both ways")
    func srtpPhoneToRTPCore() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let directory = setup.pair.directory.path
            let phoneKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let pbx = try CallEndToEndTests.SippPeer(scenario: "call-uas.xml", target: nil, port: setup.pbxPort,
                                                     rtpPort: pbxMedia.port, directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))
            let phone = try CallEndToEndTests.SippPeer(
                scenario: "srtp-call-uac.xml", target: setup.accessTarget, rtpPort: phoneMedia.port,
                holdMilliseconds: 3000, extra: ["-key", "crypto_key", phoneKey.sdesInlineKeySalt],
                directory: directory, name: "phone")

            let answer = try #require(await eventually(seconds: 10) {
                phone.received.first { $0.hasPrefix("SIP/2.0 200") && $0.contains("m=audio") }
            }, "no answer\n\(phone.log)\n\(setup.pair.logs)")
            let offerToCore = try #require(pbx.received.first { $0.hasPrefix("INVITE ") }, "\(pbx.log)")

            // The core leg is plain RTP (rtp-only core); the phone's leg SRTP with exactly one crypto line.
            #expect(offerToCore.contains("RTP/AVP") && !offerToCore.contains("a=crypto"), "\(offerToCore)")
            #expect(!offerToCore.contains(phoneKey.sdesInlineKeySalt), "the phone's key never crosses")
            #expect(answer.contains("RTP/SAVP"), "\(answer)")
            #expect(CallEndToEndTests.lines([answer], "a=crypto:").count == 1, "exactly one a=crypto in an answer")
            let palisadeKey = try Self.key(in: answer)
            #expect(palisadeKey != phoneKey, "Palisade answers with a key of its own")

            let accessPort = try #require(CallEndToEndTests.mediaPort(in: [answer], startingWith: "SIP/2.0 200"))
            let corePort = try #require(CallEndToEndTests.mediaPort(in: [offerToCore], startingWith: "INVITE "))
            let phoneSends = try SRTPContext(key: phoneKey, direction: .outbound)
            let phoneReceives = try SRTPContext(key: palisadeKey, direction: .inbound)
            let wrongKey = try SRTPContext(key: phoneKey, direction: .inbound)

            // Phone → PBX: SRTP with the phone's key in, plain RTP out on the core leg.
            let atPBX = try await #require(try CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: pbxMedia) {
                try phoneSends.protected(MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x1111, payload: "phone speaks"))
            }, "nothing reached the PBX\n\(setup.pair.logs)")
            #expect(atPBX.bytes.count == 12 + 12 && atPBX.bytes.dropFirst(12).elementsEqual("phone speaks".utf8),
                    "the PBX gets the phone's packet decrypted, unchanged")
            #expect(atPBX.fromPort == corePort)

            // PBX → phone: plain RTP in, SRTP out under Palisade's key for the phone's leg.
            let atPhone = try await #require(try CallEndToEndTests.stream(from: pbxMedia, toPort: corePort, until: phoneMedia) {
                MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x2222, payload: "pbx answers")
            }, "nothing reached the phone\n\(setup.pair.logs)")
            #expect(atPhone.bytes.count == 12 + 11 + 10, "SRTP: the 11-byte payload plus an 80-bit tag")
            #expect(wrongKey.unprotected(atPhone.bytes) == nil, "the phone's own key does not open it")
            #expect(phoneReceives.unprotected(atPhone.bytes)?.dropFirst(12).elementsEqual("pbx answers".utf8) == true,
                    "Palisade's key for this leg does")

            // A packet under the wrong key from the phone's own address is dropped, and
            // `palisadectl media streams` says where each leg latched and what it dropped, and why.
            let forged = try SRTPContext(key: SRTPMasterKey.random(for: .aesCM128HmacSHA1_80), direction: .outbound)
            try phoneMedia.send(try forged.protected(MediaEndToEndTests.rtp(sequence: 2, ssrc: 0x1111, payload: "forged")),
                                toPort: accessPort)
            #expect(await pbxMedia.receive(seconds: 0.5) == nil, "an unauthenticated packet never reaches the PBX")
            let streams = try await Command.run(try Products.path("palisadectl"),
                                          ["--socket", setup.pair.admin, "--json", "media", "streams"])
            let legs = try JSONSerialization.jsonObject(with: Data(streams.stdout.utf8)) as? [[String: Any]] ?? []
            let phoneLeg = try #require(legs.first { $0["leg"] as? String == "a" }, "\(streams.stdout)\(streams.stderr)")
            #expect(phoneLeg["latched"] as? String == "127.0.0.1:\(phoneMedia.port)", "\(phoneLeg)")
            #expect(phoneLeg["latchReason"] as? String != nil && (phoneLeg["packets"] as? Int ?? 0) >= 1, "\(phoneLeg)")
            #expect((phoneLeg["drops"] as? [String: Int])?["auth-failure"] == 1, "\(phoneLeg)")
            let table = try await Command.run(try Products.path("palisadectl"), ["--socket", setup.pair.admin, "media", "streams"])
            #expect(table.stdout.hasPrefix("SESSION") && table.stdout.contains("auth-failure=1"), "\(table.stdout)")

            #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(setup.pair.logs)")
            #expect(await pbx.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx.log)")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0)
        }
    }

    @Test("SRTP on both legs: four keys, none crossing; each side decrypts only with its own leg's key")
    func srtpBothLegs() async throws {
        try await CallEndToEndTests.withSetup(corePolicy: "srtp-required") { setup in
            let directory = setup.pair.directory.path
            let phoneKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
            let pbxKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let pbx = try CallEndToEndTests.SippPeer(scenario: "srtp-call-uas.xml", target: nil, port: setup.pbxPort,
                                                     rtpPort: pbxMedia.port,
                                                     extra: ["-key", "crypto_key", pbxKey.sdesInlineKeySalt],
                                                     directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))
            let phone = try CallEndToEndTests.SippPeer(
                scenario: "srtp-call-uac.xml", target: setup.accessTarget, rtpPort: phoneMedia.port,
                holdMilliseconds: 3000, extra: ["-key", "crypto_key", phoneKey.sdesInlineKeySalt],
                directory: directory, name: "phone")

            let answer = try #require(await eventually(seconds: 10) {
                phone.received.first { $0.hasPrefix("SIP/2.0 200") && $0.contains("m=audio") }
            }, "no answer\n\(phone.log)\n\(pbx.log)\n\(setup.pair.logs)")
            let offerToCore = try #require(pbx.received.first { $0.hasPrefix("INVITE ") }, "\(pbx.log)")
            let accessKey = try Self.key(in: answer)
            let coreKey = try Self.key(in: offerToCore)
            #expect(Set([phoneKey, pbxKey, accessKey, coreKey]).count == 4, "every leg and direction has its own key")
            #expect(!offerToCore.contains(phoneKey.sdesInlineKeySalt) && !answer.contains(pbxKey.sdesInlineKeySalt))

            let accessPort = try #require(CallEndToEndTests.mediaPort(in: [answer], startingWith: "SIP/2.0 200"))
            let corePort = try #require(CallEndToEndTests.mediaPort(in: [offerToCore], startingWith: "INVITE "))
            let phoneSends = try SRTPContext(key: phoneKey, direction: .outbound)
            let atPBX = try await #require(try CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: pbxMedia) {
                try phoneSends.protected(MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x1111, payload: "phone speaks"))
            }, "nothing reached the PBX\n\(setup.pair.logs)")
            #expect(try SRTPContext(key: phoneKey, direction: .inbound).unprotected(atPBX.bytes) == nil,
                    "the phone's key does not open what the PBX gets")
            #expect(try SRTPContext(key: coreKey, direction: .inbound).unprotected(atPBX.bytes)?.dropFirst(12)
                        .elementsEqual("phone speaks".utf8) == true,
                    "Palisade re-encrypted it with the key it offered the PBX")

            let pbxSends = try SRTPContext(key: pbxKey, direction: .outbound)
            let atPhone = try await #require(try CallEndToEndTests.stream(from: pbxMedia, toPort: corePort, until: phoneMedia) {
                try pbxSends.protected(MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x2222, payload: "pbx answers"))
            }, "nothing reached the phone\n\(setup.pair.logs)")
            #expect(try SRTPContext(key: pbxKey, direction: .inbound).unprotected(atPhone.bytes) == nil)
            #expect(try SRTPContext(key: accessKey, direction: .inbound).unprotected(atPhone.bytes)?.dropFirst(12)
                        .elementsEqual("pbx answers".utf8) == true)

            #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(setup.pair.logs)")
            #expect(await pbx.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx.log)")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0)
        }
    }

    /// The key of the first `a=crypto` line of an SDP: an answer carries exactly one; an offer lists
    /// the realm's suites in order, AES_CM_128_HMAC_SHA1_80 first by default.
    static func key(in message: String) throws -> SRTPMasterKey {
        let lines = CallEndToEndTests.lines([message], "a=crypto:")
        let line = try #require(lines.first, "no a=crypto in\n\(message)")
        let inline = try #require(line.split(separator: " ").last { $0.hasPrefix("inline:") })
        return try SRTPMasterKey(suite: .aesCM128HmacSHA1_80,
                                 sdesInlineKeySalt: inline.dropFirst("inline:".count).prefix { $0 != "|" })
    }
}
