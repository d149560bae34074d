import AdminProtocol
import Foundation
import SIPAuth
import Testing
import TestSupport

/// Registrations through palisade-signal's embedded registrar with sipp as the phone (issue 6
/// items 5 and 9): digest authentication over UDP and TCP, wrong passwords, the throttle,
/// unregistering and expiry. Every listener on port 0; every pair in its own directory.
@Suite("Registrar end to end", .serialized)
struct RegistrarEndToEndTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scenarios").path

    /// The users file made by `palisade-signal --hash-user`, the way an operator makes it.
    static func usersFile(in directory: TemporaryDirectory, users: [(String, String)], realm: String) async throws -> String {
        var lines = "# made by palisade-signal --hash-user\n"
        for (user, password) in users {
            let made = try await Command.run(try Products.path("palisade-signal"), ["--hash-user", user, realm],
                                       input: password + "\n")
            guard made.status == 0 else { throw TestSupportError("--hash-user failed: \(made.stderr)") }
            #expect(!made.stdout.contains(password), "the password itself must never be printed")
            lines += made.stdout
        }
        return try directory.file("users", contents: lines)
    }

    /// `accessKeys`: more keys of the access realm (`route_to`); `moreUsers` join alice and bob.
    /// `sip`: keys of the `[sip]` section.
    static func start(registrar: String = "algorithms = [\"MD5\"]", accessKeys: String = "",
                      moreUsers: [(String, String)] = [], sip: String = "") async throws -> (DaemonPair, password: String) {
        let directory = try TemporaryDirectory(prefix: "reg-e2e")
        let password = String(UInt64.random(in: 1 ... .max), radix: 36)
        let users = try await usersFile(in: directory, users: [("alice", password), ("bob", "bob-\(password)")] + moreUsers,
                                  realm: "palisade")
        let config = try directory.file("palisade.toml", contents: """
            [log]
            level = "debug"

            [media]
            control_socket = "\(directory.path)/media.sock"

            [signal]
            admin_socket = "\(directory.path)/admin.sock"
            call_records = "\(directory.path)/calls.jsonl"

            [metrics]
            listen = "127.0.0.1:0"

            [sip]
            \(sip)

            [registrar]
            users_file = "\(users)"
            \(registrar)

            [[realm]]
            name = "access"
            \(accessKeys)

            [[realm.listener]]
            transport = "udp"
            listen = "127.0.0.1:0"

            [[realm.listener]]
            transport = "tcp"
            listen = "127.0.0.1:0"

            [realm.media]
            address = "127.0.0.1"
            port_min = 30000
            port_max = 30999

            """)
        let media = try Daemon("palisade-media", ["--config", config], logPath: directory.path + "/media.log")
        let signal = try Daemon("palisade-signal", ["--config", config], logPath: directory.path + "/signal.log")
        return (DaemonPair(directory: directory, config: config, media: media, signal: signal), password)
    }

    static func metrics(_ status: StatusReport) throws -> String {
        try HTTPGet.fetch(try #require(status.metricsAddress), path: "/metrics").body
    }

    static func register(_ pair: DaemonPair, target: String, transport: String = "u1", user: String = "alice",
                         password: String, expires: Int = 60, calls: Int = 1,
                         scenario: String = "register-uac.xml", extraArguments: [String] = []) async throws -> Sipp.Outcome {
        try await Sipp.run(scenario: scenarios + "/" + scenario, target: target, transport: transport, calls: calls,
                     rate: 10, timeoutSeconds: 30,
                     extra: ["-l", "1", "-s", user, "-au", user, "-ap", password, "-key", "expires", "\(expires)",
                             "-trace_msg", "-message_file", pair.directory.path + "/sipp-\(user)-\(expires).log"]
                         + extraArguments,
                     workDirectory: pair.directory.path)
    }

    static func messages(_ pair: DaemonPair, user: String = "alice", expires: Int = 60) -> String {
        (try? String(contentsOfFile: pair.directory.path + "/sipp-\(user)-\(expires).log", encoding: .utf8)) ?? ""
    }

    @Test("sipp registers with MD5 digest: 401, then 200 listing the binding; the binding keeps the flow",
          arguments: ["udp", "tcp"])
    func register(transport: String) async throws {
        let (pair, password) = try await Self.start()
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", transport))
        let outcome = try await Self.register(pair, target: target, transport: transport == "udp" ? "u1" : "t1",
                                        password: password, expires: 45)
        let trace = Self.messages(pair, expires: 45)
        #expect(outcome.status == 0 && outcome.successfulCalls == 1, "\(outcome.output)\n\(trace)\n\(pair.logs)")
        #expect(trace.contains("SIP/2.0 401 Unauthorized"))
        #expect(trace.contains("algorithm=MD5") && trace.contains("qop=\"auth\""))
        #expect(trace.contains("SIP/2.0 200 OK"))
        #expect(trace.contains(";expires=45"), "the 200 lists the binding with its expiry\n\(trace)")
        let metrics = try Self.metrics(status)
        #expect(metrics.contains("palisade_registrations_active 1\n"), "\(metrics)")
        #expect(metrics.contains("palisade_registrar_requests_total{result=\"registered\"} 1\n"))
        #expect(metrics.contains("palisade_registrar_requests_total{result=\"challenged\"} 1\n"))
        // The binding remembers the flow it came on: the log names the wire address.
        #expect(pair.signal.log.contains("registered"), "\(pair.signal.log)")
        #expect(pair.signal.log.contains("\(transport):127.0.0.1:"))
        // palisadectl registrations list shows the binding, its flow and expiry.
        let list = try await Command.run(try Products.path("palisadectl"), ["--socket", pair.admin, "--json", "registrations", "list"])
        let bindings = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(bindings.count == 1, "\(list.stdout)\(list.stderr)")
        #expect((bindings.first?["aor"] as? String)?.hasPrefix("sip:alice@") == true)
        #expect((bindings.first?["flow"] as? String)?.hasPrefix("\(transport) 127.0.0.1:") == true, "\(bindings)")
        #expect((bindings.first?["expiresInSeconds"] as? Double).map { $0 > 30 && $0 <= 45 } == true, "\(bindings)")
        let table = try await Command.run(try Products.path("palisadectl"), ["--socket", pair.admin, "registrations", "list"])
        #expect(table.stdout.hasPrefix("ADDRESS OF RECORD") && table.stdout.contains("sip:alice@"), "\(table.stdout)")
        await pair.stop()
    }

    @Test("Expires: 0 removes the binding; a short binding expires by itself")
    func unregisterAndExpire() async throws {
        let (pair, password) = try await Self.start(registrar: "algorithms = [\"MD5\"]\nmin_expires_s = 1\ndefault_expires_s = 1")
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        await #expect(try Self.register(pair, target: target, password: password, expires: 60).status == 0)
        #expect(try Self.metrics(status).contains("palisade_registrations_active 1\n"))
        // A new sipp process has a new port and Call-ID: it removes what it cannot name with Contact: *.
        let gone = try await Self.register(pair, target: target, password: password, expires: 0,
                                     scenario: "unregister-all-uac.xml")
        #expect(gone.status == 0, "\(gone.output)\n\(Self.messages(pair, expires: 0))")
        var metrics = try Self.metrics(status)
        #expect(metrics.contains("palisade_registrations_active 0\n"), "\(metrics)")
        #expect(metrics.contains("palisade_registrar_requests_total{result=\"unregistered\"} 1\n"))

        await #expect(try Self.register(pair, target: target, password: password, expires: 2).status == 0)
        #expect(try Self.metrics(status).contains("palisade_registrations_active 1\n"))
        let expired = try await eventually(seconds: 6, every: 200) {
            try Self.metrics(status).contains("palisade_registrations_active 0\n") ? true : nil
        }
        metrics = try Self.metrics(status)
        #expect(expired == true, "\(metrics)")
        #expect(pair.signal.log.contains("registration expired"))
        await pair.stop()
    }

    @Test("a wrong password never registers; repeated failures are delayed, then refused with 503 and Retry-After")
    func wrongPasswordThrottled() async throws {
        let (pair, password) = try await Self.start(registrar: """
            algorithms = ["MD5"]
            auth_delay_after_failures = 2
            auth_refuse_after_failures = 4
            auth_refuse_s = 30
            """)
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        let started = ContinuousClock.now
        let guesses = try await Self.register(pair, target: target, password: "not-\(password)", expires: 60, calls: 5,
                                        scenario: "register-wrong-password-uac.xml")
        let elapsed = ContinuousClock.now - started
        let trace = Self.messages(pair)
        #expect(guesses.status == 0 && guesses.successfulCalls == 5, "\(guesses.output)\n\(trace)")
        #expect(!trace.contains("SIP/2.0 200 OK"))
        #expect(trace.contains("SIP/2.0 503 Service Unavailable") && trace.contains("Retry-After: "))
        // One call at a time (-l 1): the answers after failure 2 were held back 1 s, 1 s, 2 s, 2 s.
        #expect(elapsed >= .seconds(5), "\(elapsed)")
        let metrics = try Self.metrics(status)
        #expect(metrics.contains("palisade_registrar_auth_failures_total{reason=\"wrong-response\"} 4\n"), "\(metrics)")
        #expect(metrics.contains("palisade_registrar_requests_total{result=\"throttled\"} 1\n"))
        #expect(metrics.contains("palisade_registrations_active 0\n"))
        // While refused, even the right password from that address gets 503.
        let refused = try await Self.register(pair, target: target, password: password, expires: 30)
        #expect(refused.status != 0)
        #expect(Self.messages(pair, expires: 30).contains("SIP/2.0 503 Service Unavailable"))
        // registrar.ban_refused_sources (on by default): the refused address is handed to the media
        // plane once, for the cool-off; this pair's palisade-media has no firewall and says so.
        let logs = await eventually(seconds: 5) { () -> String? in
            let text = pair.logs
            return text.contains("firewall-disabled") ? text : nil
        } ?? pair.logs
        #expect(logs.components(separatedBy: "banning a source the auth-failure throttle refuses").count == 2, "\(logs)")
        #expect(logs.contains("source=127.0.0.1") && logs.contains("firewall-disabled"), "\(logs)")
        await pair.stop()
    }

    @Test("bob cannot register alice's address: 403")
    func foreignAOR() async throws {
        let (pair, password) = try await Self.start()
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        let outcome = try await Sipp.run(scenario: Self.scenarios + "/register-uac.xml", target: target, calls: 1,
                                   timeoutSeconds: 20,
                                   extra: ["-s", "alice", "-au", "bob", "-ap", "bob-\(password)", "-key", "expires", "60",
                                           "-trace_msg", "-message_file", pair.directory.path + "/sipp-bob.log"],
                                   workDirectory: pair.directory.path)
        let trace = (try? String(contentsOfFile: pair.directory.path + "/sipp-bob.log", encoding: .utf8)) ?? ""
        #expect(outcome.status != 0)
        #expect(trace.contains("SIP/2.0 403 Forbidden"), "\(trace)")
        #expect(try Self.metrics(status).contains("palisade_registrar_auth_failures_total{reason=\"foreign-aor\"} 1\n"))
        await pair.stop()
    }

    /// sipp (3.6) reads only the first challenge and knows only MD5, so the tests above offer MD5
    /// alone; this one keeps the default (SHA-256, then MD5) and answers with SHA-256 itself.
    @Test("RFC 8760: the default 401 offers SHA-256 then MD5; a SHA-256 answer registers")
    func sha256() async throws {
        let (pair, password) = try await Self.start(registrar: "")
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        let uri = "sip:\(target)"
        func register(cseq: Int, authorization: String?) -> String {
            "REGISTER \(uri) SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK\(UInt64.random(in: 1 ... .max));rport\r\n"
                + "Max-Forwards: 70\r\nTo: <sip:alice@127.0.0.1>\r\nFrom: <sip:alice@127.0.0.1>;tag=reg1\r\n"
                + "Call-ID: sha256-\(pair.signal.pid)@127.0.0.1\r\nCSeq: \(cseq) REGISTER\r\n"
                + "Contact: <sip:alice@127.0.0.1:5999>\r\nExpires: 50\r\n"
                + (authorization.map { "Authorization: \($0)\r\n" } ?? "") + "Content-Length: 0\r\n\r\n"
        }
        let challenge = try await UDPExchange.send(register(cseq: 1, authorization: nil), to: target)
        let challenges = challenge.split(separator: "\r\n").filter { $0.hasPrefix("WWW-Authenticate: ") }
        #expect(challenge.hasPrefix("SIP/2.0 401 "), "\(challenge)")
        #expect(challenges.count == 2 && challenges[0].contains("algorithm=SHA-256")
            && challenges[1].contains("algorithm=MD5"), "\(challenge)")
        let sha = String(try #require(challenges.first))
        let nonce = try #require(sha.split(separator: "nonce=\"").last?.split(separator: "\"").first).description
        let ha1 = DigestResponse.ha1(hash: .sha256, username: "alice".utf8, realm: "palisade".utf8,
                                     password: password.utf8)
        let response = DigestResponse.compute(algorithm: .sha256, storedHA1: ha1, nonce: Array(nonce.utf8),
                                              nonceCountText: Array("00000001".utf8), cnonce: Array("e2e".utf8),
                                              qop: .auth, method: "REGISTER".utf8, digestURI: uri.utf8)
        let authorization = "Digest username=\"alice\", realm=\"palisade\", nonce=\"\(nonce)\", uri=\"\(uri)\", "
            + "response=\"\(String(decoding: response, as: UTF8.self))\", algorithm=SHA-256, qop=auth, "
            + "nc=00000001, cnonce=\"e2e\""
        let ok = try await UDPExchange.send(register(cseq: 2, authorization: authorization), to: target)
        #expect(ok.hasPrefix("SIP/2.0 200 OK"), "\(ok)\n\(pair.logs)")
        #expect(ok.contains("Contact: <sip:alice@127.0.0.1:5999>;expires=50"), "\(ok)")
        await pair.stop()
    }

    @Test("a malformed users file stops palisade-signal at start, naming file and line")
    func badUsersFile() async throws {
        let directory = try TemporaryDirectory(prefix: "reg-e2e")
        let users = try directory.file("users", contents: "# users\nalice palisade SHA-256:not-hex\n")
        let config = try directory.file("palisade.toml", contents: """
            [signal]
            admin_socket = "\(directory.path)/admin.sock"

            [media]
            control_socket = "\(directory.path)/media.sock"

            [metrics]
            enabled = false

            [registrar]
            users_file = "\(users)"

            [[realm]]
            name = "access"

            [[realm.listener]]
            transport = "udp"
            listen = "127.0.0.1:0"

            [realm.media]
            address = "127.0.0.1"

            """)
        let result = try await Command.run(try Products.path("palisade-signal"), ["--config", config], timeoutSeconds: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(users):2: malformedHA1"), "\(result.stderr)")
    }
}

