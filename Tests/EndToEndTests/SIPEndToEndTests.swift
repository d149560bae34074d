import AdminProtocol
import Foundation
import Testing
import TestSupport

/// SIP through the real daemons with real peers: sipp over UDP and TCP, openssl s_client over TLS.
/// Until the B2BUA exists palisade-signal answers OPTIONS to itself (RFC 3261 §11) and refuses
/// everything else with a proper status (issue 4, item 6).
@Suite("SIP end to end", .serialized)
struct SIPEndToEndTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scenarios").path

    @Test("sipp's OPTIONS over UDP and TCP are answered 200 by the SBC itself", arguments: ["udp", "tcp"])
    func options(transport: String) async throws {
        let pair = try DaemonPair.start()
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", transport))
        let outcome = try await Sipp.run(scenario: Self.scenarios + "/options-uac.xml", target: target,
                                   transport: transport == "udp" ? "u1" : "t1", calls: 20, rate: 50,
                                   timeoutSeconds: 20, workDirectory: pair.directory.path)
        #expect(outcome.status == 0, "\(outcome.output)\n\(pair.logs)")
        #expect(outcome.successfulCalls == 20 && outcome.failedCalls == 0)
        let metrics = try HTTPGet.fetch(try #require(status.metricsAddress), path: "/metrics").body
        #expect(metrics.contains("palisade_sip_messages_received_total{realm=\"access\",transport=\"\(transport)\"} 20"),
                "\(metrics)")
        #expect(metrics.contains(
            "palisade_sip_requests_total{direction=\"in\",realm=\"access\",transport=\"\(transport)\",method=\"OPTIONS\"} 20"))
        #expect(metrics.contains(
            "palisade_sip_responses_total{direction=\"out\",realm=\"access\",transport=\"\(transport)\",class=\"2xx\"} 20"))
        let lint = try await Command.run(try #require(Command.which("promtool")), ["check", "metrics"], input: metrics)
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
    }

    @Test("with 10 % loss (sipp -lost 10) retransmissions still complete every OPTIONS transaction over UDP")
    func lossyUDP() async throws {
        let pair = try DaemonPair.start()
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let outcome = try await Sipp.run(scenario: Self.scenarios + "/options-uac.xml",
                                   target: try #require(status.sip("access", "udp")), calls: 100, rate: 100,
                                   timeoutSeconds: 45, extra: ["-lost", "10"], workDirectory: pair.directory.path)
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.successfulCalls == 100 && outcome.failedCalls == 0)
        #expect((outcome.retransmissions ?? 0) > 0, "with 10 % loss some requests must have been retransmitted")
    }

    @Test("over TLS, openssl s_client's OPTIONS is answered 200 on the same connection, with the SNI's certificate")
    func tls() async throws {
        let openssl = try #require(Command.which("openssl"))
        let certificates = try TemporaryDirectory(prefix: "palisade-tls")
        let cert = certificates.path + "/sip.example.com.pem", key = certificates.path + "/sip.example.com.key"
        try await SelfSigned.make(openssl: openssl, cert: cert, key: key, subject: "/CN=sip.example.com",
                                  names: "DNS:sip.example.com")
        let pair = try DaemonPair.start(accessListeners: """

            [[realm.listener]]
            transport = "tls"
            listen = "127.0.0.1:0"
            certificates = [{ cert = "\(cert)", key = "\(key)", server_names = ["sip.example.com"] }]

            """)
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "tls"))
        let options = SIPText.options(target: target, transport: "TLS", local: "192.0.2.10:5061")
        // s_client sends the request, then stays one second to read the answer before its stdin ends.
        let script = "(printf '%s' \"$REQUEST\"; sleep 1) | \(openssl) s_client -connect \(target) "
            + "-servername sip.example.com -quiet -no_ign_eof 2>/dev/null"
        let result = try await Command.run("/bin/sh", ["-c", script], environment: ["REQUEST": options], timeoutSeconds: 20)
        #expect(result.stdout.hasPrefix("SIP/2.0 200 OK\r\n"), "\(result.stdout)\n\(result.stderr)\n\(pair.logs)")
        #expect(result.stdout.contains("Allow: "))
        func presentedSubject() async throws -> String {
            try await Command.run("/bin/sh", ["-c", "echo | \(openssl) s_client -connect \(target) "
                + "-servername sip.example.com 2>/dev/null | \(openssl) x509 -noout -subject"], timeoutSeconds: 20).stdout
        }
        await #expect(try presentedSubject().contains("CN = sip.example.com"))

        // SIGHUP reloads the certificate from disk: new handshakes get the new one, no restart.
        try await SelfSigned.make(openssl: openssl, cert: cert, key: key, subject: "/O=Renewed/CN=sip.example.com",
                                  names: "DNS:sip.example.com")
        pair.signal.send(SIGHUP)
        let reloaded = try await eventually(seconds: 5) {
            try await presentedSubject().contains("O = Renewed") ? true : nil
        }
        #expect(reloaded == true, "\(pair.logs)")
        let after = try await pair.status()
        #expect(pair.signal.isRunning && after?.signal.pid == pair.signal.pid)
    }

    @Test("requests the SBC cannot serve yet are refused with a status, malformed ones with 400 and a reason")
    func refusals() async throws {
        let pair = try DaemonPair.start()
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        let invite = try await UDPExchange.send(SIPText.request("INVITE", uri: "sip:bob@example.com", target: target), to: target)
        #expect(invite.hasPrefix("SIP/2.0 403 ") || invite.hasPrefix("SIP/2.0 404 "), "\(invite)")
        var broken = SIPText.request("OPTIONS", uri: "sip:\(target)", target: target)
        broken = broken.replacingOccurrences(of: "CSeq: 1 OPTIONS\r\n", with: "")
        let answer = try await UDPExchange.send(broken, to: target)
        #expect(answer.hasPrefix("SIP/2.0 400 "), "\(answer)")
        #expect(pair.signal.isRunning && pair.media.isRunning)
    }
}

/// SIP requests as text, for peers the tests drive by hand.
enum SIPText {
    static func request(_ method: String, uri: String, target: String, transport: String = "UDP",
                        local: String = "127.0.0.1:5999") -> String {
        let branch = "z9hG4bK" + String(UInt64.random(in: 1 ... .max), radix: 36)
        return "\(method) \(uri) SIP/2.0\r\n"
            + "Via: SIP/2.0/\(transport) \(local);branch=\(branch);rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "To: <\(uri)>\r\n"
            + "From: <sip:test@example.com>;tag=\(UInt32.random(in: 1 ... .max))\r\n"
            + "Call-ID: \(UInt64.random(in: 1 ... .max))@example.com\r\n"
            + "CSeq: 1 \(method)\r\n"
            + "Content-Length: 0\r\n\r\n"
    }

    static func options(target: String, transport: String, local: String) -> String {
        request("OPTIONS", uri: "sip:\(target)", target: target, transport: transport, local: local)
    }
}
