import Foundation
import Testing
import TestSupport

/// `palisadectl config check`: the daemons' own validation, offline, for operators and scripts.
@Suite("palisadectl config check")
struct ConfigCheckTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy").path

    @Test("the shipped configuration is valid; a broken one names every key and line; exit codes tell which")
    func verdicts() async throws {
        let directory = try TemporaryDirectory(prefix: "palisade-config-check")
        let broken = try directory.file("broken.toml", contents: """
            [log]
            level = "chatty"

            [signal]
            media_reconnect_max_ms = 70000
            """)
        let ctl = try Products.path("palisadectl")

        let good = try await Command.run(ctl, ["config", "check", "\(Self.deploy)/palisade.toml"])
        #expect(good.status == 0 && good.stdout.contains("configuration is valid"), "\(good.stdout)\(good.stderr)")

        let bad = try await Command.run(ctl, ["config", "check", broken, "\(Self.deploy)/palisade.toml"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("\(broken): 2 errors"), "\(bad.stdout)")
        #expect(bad.stdout.contains("line 2: log.level:") && bad.stdout.contains("line 5: signal.media_reconnect_max_ms:"),
                "\(bad.stdout)")

        let json = try await Command.run(ctl, ["--json", "config", "check", broken, directory.path + "/missing.toml"])
        #expect(json.status == 1)
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(reports.count == 2)
        let errors = reports.first?["errors"] as? [[String: Any]] ?? []
        #expect(errors.compactMap { $0["key"] as? String } == ["log.level", "signal.media_reconnect_max_ms"])
        #expect(errors.compactMap { $0["line"] as? Int } == [2, 5])
        #expect(reports.last?["valid"] as? Bool == false && reports.last?["unreadable"] is String)

        let usage = try await Command.run(ctl, ["config", "check"])
        #expect(usage.status == 2 && usage.stderr.contains("usage: palisadectl config check FILE..."))
    }
}
