import AdminProtocol
import Foundation
import Testing
import TestSupport

/// palisadectl's inspection commands against a running pair: a phone registered over UDP, a live
/// call to it from a phone over TCP with RTP through the relay, a TLS listener with a certificate
/// made by openssl. Every command in JSON, checked for what it must say; a few as tables.
@Suite("palisadectl inspection end to end", .serialized, .timeLimit(.minutes(2)))
struct InspectionCommandsTests {
    @Test("calls list filters, calls show, media sessions, flows list, registrations show/remove, tls certificates")
    func inspect() async throws {
        let base = MediaRanges.acquire()
        defer { MediaRanges.release(base) }
        let openssl = try #require(Command.which("openssl"))
        let directory = try TemporaryDirectory(prefix: "palisade-inspect")
        let cert = directory.path + "/sip.example.com.pem", key = directory.path + "/sip.example.com.key"
        try await SelfSigned.make(openssl: openssl, cert: cert, key: key, subject: "/CN=sip.example.com/O=Palisade Test",
                                  names: "DNS:sip.example.com,DNS:sbc.example.com", days: 30)
        // A phone's client certificate, trusted as its own CA: flows list names it.
        let phoneCert = directory.path + "/phone.pem", phoneKey = directory.path + "/phone.key"
        try await SelfSigned.make(openssl: openssl, cert: phoneCert, key: phoneKey, subject: "/CN=phone.example.com",
                                  names: "DNS:phone.example.com", days: 2)
        let users = try await RegistrarEndToEndTests.usersFile(in: directory, users: [("2000", "ext-2000-secret")],
                                                               realm: "palisade")
        let config = try directory.file("palisade.toml", contents: """
            [log]
            level = "debug"

            [media]
            control_socket = "\(directory.path)/media.sock"

            [signal]
            admin_socket = "\(directory.path)/admin.sock"

            [metrics]
            listen = "127.0.0.1:0"

            [registrar]
            users_file = "\(users)"
            algorithms = ["MD5"]

            [[realm]]
            name = "access"
            route_to = "access"
            # The phone calls unauthenticated: this test is about the commands (call
            # authentication has its own, AdmissionEndToEndTests).
            authenticate_calls = false

            [[realm.listener]]
            transport = "udp"
            listen = "127.0.0.1:0"

            [[realm.listener]]
            transport = "tcp"
            listen = "127.0.0.1:0"

            [[realm.listener]]
            transport = "tls"
            listen = "127.0.0.1:0"
            certificates = [{ cert = "\(cert)", key = "\(key)" }]
            client_certificates = "optional"
            ca_bundle = "\(phoneCert)"

            [realm.media]
            address = "127.0.0.1"
            port_min = \(base)
            port_max = \(base + 999)

            """)
        let pair = DaemonPair(
            directory: directory, config: config,
            media: try Daemon("palisade-media", ["--config", config], logPath: directory.path + "/media.log"),
            signal: try Daemon("palisade-signal", ["--config", config], logPath: directory.path + "/signal.log"))
        do {
            try await run(pair, openssl: openssl, serverCert: cert, phoneCert: phoneCert, phoneKey: phoneKey)
        } catch {
            await pair.stop()
            throw error
        }
        await pair.stop()
    }

    func metrics(_ status: StatusReport) async throws -> String {
        let address = try #require(status.metricsAddress)
        return try await offPool { try HTTPGet.fetch(address, path: "/metrics").body }
    }

    func run(_ pair: DaemonPair, openssl: String, serverCert: String, phoneCert: String, phoneKey: String) async throws {
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let udp = try #require(status.sip("access", "udp")), tcp = try #require(status.sip("access", "tcp"))
        let tls = try #require(status.sip("access", "tls"))
        let directory = pair.directory.path
        let ctlPath = try Products.path("palisadectl")
        func ctl(_ words: [String]) async throws -> CommandResult {
            try await Command.run(ctlPath, ["--socket", pair.admin] + words)
        }
        func json(_ words: [String]) async throws -> Any {
            let result = try await ctl(["--json"] + words)
            try #require(result.status == 0, "palisadectl \(words.joined(separator: " ")): \(result.stderr)")
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        }

        // tls certificates: what openssl wrote, read back by BoringSSL.
        let certificates = try #require(try await json(["tls", "certificates"]) as? [[String: Any]])
        #expect(certificates.count == 1, "\(certificates)")
        let certificate = try #require(certificates.first)
        #expect((certificate["subject"] as? String)?.contains("CN=sip.example.com") == true, "\(certificate)")
        #expect((certificate["issuer"] as? String)?.contains("O=Palisade Test") == true, "self-signed: \(certificate)")
        #expect(certificate["subjectAlternativeNames"] as? [String] == ["DNS:sip.example.com", "DNS:sbc.example.com"])
        #expect((certificate["daysLeft"] as? Int).map { (29...30).contains($0) } == true, "\(certificate)")
        #expect(certificate["listener"] as? String == tls && certificate["realm"] as? String == "access")
        let certificateTable = try await ctl(["tls", "certificates"])
        #expect(certificateTable.stdout.hasPrefix("REALM") && certificateTable.stdout.contains("DNS:sbc.example.com"),
                "\(certificateTable.stdout)")

        // 2000 registers over UDP from the port its UAS then answers on.
        let calleePort = try LoopbackPort.reserved()
        let registered = try await Sipp.run(
            scenario: RegistrarEndToEndTests.scenarios + "/register-uac.xml", target: udp, calls: 1, rate: 10,
            timeoutSeconds: 20,
            extra: ["-l", "1", "-s", "2000", "-au", "2000", "-ap", "ext-2000-secret", "-key", "expires", "120",
                    "-p", "\(calleePort)"],
            workDirectory: directory)
        try #require(registered.status == 0 && registered.successfulCalls == 1, "\(registered.output)\n\(pair.logs)")
        let aor = try #require((try await json(["registrations", "list"]) as? [[String: Any]])?.first?["aor"] as? String)
        let shown = try #require(try await json(["registrations", "show", aor]) as? [String: Any])
        let binding = try #require((shown["bindings"] as? [[String: Any]])?.first, "\(shown)")
        #expect((binding["contact"] as? String)?.contains(":\(calleePort)") == true, "\(binding)")
        #expect(binding["transport"] as? String == "udp" && binding["source"] as? String == "127.0.0.1:\(calleePort)")
        #expect(binding["userAgent"] as? String == "RegisterUAC/1.0", "\(binding)")
        #expect((binding["expiresInSeconds"] as? Double).map { $0 > 30 && $0 <= 60 } == true, "\(binding)")

        // A call from a phone over TCP to 2000, held while the commands look at it.
        let calleeMedia = try LoopbackUDP(), callerMedia = try LoopbackUDP()
        let callee = try CallEndToEndTests.SippPeer(scenario: "call-uas.xml", target: nil, port: calleePort,
                                                    rtpPort: calleeMedia.port, directory: directory, name: "callee")
        try await Task.sleep(for: .milliseconds(300))
        let caller = try CallEndToEndTests.SippPeer(scenario: "call-uac.xml", target: tcp, transport: "t1",
                                                    rtpPort: callerMedia.port, holdMilliseconds: 20_000,
                                                    directory: directory, name: "caller")
        let id = try #require(await eventually(seconds: 10) { () -> String? in
            let calls = try? await json(["calls", "list"]) as? [[String: Any]]
            return calls?.first { $0["state"] as? String == "confirmed" }?["id"] as? String
        }, "the call never connected\n\(caller.log)\n\(pair.logs)")
        let accessPort = try #require(CallEndToEndTests.mediaPort(in: caller.received, startingWith: "SIP/2.0 200"))
        let heard = try await CallEndToEndTests.stream(from: callerMedia, toPort: accessPort, until: calleeMedia) { n in
            MediaEndToEndTests.rtp(sequence: UInt16(n), ssrc: 0x1111, payload: "caller\(n)")
        }
        #expect(heard != nil, "the caller's RTP never reached the callee\n\(pair.logs)")

        // calls list filters.
        func listed(_ filters: [String]) async throws -> Int {
            try #require(try await json(["calls", "list"] + filters) as? [[String: Any]]).count
        }
        #expect(try await listed(["--user", "2000"]) == 1)
        #expect(try await listed(["--user", "1000", "--realm", "access"]) == 1)
        #expect(try await listed(["--user", "3000"]) == 0)
        #expect(try await listed(["--realm=core"]) == 0)
        #expect(try await listed(["--min-age", "3600"]) == 0)
        let badFilter = try await ctl(["calls", "list", "--min-age", "soon"])
        #expect(badFilter.status == 1 && badFilter.stderr.contains("--min-age takes seconds"), "\(badFilter.stderr)")

        // calls show: both legs, their SDP, the stream with advertised and latched addresses.
        let detail = try #require(try await json(["calls", "show", id]) as? [String: Any])
        let legs = try #require(detail["legs"] as? [[String: Any]])
        #expect(legs.map { $0["leg"] as? String } == ["a", "b"], "\(detail)")
        let a = try #require(legs.first), b = try #require(legs.last)
        #expect(a["dialogState"] as? String == "confirmed" && b["dialogState"] as? String == "confirmed", "\(legs)")
        #expect((a["flow"] as? String)?.hasPrefix("tcp 127.0.0.1:") == true, "\(a)")
        #expect(b["flow"] as? String == "udp 127.0.0.1:\(calleePort)", "\(b)")
        #expect(a["callID"] as? String != b["callID"] as? String && b["remoteTag"] is String)
        let aSDP = try #require((a["sdp"] as? [[String: Any]])?.first, "\(a)")
        #expect(aSDP["media"] as? String == "127.0.0.1:\(callerMedia.port)" && aSDP["profile"] as? String == "RTP/AVP")
        let bSDP = try #require((b["sdp"] as? [[String: Any]])?.first, "\(b)")
        #expect(bSDP["media"] as? String == "127.0.0.1:\(calleeMedia.port)", "\(bSDP)")
        let streams = try #require(detail["streams"] as? [[String: Any]])
        let streamA = try #require(streams.first { $0["leg"] as? String == "a" }, "\(detail)")
        #expect(streamA["advertised"] as? String == "127.0.0.1:\(callerMedia.port)", "\(streamA)")
        #expect(streamA["latched"] as? String == "127.0.0.1:\(callerMedia.port)", "\(streamA)")
        #expect((streamA["packets"] as? Int).map { $0 > 0 } == true && streamA["latchReason"] is String, "\(streamA)")
        let showTable = try await ctl(["calls", "show", id])
        #expect(showTable.stdout.hasPrefix("call \(id)") && showTable.stdout.contains("ADVERTISED"), "\(showTable.stdout)")
        let unknown = try await ctl(["calls", "show", "no-such-call"])
        #expect(unknown.status == 1 && unknown.stderr.split(separator: "\n").count == 1
                && unknown.stderr.contains("no call no-such-call in progress"), "\(unknown.stderr)")

        // media sessions: the call's session with its ports and totals.
        let sessions = try #require(try await json(["media", "sessions"]) as? [[String: Any]])
        let session = try #require(sessions.first { $0["session"] as? String == id }, "\(sessions)")
        #expect(session["streams"] as? Int == 1 && (session["packets"] as? Int).map { $0 > 0 } == true, "\(session)")
        #expect((session["ports"] as? [String])?.first?.contains("127.0.0.1:\(accessPort)") == true, "\(session)")
        #expect((session["workers"] as? [Int]).map { $0.count == 1 && $0[0] >= 0 } == true, "\(session)")

        // flows list: the caller's TCP connection carrying the call, the callee's UDP flow carrying the binding.
        let flows = try #require(try await json(["flows", "list"]) as? [[String: Any]])
        let tcpFlow = try #require(flows.first { $0["transport"] as? String == "tcp" }, "\(flows)")
        #expect(tcpFlow["calls"] as? Int == 1 && tcpFlow["id"] is String && tcpFlow["ageSeconds"] is Double, "\(tcpFlow)")
        let udpFlow = try #require(flows.first { $0["peer"] as? String == "127.0.0.1:\(calleePort)" }, "\(flows)")
        #expect(udpFlow["registrations"] as? Int == 1 && udpFlow["transport"] as? String == "udp", "\(udpFlow)")

        // Port pool usage on /metrics: both legs of the call hold a pair of the access range (500 pairs).
        let during = try await metrics(status)
        #expect(during.contains("palisade_media_port_pairs{realm=\"access\"} 500\n"), "\(during)")
        #expect(during.contains("palisade_media_port_pairs_in_use{realm=\"access\"} 2\n"), "\(during)")
        #expect(during.contains("palisade_call_post_dial_delay_seconds_count{realm=\"access\"} 1\n"), "\(during)")

        for (words, header) in [(["flows", "list"], "ID  TRANSPORT"), (["media", "sessions"], "SESSION "),
                                (["registrations", "show", aor], "CONTACT"), (["calls", "list", "--user", "2000"], "ID  ")] {
            let table = try await ctl(words)
            #expect(table.status == 0 && table.stdout.hasPrefix(header) && table.stdout.contains("127.0.0.1:"),
                    "\(words): \(table.stdout)\(table.stderr)")
        }
        let misplaced = try await ctl(["flows", "list", "--realm", "access"])
        #expect(misplaced.status == 2 && misplaced.stderr.contains("takes no option --realm"), "\(misplaced.stderr)")
        // A TLS phone presenting its certificate: its flow carries the certificate's names. The
        // connection stays open until the test has seen it (a timed client could close first on
        // a loaded machine); -verify_return_error: it connected only to the server's own certificate.
        let pipe = try TLSPipe(openssl: openssl, target: tls, serverName: "sip.example.com", caFile: serverCert,
                               certificate: (phoneCert, phoneKey))
        defer { pipe.close() }
        let tlsFlow = await eventually(seconds: 20, every: 250) { () -> [String: Any]? in
            let flows = try? await json(["flows", "list"]) as? [[String: Any]]
            return flows?.first { $0["transport"] as? String == "tls" && $0["tlsPeerIdentity"] != nil }
        }
        let tlsFlows = try await ctl(["flows", "list"])
        #expect(tlsFlow?["tlsPeerIdentity"] as? [String] == ["phone.example.com"],
                "\(String(describing: tlsFlow))\n\(tlsFlows.stdout)\n\(pair.logs)")
        #expect(tlsFlow?["realm"] as? String == "access" && tlsFlow?["registrations"] as? Int == 0)

        // The help lists every command from the same table.
        let help = try await ctl(["help"])
        for usage in ["calls show ID", "registrations remove AOR [CONTACT]", "flows list", "media sessions",
                      "tls certificates", "--min-age SECONDS"] {
            #expect(help.stdout.contains(usage), "\(help.stdout)")
        }

        #expect(await caller.wait(seconds: 45) == 0, "caller sipp failed\n\(caller.log)\n\(pair.logs)")
        #expect(await callee.wait(seconds: 10) == 0, "callee sipp failed\n\(callee.log)")

        // registrations remove: the binding goes, and a new call to 2000 gets 480.
        let removed = try #require(try await json(["registrations", "remove", aor]) as? [String: Any])
        #expect(removed["removed"] as? Bool == true && (removed["bindings"] as? [Any])?.count == 1, "\(removed)")
        let after = try #require(try await json(["registrations", "show", aor]) as? [String: Any])
        #expect((after["bindings"] as? [Any])?.isEmpty == true, "\(after)")
        let again = try await ctl(["registrations", "remove", aor])
        #expect(again.status == 1 && again.stderr.contains("no bindings of"), "\(again.stderr)")
        let refused = try await Sipp.run(scenario: RegistrarEndToEndTests.scenarios + "/unregistered-uac.xml", target: udp,
                                         calls: 1, rate: 10, timeoutSeconds: 20,
                                         extra: ["-key", "rtp_port", "\(callerMedia.port)"], workDirectory: directory)
        #expect(refused.status == 0 && refused.successfulCalls == 1, "\(refused.output)\n\(pair.logs)")

        // Call setup time: one answered call, one failed (the 480), each observed once.
        let after480 = try await metrics(status)
        #expect(after480.contains("palisade_call_setup_seconds_count{realm=\"access\",outcome=\"answered\"} 1\n"),
                "\(after480)")
        #expect(after480.contains("palisade_call_setup_seconds_count{realm=\"access\",outcome=\"failed\"} 1\n"))
        #expect(after480.contains("palisade_call_setup_seconds_bucket{realm=\"access\",outcome=\"answered\",le=\"+Inf\"} 1\n"))
        let promtool = try #require(Command.which("promtool"), "promtool missing: scripts/setup installs prometheus")
        let lint = try await Command.run(promtool, ["check", "metrics"], input: after480)
        #expect(lint.status == 0, "promtool check metrics with histograms:\n\(lint.stdout)\(lint.stderr)\n\(after480)")
        let released = await eventually(seconds: 5) { () -> Bool? in
            let text = try? await metrics(status)
            return text?.contains("palisade_media_port_pairs_in_use{realm=\"access\"} 0\n") == true ? true : nil
        }
        #expect(released == true, "the call's port pairs went back to the pool")
    }
}
