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
}
