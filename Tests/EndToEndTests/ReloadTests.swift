import Foundation
import Testing
import TestSupport

/// `palisadectl log level`, `palisadectl config reload` and SIGHUP against a running pair.
@Suite("Reload and log level end to end", .serialized)
struct ReloadTests {
    static func ctl(_ pair: DaemonPair, _ words: [String]) async throws -> CommandResult {
        try await Command.run(try Products.path("palisadectl"), ["--socket", pair.admin] + words)
    }

    @Test("log level is shown and changed for the whole process; a bad level is refused")
    func logLevel() async throws {
        let pair = try DaemonPair.start()
        _ = try #require(try await pair.ready(), "not ready\n\(pair.logs)")

        let shown = try await Self.ctl(pair, ["log", "level"])
        #expect(shown.status == 0 && shown.stdout == "log level debug\n", "\(shown.stdout)\(shown.stderr)")
        let changed = try await Self.ctl(pair, ["log", "level", "warning"])
        #expect(changed.stdout == "log level debug → warning\n", "\(changed.stdout)\(changed.stderr)")
        let json = try await Self.ctl(pair, ["--json", "log", "level"])
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: String]
        #expect(report == ["previous": "warning", "current": "warning"])
        // At warning, the debug lines every OPTIONS ping would log are gone.
        let before = pair.signal.log.count
        _ = try await Self.ctl(pair, ["status"])
        #expect(pair.signal.log.count == before, "nothing below warning is logged")

        let bad = try await Self.ctl(pair, ["log", "level", "loud"])
        #expect(bad.status == 1 && bad.stderr.contains("log level takes one of trace, debug"), "\(bad.stderr)")
        await pair.stop()
    }

    @Test("config reload applies the log level, lists what needs a restart, and refuses a broken file")
    func configReload() async throws {
        let pair = try DaemonPair.start()
        _ = try #require(try await pair.ready(), "not ready\n\(pair.logs)")
        let original = try String(contentsOfFile: pair.config, encoding: .utf8)

        let unchanged = try await Self.ctl(pair, ["config", "reload"])
        #expect(unchanged.status == 0 && unchanged.stdout.contains("applied: TLS certificates read again")
                && !unchanged.stdout.contains("needs a restart"), "\(unchanged.stdout)\(unchanged.stderr)")

        try original.replacingOccurrences(of: "level = \"debug\"", with: "level = \"notice\"")
            .appending("\n[sip]\nt1_ms = 250\n").write(toFile: pair.config, atomically: true, encoding: .utf8)
        let reloaded = try await Self.ctl(pair, ["--json", "config", "reload"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(reloaded.stdout.utf8)) as? [String: Any],
                                  "\(reloaded.stdout)\(reloaded.stderr)")
        #expect((report["applied"] as? [String])?.contains("log.level: debug → notice") == true, "\(report)")
        #expect(report["restartNeeded"] as? [String] == ["[sip]"], "\(report)")
        await #expect(try Self.ctl(pair, ["log", "level"]).stdout == "log level notice\n")

        // The registrar's users file is read again (its path may change): a user added, no restart.
        let hash = try await Command.run(try Products.path("palisade-signal"), ["--hash-user", "alice", "palisade"],
                                   input: "correct horse\n")
        let users = try pair.directory.file("users", contents: hash.stdout)
        try String(contentsOfFile: pair.config, encoding: .utf8).appending("\n[registrar]\nusers_file = \"\(users)\"\n")
            .write(toFile: pair.config, atomically: true, encoding: .utf8)
        let withUsers = try await Self.ctl(pair, ["config", "reload"])
        #expect(withUsers.stdout.contains("applied: registrar users read again (2 lines)")
                && !withUsers.stdout.contains("[registrar]"), "\(withUsers.stdout)\(withUsers.stderr)")
        try "bob palisade SHA-256:not-a-hash\n".write(toFile: users, atomically: true, encoding: .utf8)
        let badUsers = try await Self.ctl(pair, ["config", "reload"])
        #expect(badUsers.status == 1 && badUsers.stderr.contains("registrar.users_file:"), "\(badUsers.stderr)")

        try "[log]\nlevel = \"noisy\"\n[sip]\nt1_ms = -1\n".write(toFile: pair.config, atomically: true, encoding: .utf8)
        let refused = try await Self.ctl(pair, ["config", "reload"])
        #expect(refused.status == 1, "\(refused.stdout)")
        #expect(refused.stderr.contains("the running configuration stays") && refused.stderr.contains(":2: log.level:")
                && refused.stderr.contains(":4: sip.t1_ms:"), "\(refused.stderr)")
        await #expect(try Self.ctl(pair, ["log", "level"]).stdout == "log level notice\n", "nothing of the broken file applied")

        // SIGHUP does the same, and a refused reload leaves the daemon serving.
        pair.signal.send(SIGHUP)
        let logged = await eventually(seconds: 5) { pair.signal.log.contains("configuration reload refused") ? true : nil }
        #expect(logged == true, "\(pair.logs)")
        #expect(try await pair.ready() != nil && pair.signal.isRunning)
        await pair.stop()
    }

    @Test("a reload changes the routing of new calls live (here call authentication); a realm's listener change waits for a restart")
    func routingReload() async throws {
        let (pair, _) = try await RegistrarEndToEndTests.start(accessKeys: "route_to = \"access\"")
        let status = try #require(try await pair.ready(), "not ready\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        func inviteStatus() async throws -> String {
            let answer = try await UDPExchange.send(SIPText.request("INVITE", uri: "sip:alice@127.0.0.1", target: target),
                                                    to: target)
            return answer.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
        // The users file makes the access realm challenge calls.
        let challenged = try await inviteStatus()
        #expect(challenged.hasPrefix("SIP/2.0 407"), "\(challenged)\n\(pair.logs)")

        let original = try String(contentsOfFile: pair.config, encoding: .utf8)
        try original.replacingOccurrences(of: "name = \"access\"\n", with: "name = \"access\"\nauthenticate_calls = false\n")
            .write(toFile: pair.config, atomically: true, encoding: .utf8)
        let reloaded = try await Self.ctl(pair, ["config", "reload"])
        #expect(reloaded.status == 0 && reloaded.stdout.contains("[[realm]] routes, targets, policies and limits")
                && !reloaded.stdout.contains("needs a restart"), "\(reloaded.stdout)\(reloaded.stderr)")
        // No challenge now, no restart: routed to the access realm's registrations, where alice has none.
        let routed = try await inviteStatus()
        #expect(routed.hasPrefix("SIP/2.0 480") || routed.hasPrefix("SIP/2.0 404"), "\(routed)\n\(pair.logs)")

        // A new listener is not something a running process takes on: reported, nothing applied.
        try String(contentsOfFile: pair.config, encoding: .utf8)
            .replacingOccurrences(of: "authenticate_calls = false\n", with: "authenticate_calls = true\n")
            .appending("\n[[realm.listener]]\ntransport = \"tcp\"\nlisten = \"127.0.0.1:0\"\n")
            .write(toFile: pair.config, atomically: true, encoding: .utf8)
        let listener = try await Self.ctl(pair, ["--json", "config", "reload"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(listener.stdout.utf8)) as? [String: Any],
                                  "\(listener.stdout)\(listener.stderr)")
        #expect((report["restartNeeded"] as? [String])?.contains { $0.hasPrefix("[[realm]]") } == true, "\(report)")
        let after = try await inviteStatus()
        #expect(after == routed, "the running routing stays until the restart: \(after) \(report)")
        await pair.stop()
    }
}
