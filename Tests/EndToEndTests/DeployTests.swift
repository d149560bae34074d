import Foundation
import NFTRules
import Testing
import TestSupport

/// What ships under deploy/ works with the built binaries.
@Suite("deploy/")
struct DeployTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy").path

    @Test("systemd units pass systemd-analyze verify (ExecStart pointed at the built binaries)")
    func systemdUnits() async throws {
        let analyze = try #require(Command.which("systemd-analyze"), "systemd-analyze missing: scripts/setup installs systemd")
        let directory = try TemporaryDirectory(prefix: "palisade-units")
        var units: [String] = []
        for name in ["palisade-media.service", "palisade-signal.service"] {
            let text = try String(contentsOfFile: "\(Self.deploy)/systemd/\(name)", encoding: .utf8)
            #expect(text.contains("ExecStart=/usr/bin/"), "units run the packaged binaries")
            units.append(try directory.file(name, contents: text.replacingOccurrences(
                of: "/usr/bin/palisade-", with: Products.directory + "/palisade-")))
        }
        let verify = try await Command.run(analyze, ["verify"] + units)
        #expect(verify.status == 0 && verify.stderr.isEmpty, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("each daemon gets only the capability it needs; signal starts after and requires media")
    func hardening() throws {
        let media = try String(contentsOfFile: "\(Self.deploy)/systemd/palisade-media.service", encoding: .utf8)
        let signal = try String(contentsOfFile: "\(Self.deploy)/systemd/palisade-signal.service", encoding: .utf8)
        #expect(media.contains("CapabilityBoundingSet=CAP_NET_ADMIN\n"))
        #expect(signal.contains("CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"))
        for unit in [media, signal] {
            #expect(unit.contains("NoNewPrivileges=yes") && unit.contains("ProtectSystem=strict"))
        }
        #expect(signal.contains("Requires=palisade-media.service"))
        #expect(signal.contains("After=network-online.target palisade-media.service"))
    }

    @Test("the documented default configuration passes --check-config")
    func defaultConfiguration() async throws {
        let check = try await Command.run(try Products.path("palisade-signal"),
                                    ["--check-config", "\(Self.deploy)/palisade.toml"])
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test("the base nftables ruleset loads, with the media plane's own table, in a throwaway namespace")
    func nftablesComposition() async throws {
        let unshare = try #require(Command.which("unshare"))
        _ = try #require(Command.which("nft"), "nft missing: scripts/setup installs nftables")
        let directory = try TemporaryDirectory(prefix: "palisade-nft")
        let media = try directory.file("palisade.nft",
                                       contents: NFTRules(mediaPorts: 30000...49999).renderRuleset())
        let base = "\(Self.deploy)/nftables/palisade-base.nft"
        // A new network namespace of our own: the host's ruleset is never touched.
        let script = "nft -f \(base) && nft -f \(media) && nft -f \(base) && nft list tables"
        let result = try await Command.run(unshare, ["--net", "sh", "-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("table inet palisade_base") && result.stdout.contains("table inet palisade\n"),
                "re-loading the base file replaces only its own table:\n\(result.stdout)")
    }

    @Test("every sysctl key exists on this kernel")
    func sysctlKeys() throws {
        let text = try String(contentsOfFile: "\(Self.deploy)/sysctl/90-palisade.conf", encoding: .utf8)
        let keys = text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") }
            .map { $0.split(separator: "=")[0].trimmingCharacters(in: .whitespaces) }
        #expect(keys.count >= 4)
        for key in keys {
            let path = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
            #expect(FileManager.default.fileExists(atPath: path) || key.hasPrefix("net.netfilter."),
                    "\(key) is not a sysctl of this kernel")
        }
    }
}
