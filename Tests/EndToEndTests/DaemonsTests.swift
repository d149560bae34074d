import AdminProtocol
import Foundation
import Testing
import TestSupport

/// Both built daemons and palisadectl, as an operator runs them: temporary sockets, a free
/// metrics port, real processes and signals.
@Suite("Daemons end to end", .serialized)
struct DaemonsTests {
    @Test("status and metrics with both up; kill -9 of the media plane is seen within 2 s, its restart within 2 s")
    func mediaPlaneOutage() async throws {
        let pair = try DaemonPair.start()
        var media = pair.media

        let up = try await eventually(seconds: 10) { try await pair.status().flatMap { $0.media.connected ? $0 : nil } }
        let status = try #require(up, "media plane never connected\n\(pair.logs)")
        #expect(status.signal.pid == pair.signal.pid)
        #expect(status.media.process?.pid == media.pid)
        #expect(status.media.process?.software == status.signal.software)
        // The media plane's packet workers (one per CPU by default), idle here: no stream, no packet.
        let workers = try #require(status.media.workers, "no workers in the status\n\(pair.logs)")
        #expect(!workers.isEmpty && workers.map(\.worker) == Array(0..<workers.count))
        #expect(workers.allSatisfy { $0.streams == 0 && $0.relayedPackets == 0 && $0.relayedPerSecond == 0 })
        let table = try await Command.run(try Products.path("palisadectl"), ["--socket", pair.admin, "status"])
        #expect(table.status == 0 && table.stdout.contains("WORKER") && table.stdout.contains("RELAYED/S"),
                "palisadectl status:\n\(table.stdout)")
        let metricsAddress = try #require(status.metricsAddress)
        #expect(!metricsAddress.hasSuffix(":0"), "the real port is reported, not the configured 0")

        let scrape = try HTTPGet.fetch(metricsAddress, path: "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.body.contains("palisade_media_plane_connected 1\n"))
        #expect(scrape.body.contains("palisade_process_resident_memory_bytes{process=\"media\"}"))
        #expect(scrape.body.contains("palisade_process_resident_memory_bytes{process=\"signal\"}"))
        let promtool = try #require(Command.which("promtool"), "promtool missing: scripts/setup installs prometheus")
        let lint = try await Command.run(promtool, ["check", "metrics"], input: scrape.body)
        #expect(lint.status == 0, "promtool check metrics:\n\(lint.stdout)\(lint.stderr)\n\(scrape.body)")
        #expect(try HTTPGet.fetch(metricsAddress, path: "/nothing").status == 404)

        // The delays are read from the daemons' own log timestamps: what a test process observes
        // through palisadectl also counts process start-up on a machine the rest of the suite
        // keeps busy, which is not what the signalling does.
        let killedAt = Date()
        media.send(SIGKILL)
        let down = try await eventually(seconds: 10) { try await pair.status().flatMap { $0.media.connected ? nil : $0 } }
        #expect(down != nil, "down never reported\n\(pair.logs)")
        let downAt = try #require(Self.logTime(of: "media plane down", in: pair.signal.log), "\(pair.signal.log)")
        let downAfter = downAt.timeIntervalSince(killedAt)
        #expect(downAfter < 2, "down seen \(downAfter) s after the kill\n\(pair.logs)")
        #expect(try HTTPGet.fetch(metricsAddress, path: "/metrics").body.contains("palisade_media_plane_connected 0\n"))

        _ = await media.waitForExit(seconds: 5)
        media = try pair.restartMedia()
        let back = try await eventually(seconds: 10) { try await pair.status().flatMap { $0.media.connected ? $0 : nil } }
        #expect(back != nil, "never reconnected\n\(pair.logs)")
        // From the restarted palisade-media's "started" (it listens by then) to the signalling's
        // "media plane reconnected".
        let restartedAt = try #require(Self.logTime(of: "palisade-media started", in: media.log, occurrence: 2),
                                       "\(media.log)")
        let backAt = try #require(Self.logTime(of: "media plane reconnected", in: pair.signal.log),
                                  "\(pair.signal.log)")
        let backAfter = backAt.timeIntervalSince(restartedAt)
        #expect(backAfter < 2, "reconnected \(backAfter) s after the restart\n\(pair.logs)")
        #expect(back?.media.process?.pid == media.pid)
        #expect(back?.media.reconnects == 1)
        #expect(back?.signal.pid == pair.signal.pid && pair.signal.isRunning, "palisade-signal was never restarted")

        pair.signal.send(SIGTERM)
        media.send(SIGTERM)
        #expect(await pair.signal.waitForExit(seconds: 10) == 0, "\(pair.logs)")
        #expect(await media.waitForExit(seconds: 10) == 0, "\(pair.logs)")
        #expect(!FileManager.default.fileExists(atPath: pair.admin), "admin socket removed on exit")
        #expect(!FileManager.default.fileExists(atPath: pair.control), "control socket removed on exit")
    }

    @Test("a second palisade-media on a live control socket is refused with a clear error")
    func secondMediaRefused() async throws {
        let pair = try DaemonPair.start()
        _ = try await eventually(seconds: 10) { try await pair.status().flatMap { $0.media.connected ? $0 : nil } }
        let second = try pair.restartMedia()
        #expect(await second.waitForExit(seconds: 10) == 1)
        #expect(second.log.contains("already listening on \(pair.control)"), "\(second.log)")
        #expect(pair.media.isRunning)
    }

    @Test("palisadectl: help from the command table; missing socket and unknown command fail with one line")
    func palisadectlErrors() async throws {
        let ctl = try Products.path("palisadectl")
        let help = try await Command.run(ctl, ["help"])
        #expect(help.status == 0 && help.stdout.contains("status"))
        let helpJSON = try await Command.run(ctl, ["help", "--json"])
        let table = try JSONSerialization.jsonObject(with: Data(helpJSON.stdout.utf8)) as? [[String: String]]
        let commands = table?.compactMap { $0["command"] } ?? []
        #expect(Set(commands).isSuperset(of: ["status", "sip check", "config check", "help"]), "\(commands)")
        for row in table ?? [] {
            #expect(help.stdout.contains("  \(row["usage"] ?? "?")  "), "help text lists \(row)")
        }
        let missing = try await Command.run(ctl, ["--socket", "/tmp/palisade-no-such.sock", "status"])
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").count == 1)
        #expect(missing.stderr.contains("/tmp/palisade-no-such.sock"))
        let unknown = try await Command.run(ctl, ["frobnicate"])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown command 'frobnicate'"))
    }

    @Test("a bad configuration names key and line and stops both daemons before they bind")
    func badConfiguration() async throws {
        let directory = try TemporaryDirectory(prefix: "palisade-e2e")
        let bad = try directory.file("bad.toml", contents: """
            [signal]
            admin_socket = "\(directory.path)/admin.sock"
            media_reconnect_max_ms = "soon"

            """)
        let check = try await Command.run(try Products.path("palisade-signal"), ["--check-config", bad])
        #expect(check.status == 1)
        #expect(check.stderr.contains("signal.media_reconnect_max_ms") && check.stderr.contains(":3"), "\(check.stderr)")
        let good = try directory.file("good.toml", contents: "[log]\nformat = \"json\"\n")
        await #expect(try Command.run(try Products.path("palisade-signal"), ["--check-config", good]).status == 0)

        for product in ["palisade-signal", "palisade-media"] {
            let daemon = try Daemon(product, ["--config", bad], logPath: directory.path + "/\(product).log")
            #expect(await daemon.waitForExit(seconds: 10) == 1, "\(product) must refuse a bad file")
            #expect(daemon.log.contains("media_reconnect_max_ms"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/admin.sock"))
    }

    /// The timestamp of the `occurrence`-th log line containing `text` (text log format:
    /// `2026-11-22T15:20:34.881Z level label: message`).
    static func logTime(of text: String, in log: String, occurrence: Int = 1) -> Date? {
        let lines = log.split(separator: "\n").filter { $0.contains(text) }
        guard lines.count >= occurrence, let stamp = lines[occurrence - 1].split(separator: " ").first else { return nil }
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return parser.date(from: String(stamp))
    }
}
