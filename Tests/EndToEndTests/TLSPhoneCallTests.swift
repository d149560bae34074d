import Foundation
import SIPAuth
import SRTP
import Synchronization
import Testing
import TestSupport

/// Issue 6, test 1: a phone on TLS with SRTP calls a core PBX on UDP with plain RTP. The phone's
/// TLS is `openssl s_client` (a TLS stack the project did not write) carrying SIP the test writes;
/// the PBX is sipp over UDP. Both SDPs carry only Palisade's addresses, and the media is checked
/// on the phone's side with the key Palisade gave that leg. And back (item 8): the phone registers
/// over TLS, and a call from the core on UDP reaches it on that TLS connection.
@Suite("TLS phone calls end to end", .serialized)
struct TLSPhoneCallTests {
    @Test("TLS + SRTP phone → UDP + RTP PBX: the call connects, each SDP is Palisade's, media re-keyed both ways")
    func tlsSRTPPhoneToUDPCore() async throws {
        let openssl = try #require(Command.which("openssl"))
        let files = try TemporaryDirectory(prefix: "palisade-tls-call")
        let cert = files.path + "/sip.pem", key = files.path + "/sip.key"
        try await SelfSigned.make(openssl: openssl, cert: cert, key: key, subject: "/CN=sip.example.com",
                                  names: "DNS:sip.example.com")
        let listener = """

            [[realm.listener]]
            transport = "tls"
            listen = "127.0.0.1:0"
            certificates = [{ cert = "\(cert)", key = "\(key)", server_names = ["sip.example.com"] }]

            """
        try await CallEndToEndTests.withSetup(accessListeners: listener) { setup in
            let directory = setup.pair.directory.path
            let status = try #require(try await setup.pair.status())
            let target = try #require(status.sip("access", "tls"))
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let pbx = try CallEndToEndTests.SippPeer(scenario: "call-uas.xml", target: nil, port: setup.pbxPort,
                                                     rtpPort: pbxMedia.port, directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))

            // The phone: verifies Palisade's certificate for sip.example.com, then speaks SIP over it.
            let phone = try TLSPipe(openssl: openssl, target: target, serverName: "sip.example.com", caFile: cert)
            defer { phone.close() }
            let phoneKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
            let dialog = PhoneDialog(callID: "tls-\(UInt32.random(in: 1 ... .max))@phone.invalid", fromTag: "ph-tls")
            try phone.write(dialog.invite(mediaPort: phoneMedia.port, key: phoneKey))

            let ok = try #require(await phone.message { $0.hasPrefix("SIP/2.0 200") && $0.contains("CSeq: 1 INVITE") },
                                  "no 200 OK over TLS\n\(phone.text)\n\(pbx.log)\n\(setup.pair.logs)")
            let toTag = try #require(PhoneDialog.tag(in: ok, header: "To"))
            let contact = try #require(PhoneDialog.uri(in: ok, header: "Contact"), "\(ok)")
            try phone.write(dialog.ack(requestURI: contact, toTag: toTag))
            let offerToCore = try #require(pbx.received.first { $0.hasPrefix("INVITE ") }, "\(pbx.log)")

            // Each side sees only Palisade: its SDP addresses, its own profile, and no key crossing.
            #expect(ok.contains("RTP/SAVP") && CallEndToEndTests.lines([ok], "a=crypto:").count == 1, "\(ok)")
            #expect(offerToCore.contains("RTP/AVP") && !offerToCore.contains("a=crypto"), "\(offerToCore)")
            #expect(!offerToCore.contains(phoneKey.sdesInlineKeySalt) && !offerToCore.contains(dialog.callID)
                    && !offerToCore.contains("phone.invalid") && !offerToCore.contains("192.0.2.50"), "\(offerToCore)")
            #expect(!ok.contains("pbx-tag") && !ok.contains("CorePBX") && !ok.contains(":\(setup.pbxPort)"), "\(ok)")
            let palisadeKey = try SRTPCallTests.key(in: ok)
            #expect(palisadeKey != phoneKey)

            let accessPort = try #require(CallEndToEndTests.mediaPort(in: [ok], startingWith: "SIP/2.0 200"))
            let corePort = try #require(CallEndToEndTests.mediaPort(in: [offerToCore], startingWith: "INVITE "))
            let phoneSends = try SRTPContext(key: phoneKey, direction: .outbound)
            let atPBX = try #require(try await CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: pbxMedia) {
                try phoneSends.protected(MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x7171, payload: "tls phone"))
            }, "nothing reached the PBX\n\(setup.pair.logs)")
            #expect(atPBX.bytes.dropFirst(12).elementsEqual("tls phone".utf8), "the PBX gets plain RTP")
            #expect(atPBX.fromPort == corePort)
            let atPhone = try #require(try await CallEndToEndTests.stream(from: pbxMedia, toPort: corePort, until: phoneMedia) {
                MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x7272, payload: "pbx speaks")
            }, "nothing reached the phone\n\(setup.pair.logs)")
            #expect(atPhone.fromPort == accessPort)
            #expect(try SRTPContext(key: palisadeKey, direction: .inbound).unprotected(atPhone.bytes)?.dropFirst(12)
                        .elementsEqual("pbx speaks".utf8) == true, "decrypts with the key Palisade gave the phone's leg")
            #expect(try SRTPContext(key: phoneKey, direction: .inbound).unprotected(atPhone.bytes) == nil)

            // The phone hangs up over TLS; the PBX gets BYE over UDP; the media session goes.
            try phone.write(dialog.bye(requestURI: contact, toTag: toTag))
            #expect(await phone.message { $0.hasPrefix("SIP/2.0 200") && $0.contains("CSeq: 2 BYE") } != nil,
                    "no 200 to BYE\n\(phone.text)\n\(setup.pair.logs)")
            #expect(await pbx.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx.log)")
            #expect(try await CallEndToEndTests.sessionsDrained(setup.pair) == 0)
        }
    }

    @Test("UDP + RTP core → TLS + SRTP phone: the phone registers over TLS, the core's call reaches it on that connection, media re-keyed both ways")
    func udpCoreToTLSPhone() async throws {
        let openssl = try #require(Command.which("openssl"))
        let files = try TemporaryDirectory(prefix: "palisade-tls-called")
        let cert = files.path + "/sip.pem", key = files.path + "/sip.key"
        try await SelfSigned.make(openssl: openssl, cert: cert, key: key, subject: "/CN=sip.example.com",
                                  names: "DNS:sip.example.com")
        let password = String(UInt64.random(in: 1 ... .max), radix: 36)
        let users = try await RegistrarEndToEndTests.usersFile(in: files, users: [("2000", password)], realm: "palisade")
        let base = MediaRanges.acquire()
        defer { MediaRanges.release(base) }
        // Access: TLS listener, SRTP required, the embedded registrar. Core: calls go to access's registrations.
        let pair = try DaemonPair.start(
            accessListeners: """

                [[realm.listener]]
                transport = "tls"
                listen = "127.0.0.1:0"
                certificates = [{ cert = "\(cert)", key = "\(key)", server_names = ["sip.example.com"] }]

                """,
            accessKeys: "media_policy = \"srtp-required\"", mediaBase: base,
            mediaKeys: "\n[registrar]\nusers_file = \"\(users)\"\nalgorithms = [\"MD5\"]\n",
            coreKeys: "route_to = \"access\"\ntarget_probe_interval_s = 0")
        do {
            try await calledOverTLS(pair, openssl: openssl, caFile: cert, password: password)
        } catch {
            await pair.stop()
            throw error
        }
        await pair.stop()
    }

    private func calledOverTLS(_ pair: DaemonPair, openssl: String, caFile: String, password: String) async throws {
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let tls = try #require(status.sip("access", "tls")), coreTarget = try #require(status.sip("core", "udp"))
        let directory = pair.directory.path

        // The phone registers over TLS with MD5 digest; its Contact is an address nobody can reach:
        // the call must come back on the phone's own connection.
        let phone = try TLSPipe(openssl: openssl, target: tls, serverName: "sip.example.com", caFile: caFile)
        defer { phone.close() }
        let registration = PhoneRegistration(user: "2000", domain: "127.0.0.1", requestURI: "sip:\(tls)")
        try phone.write(registration.register(cseq: 1, authorization: nil))
        let challenge = try #require(await phone.message { $0.hasPrefix("SIP/2.0 401") },
                                     "no 401 over TLS\n\(phone.text)\n\(pair.logs)")
        try phone.write(registration.register(cseq: 2, authorization: try registration.authorization(
            answering: challenge, password: password)))
        let registered = try #require(await phone.message { $0.hasPrefix("SIP/2.0 200") && $0.contains("CSeq: 2 REGISTER") },
                                      "not registered\n\(phone.text)\n\(pair.logs)")
        #expect(registered.contains("expires="), "\(registered)")

        // The core calls 2000 over UDP with plain RTP.
        let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
        let pbx = try CallEndToEndTests.SippPeer(scenario: "call-uac.xml", target: coreTarget, rtpPort: pbxMedia.port,
                                                 holdMilliseconds: 4000, directory: directory, name: "pbx")
        let invite = try #require(await phone.message(seconds: 15) { $0.hasPrefix("INVITE ") },
                                  "no INVITE over TLS\n\(phone.text)\n\(pbx.log)\n\(pair.logs)")
        #expect(invite.hasPrefix("INVITE sip:2000@192.0.2.50:5061;transport=tls SIP/2.0"), "to the registered Contact\n\(invite)")
        #expect(invite.contains("RTP/SAVP") && invite.contains("c=IN IP4 127.0.0.1"), "\(invite)")
        #expect(!invite.contains(":\(pbxMedia.port)") && !invite.contains("[pid]") && !invite.contains("CorePBX"), "\(invite)")
        let crypto = try #require(CallEndToEndTests.lines([invite], "a=crypto:").first { $0.contains("AES_CM_128_HMAC_SHA1_80") },
                                  "\(invite)")
        let cryptoTag = try #require(crypto.dropFirst("a=crypto:".count).split(separator: " ").first)
        let palisadeKey = try SRTPCallTests.key(in: "\r\n" + crypto + "\r\n")
        let phoneKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
        #expect(palisadeKey != phoneKey)
        let sdp = "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio \(phoneMedia.port) RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
            + "a=crypto:\(cryptoTag) AES_CM_128_HMAC_SHA1_80 inline:\(phoneKey.sdesInlineKeySalt)\r\n"
        try phone.write(PhoneDialog.response(to: invite, status: "200 OK", toTag: "ph-called",
                                             extra: "Contact: <sip:2000@192.0.2.50:5061;transport=tls>\r\nContent-Type: application/sdp\r\n",
                                             body: sdp))
        #expect(await phone.message { $0.hasPrefix("ACK ") } != nil, "no ACK over TLS\n\(phone.text)\n\(pair.logs)")

        let ok = try #require(await eventually(seconds: 10) { pbx.received.first { $0.hasPrefix("SIP/2.0 200") } },
                              "no 200 at the PBX\n\(pbx.log)")
        #expect(ok.contains("RTP/AVP") && !ok.contains("a=crypto") && !ok.contains(phoneKey.sdesInlineKeySalt)
                && !ok.contains("192.0.2.50") && !ok.contains("ph-called"), "nothing of the phone reaches the core\n\(ok)")
        let accessPort = try #require(CallEndToEndTests.mediaPort(in: [invite], startingWith: "INVITE "))
        let corePort = try #require(CallEndToEndTests.mediaPort(in: [ok], startingWith: "SIP/2.0 200"))
        let phoneSends = try SRTPContext(key: phoneKey, direction: .outbound)
        let atPBX = try #require(try await CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: pbxMedia) {
            try phoneSends.protected(MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x7373, payload: "called phone"))
        }, "nothing reached the PBX\n\(pair.logs)")
        #expect(atPBX.bytes.dropFirst(12).elementsEqual("called phone".utf8), "the PBX gets plain RTP")
        let atPhone = try #require(try await CallEndToEndTests.stream(from: pbxMedia, toPort: corePort, until: phoneMedia) {
            MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x7474, payload: "core speaks")
        }, "nothing reached the phone\n\(pair.logs)")
        #expect(atPhone.fromPort == accessPort)
        #expect(try SRTPContext(key: palisadeKey, direction: .inbound).unprotected(atPhone.bytes)?.dropFirst(12)
                    .elementsEqual("core speaks".utf8) == true, "decrypts with the key Palisade gave the phone's leg")

        // The core hangs up over UDP; the phone gets BYE on its TLS connection and answers it.
        let bye = try #require(await phone.message(seconds: 15) { $0.hasPrefix("BYE ") },
                               "no BYE over TLS\n\(phone.text)\n\(pbx.log)")
        try phone.write(PhoneDialog.response(to: bye, status: "200 OK", toTag: nil))
        #expect(await pbx.wait(seconds: 15) == 0, "pbx sipp failed\n\(pbx.log)\n\(pair.logs)")
        #expect(try await CallEndToEndTests.sessionsDrained(pair) == 0)
    }

    @Test("RFC 3261 §26.2.2: a sips: call from a UDP phone goes to the core's TLS target (openssl s_server), probed over TLS too, never downgraded")
    func sipsToTLSTarget() async throws {
        let openssl = try #require(Command.which("openssl"))
        let files = try TemporaryDirectory(prefix: "palisade-sips")
        let cert = files.path + "/pbx.pem", key = files.path + "/pbx.key"
        try await SelfSigned.make(openssl: openssl, cert: cert, key: key, subject: "/CN=pbx.example.com",
                                  names: "DNS:pbx.example.com,IP:127.0.0.1")
        let pbxPort = try LoopbackPort.reserved()
        let pbx = try TLSPipe.server(openssl: openssl, port: pbxPort, cert: cert, key: key)
        defer { pbx.close() }
        let base = MediaRanges.acquire()
        defer { MediaRanges.release(base) }
        // The core's only target is on TLS, its certificate checked against the PBX's own (chain-only:
        // the target is an address). The core has a TLS listener of its own for Via and Contact.
        let pair = try DaemonPair.start(
            accessKeys: "route_to = \"core\"",
            coreTables: """

                [[realm.listener]]
                transport = "tls"
                listen = "127.0.0.1:0"
                certificates = [{ cert = "\(cert)", key = "\(key)" }]

                [[realm.target]]
                address = "127.0.0.1:\(pbxPort)"
                transport = "tls"

                """,
            mediaBase: base,
            coreKeys: "target_probe_interval_s = 1\ntls_peers = [{ host = \"127.0.0.1\", verify = \"chain-only\", ca_bundle = \"\(cert)\" }]")
        do {
            try await sipsCall(pair, pbx: pbx, pbxPort: pbxPort)
        } catch {
            await pair.stop()
            throw error
        }
        await pair.stop()
    }

    private func sipsCall(_ pair: DaemonPair, pbx: TLSPipe, pbxPort: UInt16) async throws {
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let access = try #require(status.sip("access", "udp")?.split(separator: ":").last.flatMap { UInt16($0) })
        // The target is probed over TLS too: OPTIONS to its sips: URI from the core's TLS face.
        let probe = try #require(await pbx.message(seconds: 15) { $0.hasPrefix("OPTIONS ") },
                                 "no probe over TLS\n\(pbx.text)\n\(pair.logs)")
        #expect(probe.hasPrefix("OPTIONS sips:127.0.0.1:\(pbxPort) SIP/2.0"), "\(probe)")
        #expect(CallEndToEndTests.lines([probe], "Contact: ").first?.contains("sips:") == true, "\(probe)")
        try pbx.write(PhoneDialog.response(to: probe, status: "200 OK", toTag: "probed"))
        let phone = try LoopbackUDP(), phoneMedia = try LoopbackUDP()
        let dialog = PhoneDialog(callID: "sips-\(UInt32.random(in: 1 ... .max))@phone.invalid", fromTag: "ph-sips",
                                 via: "SIP/2.0/UDP 127.0.0.1:\(phone.port)", requestURI: "sips:2000@127.0.0.1")
        try phone.send(Array(dialog.invite(mediaPort: phoneMedia.port, key: SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)).utf8),
                       toPort: access)

        // The INVITE reaches the PBX over TLS, with a sips: Request-URI and Palisade's own TLS Via.
        let invite = try #require(await pbx.message(seconds: 15) { $0.hasPrefix("INVITE ") },
                                  "no INVITE over TLS at the PBX\n\(pbx.text)\n\(pair.logs)")
        #expect(invite.hasPrefix("INVITE sips:2000@127.0.0.1:\(pbxPort) SIP/2.0"), "\(invite)")
        #expect(CallEndToEndTests.lines([invite], "Via: ").first?.hasPrefix("Via: SIP/2.0/TLS 127.0.0.1:") == true, "\(invite)")
        #expect(!invite.contains(dialog.callID) && !invite.contains(":\(phone.port)") && !invite.contains("a=crypto"),
                "\(invite)")
        let sdp = "v=0\r\no=pbx 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio \(phoneMedia.port) RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        try pbx.write(PhoneDialog.response(to: invite, status: "200 OK", toTag: "pbx-tls",
                                           extra: "Contact: <sips:pbx@127.0.0.1:\(pbxPort)>\r\nContent-Type: application/sdp\r\n",
                                           body: sdp))
        #expect(await pbx.message { $0.hasPrefix("ACK sips:pbx@127.0.0.1:\(pbxPort)") } != nil,
                "the ACK goes to the PBX's Contact over TLS\n\(pbx.text)\n\(pair.logs)")

        // The phone gets the 200 over UDP, acknowledges it and hangs up; the BYE crosses over TLS.
        var ok: String?
        while ok == nil, let datagram = await phone.receive(seconds: 10) {
            let text = String(decoding: datagram.bytes, as: UTF8.self)
            if text.hasPrefix("SIP/2.0 200") { ok = text }
        }
        let answer = try #require(ok, "no 200 at the phone\n\(pair.logs)")
        #expect(!answer.contains("pbx-tls") && !answer.contains(":\(pbxPort)"), "\(answer)")
        let toTag = try #require(PhoneDialog.tag(in: answer, header: "To"))
        let contact = try #require(PhoneDialog.uri(in: answer, header: "Contact"))
        try phone.send(Array(dialog.ack(requestURI: contact, toTag: toTag).utf8), toPort: access)
        try phone.send(Array(dialog.bye(requestURI: contact, toTag: toTag).utf8), toPort: access)
        let bye = try #require(await pbx.message { $0.hasPrefix("BYE sips:pbx@127.0.0.1:\(pbxPort)") },
                               "no BYE over TLS\n\(pbx.text)\n\(pair.logs)")
        try pbx.write(PhoneDialog.response(to: bye, status: "200 OK", toTag: nil))
        #expect(try await pair.callRecords().first?["cause"] as? String != "480", "\(pair.logs)")
        #expect(try await CallEndToEndTests.sessionsDrained(pair) == 0)
    }
}

/// The phone's side of one dialog, written by hand: what a softphone on TLS would send.
struct PhoneDialog {
    let callID: String
    let fromTag: String
    var via = "SIP/2.0/TLS 192.0.2.50:5061"
    var requestURI = "sip:2000@sip.example.com"
    let from = "<sip:alice@sip.example.com>"
    var to: String { "<\(requestURI)>" }

    func invite(mediaPort: UInt16, key: SRTPMasterKey) -> String {
        let sdp = "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio \(mediaPort) RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
            + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(key.sdesInlineKeySalt)\r\n"
        return request("INVITE \(requestURI)", branch: "z9hG4bK-inv", cseq: "1 INVITE", toTag: nil,
                       extra: "Contact: <sip:alice@192.0.2.50:5061;transport=tls>\r\nContent-Type: application/sdp\r\n",
                       body: sdp)
    }

    func ack(requestURI: String, toTag: String) -> String {
        request("ACK \(requestURI)", branch: "z9hG4bK-ack", cseq: "1 ACK", toTag: toTag)
    }

    func bye(requestURI: String, toTag: String) -> String {
        request("BYE \(requestURI)", branch: "z9hG4bK-bye", cseq: "2 BYE", toTag: toTag)
    }

    private func request(_ line: String, branch: String, cseq: String, toTag: String?, extra: String = "",
                         body: String = "") -> String {
        "\(line) SIP/2.0\r\nVia: \(via);branch=\(branch);rport\r\nMax-Forwards: 70\r\nFrom: \(from);tag=\(fromTag)\r\n"
            + "To: \(to)\(toTag.map { ";tag=\($0)" } ?? "")\r\nCall-ID: \(callID)\r\nCSeq: \(cseq)\r\n\(extra)"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// A response to `request` as a UAS writes it (RFC 3261 §8.2.6): its Via, From, Call-ID and
    /// CSeq, its To with `toTag` added (nil: the To already carries the dialog's tag).
    static func response(to request: String, status: String, toTag: String?, extra: String = "",
                         body: String = "") -> String {
        let copied = request.split(whereSeparator: \.isNewline).filter { line in
            ["Via:", "From:", "To:", "Call-ID:", "CSeq:"].contains { line.hasPrefix($0) }
        }.map { line in line.hasPrefix("To:") && toTag != nil ? "\(line);tag=\(toTag!)" : String(line) }
        return "SIP/2.0 \(status)\r\n" + copied.map { $0 + "\r\n" }.joined() + extra
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// The tag parameter of a header line (`To: <...>;tag=x`).
    static func tag(in message: String, header: String) -> String? {
        guard let line = CallEndToEndTests.lines([message], header + ":").first,
              let range = line.range(of: ";tag=") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != ";" && $0 != ">" && !$0.isWhitespace })
    }

    /// The URI inside <> of a header line.
    static func uri(in message: String, header: String) -> String? {
        guard let line = CallEndToEndTests.lines([message], header + ":").first,
              let open = line.firstIndex(of: "<"), let close = line.firstIndex(of: ">") else { return nil }
        return String(line[line.index(after: open)..<close])
    }
}

/// `openssl s_client` as a phone's TLS connection: the test writes SIP to its stdin and reads the
/// decrypted stream from its stdout, framed into messages by Content-Length. `-nocommands`: a
/// line starting with R (REGISTER) would otherwise ask s_client to renegotiate, Q to quit.
final class TLSPipe: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private final class Received: Sendable { let bytes = Mutex<[UInt8]>([]) }
    private let received = Received()

    /// A client of `target`. `certificate`: the phone's own client certificate, when it presents one.
    convenience init(openssl: String, target: String, serverName: String, caFile: String,
                     certificate: (cert: String, key: String)? = nil) throws {
        try self.init(openssl: openssl, arguments: ["s_client", "-connect", target, "-servername", serverName,
                                                     "-CAfile", caFile, "-verify_return_error", "-quiet", "-no_ign_eof",
                                                     "-nocommands"]
                          + (certificate.map { ["-cert", $0.cert, "-key", $0.key] } ?? []))
    }

    /// `openssl s_server` on 127.0.0.1:`port` as a TLS next hop (a PBX on TLS); -quiet: what it
    /// reads on stdin goes to the connection as it is, never taken for a command.
    static func server(openssl: String, port: UInt16, cert: String, key: String) throws -> TLSPipe {
        try TLSPipe(openssl: openssl, arguments: ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert,
                                                   "-key", key, "-quiet"])
    }

    private init(openssl: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A reader thread of its own, not a readabilityHandler: that dispatch read source crashed
        // libdispatch's event loop when its descriptor was closed and reused before the source's
        // cancellation had run, and its availableData is a try! that dies on EINTR. The thread
        // holds the handle, so the descriptor stays open until it has read the end.
        let handle = output.fileHandleForReading
        let reader = Thread { [received] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(handle.fileDescriptor, &buffer, buffer.count)
                if n > 0 {
                    received.bytes.withLock { $0.append(contentsOf: buffer[0..<n]) }
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            try? handle.close()
        }
        reader.start()
    }

    func write(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Everything received so far, as text.
    var text: String { String(decoding: received.bytes.withLock { $0 }, as: UTF8.self) }

    /// The first whole message received that satisfies `matches`, waiting up to `seconds`.
    func message(seconds: Double = 10, _ matches: @escaping (String) -> Bool) async -> String? {
        await eventually(seconds: seconds) { Self.messages(in: self.received.bytes.withLock { $0 }).first(where: matches) }
    }

    /// Splits a byte stream into messages: headers up to the blank line, then Content-Length bytes
    /// (keepalive CRLFs between messages skipped).
    static func messages(in stream: [UInt8]) -> [String] {
        var messages: [String] = []
        var start = 0
        let blank: [UInt8] = Array("\r\n\r\n".utf8)
        while start < stream.count {
            while start < stream.count, stream[start] == 13 || stream[start] == 10 { start += 1 }
            guard let end = (start..<max(start, stream.count - 3)).first(where: { stream[$0..<$0 + 4].elementsEqual(blank) })
            else { break }
            let head = String(decoding: stream[start..<end], as: UTF8.self)
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let bodyEnd = end + 4 + length
            guard bodyEnd <= stream.count else { break }
            messages.append(String(decoding: stream[start..<bodyEnd], as: UTF8.self))
            start = bodyEnd
        }
        return messages
    }

    /// SIGKILL: the test process blocks SIGTERM in its threads and a child inherits that mask, so
    /// `terminate()` left s_server (which ignores EOF on stdin) running, holding inherited pipe
    /// ends that other tests' commands were waiting on.
    func close() {
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { close() }
}

/// A phone's REGISTER over its TLS connection, with MD5 digest credentials (RFC 3261 §22).
struct PhoneRegistration {
    let user: String
    let domain: String
    let requestURI: String
    let callID = "reg-\(UInt32.random(in: 1 ... .max))@phone.invalid"

    func register(cseq: Int, authorization: String?) -> String {
        "REGISTER \(requestURI) SIP/2.0\r\nVia: SIP/2.0/TLS 192.0.2.50:5061;branch=z9hG4bK-reg\(cseq);rport\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:\(user)@\(domain)>;tag=reg-tls\r\nTo: <sip:\(user)@\(domain)>\r\n"
            + "Call-ID: \(callID)\r\nCSeq: \(cseq) REGISTER\r\n"
            + "Contact: <sip:\(user)@192.0.2.50:5061;transport=tls>\r\nExpires: 60\r\n"
            + (authorization.map { "Authorization: \($0)\r\n" } ?? "") + "Content-Length: 0\r\n\r\n"
    }

    /// The Authorization answering the MD5 challenge of `challenge` (a 401) for `password`.
    func authorization(answering challenge: String, password: String) throws -> String {
        let header = try #require(CallEndToEndTests.lines([challenge], "WWW-Authenticate: ").first { $0.contains("MD5") },
                                  "\(challenge)")
        func parameter(_ name: String) throws -> String {
            let value = try #require(header.components(separatedBy: "\(name)=\"").dropFirst().first, "\(header)")
            return String(value.prefix { $0 != "\"" })
        }
        let realm = try parameter("realm"), nonce = try parameter("nonce")
        let ha1 = DigestResponse.ha1(hash: .md5, username: user.utf8, realm: realm.utf8, password: password.utf8)
        let response = DigestResponse.compute(algorithm: .md5, storedHA1: ha1, nonce: Array(nonce.utf8),
                                              nonceCountText: Array("00000001".utf8), cnonce: Array("tls-phone".utf8),
                                              qop: .auth, method: "REGISTER".utf8, digestURI: requestURI.utf8)
        return "Digest username=\"\(user)\", realm=\"\(realm)\", nonce=\"\(nonce)\", uri=\"\(requestURI)\", "
            + "response=\"\(String(decoding: response, as: UTF8.self))\", algorithm=MD5, qop=auth, nc=00000001, "
            + "cnonce=\"tls-phone\""
    }
}

/// A self-signed P-256 certificate made by openssl at test time: `cert` and `key` are written.
enum SelfSigned {
    /// `names`: the subjectAltName value, e.g. "DNS:sip.example.com,IP:127.0.0.1".
    static func make(openssl: String, cert: String, key: String, subject: String, names: String, days: Int = 1) async throws {
        let made = try await Command.run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                                   "-nodes", "-keyout", key, "-out", cert, "-days", "\(days)",
                                                   "-subj", subject, "-addext", "subjectAltName=\(names)"])
        guard made.status == 0 else { throw TestSupportError("openssl req failed: \(made.stderr)") }
    }
}
