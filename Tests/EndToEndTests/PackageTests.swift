import Foundation
import Testing
import TestSupport

/// scripts/package builds a Debian package whose contents, conffiles, maintainer scripts and
/// units check out. The binaries are the ones this test run built (debug), so the package is
/// built with `--bin-dir` (and uncompressed); the release packaging differs only in how the
/// binaries are compiled and in the compression.
@Suite("scripts/package")
struct PackageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Builds the package into a directory of its own and unpacks it (`dpkg-deb -R`:
    /// the file tree and DEBIAN/ with the maintainer scripts).
    struct Built {
        let directory: TemporaryDirectory
        let deb: String
        let tree: String

        init() async throws {
            directory = try TemporaryDirectory(prefix: "palisade-package")
            let build = try await Command.run("\(PackageTests.root)/scripts/package",
                                        ["--bin-dir", Products.directory, "--output", directory.path,
                                         "--compression", "none"])
            guard build.status == 0 else { throw TestSupportError("scripts/package failed:\n\(build.stderr)") }
            deb = build.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            tree = directory.path + "/tree"
            let unpack = try await Command.run("/usr/bin/dpkg-deb", ["-R", deb, tree])
            guard unpack.status == 0 else { throw TestSupportError("dpkg-deb -R failed:\n\(unpack.stderr)") }
        }

        func read(_ path: String) throws -> String { try String(contentsOfFile: tree + path, encoding: .utf8) }
    }

    /// One package build (about ten seconds) checked three ways.
    @Test("the package builds; its contents, control fields, maintainer scripts and units check out")
    func package() async throws {
        let built = try await Built()
        try await contents(built)
        try await control(built)
        try await units(built)
    }

    /// The daemons, palisadectl, units, configuration, ruleset and sysctl settings, as in the tree.
    func contents(_ built: Built) async throws {
        let listing = try await Command.run("/usr/bin/dpkg-deb", ["-c", built.deb])
        #expect(listing.status == 0)
        for path in ["./usr/bin/palisade-signal", "./usr/bin/palisade-media", "./usr/bin/palisadectl",
                     "./lib/systemd/system/palisade-signal.service", "./lib/systemd/system/palisade-media.service",
                     "./etc/palisade/palisade.toml", "./etc/palisade/palisade-base.nft",
                     "./etc/sysctl.d/90-palisade.conf", "./usr/share/doc/palisade/CONFIGURATION.md"] {
            #expect(listing.stdout.contains(" \(path)\n"), "\(path) missing from the package")
        }
        let entries = listing.stdout.split(separator: "\n")
        #expect(entries.allSatisfy { $0.contains(" root/root ") }, "every file belongs to root")
        #expect(entries.filter { $0.hasSuffix("/usr/bin/palisadectl") || $0.hasSuffix("/usr/bin/palisade-signal") }
            .allSatisfy { $0.hasPrefix("-rwxr-xr-x") }, "binaries are executable")
        // The packaged files are the ones in the tree, byte for byte.
        for (packaged, source) in [("/etc/palisade/palisade.toml", "deploy/palisade.toml"),
                                   ("/etc/palisade/palisade-base.nft", "deploy/nftables/palisade-base.nft"),
                                   ("/lib/systemd/system/palisade-signal.service",
                                    "deploy/systemd/palisade-signal.service")] {
            #expect(try built.read(packaged) == String(contentsOfFile: "\(Self.root)/\(source)", encoding: .utf8))
        }
        let version = try await Command.run(built.tree + "/usr/bin/palisade-signal", ["--version"])
        #expect(version.status == 0 && built.deb.contains("palisade_\(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last ?? "?")_"),
                "the package version is the daemons' version: \(version.stdout) vs \(built.deb)")
    }

    /// Control fields, conffiles and maintainer scripts.
    func control(_ built: Built) async throws {
        let control = try built.read("/DEBIAN/control")
        #expect(control.contains("Package: palisade\n"))
        let depends = control.split(separator: "\n").first { $0.hasPrefix("Depends: ") }.map(String.init) ?? ""
        // Every shared library the binaries load that a Debian package provides is in Depends.
        var needed: Set<String> = ["adduser", "nftables"]
        for binary in ["palisade-signal", "palisade-media", "palisadectl"] {
            let ldd = try await Command.run("/usr/bin/ldd", [built.tree + "/usr/bin/" + binary])
            for line in ldd.stdout.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 3, fields[1] == "=>", fields[2].hasPrefix("/") else { continue }
                let owner = try await Command.run("/usr/bin/dpkg", ["-S", String(fields[2])])
                if owner.status == 0, let package = owner.stdout.split(separator: ":").first {
                    needed.insert(String(package))
                }
            }
        }
        #expect(needed.count > 2, "the binaries load libc at least")
        for package in needed {
            #expect(depends.contains(package), "Depends lacks \(package): \(depends)")
        }
        #expect(try built.read("/DEBIAN/conffiles").split(separator: "\n").sorted() ==
                ["/etc/palisade/palisade-base.nft", "/etc/palisade/palisade.toml", "/etc/sysctl.d/90-palisade.conf"])
        for script in ["postinst", "prerm", "postrm"] {
            let path = built.tree + "/DEBIAN/" + script
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(script) is not executable")
            let syntax = try await Command.run("/bin/sh", ["-n", path])
            #expect(syntax.status == 0, "\(script): \(syntax.stderr)")
        }
        let postinst = try built.read("/DEBIAN/postinst")
        #expect(postinst.contains("adduser --system --group") && postinst.contains("getent passwd palisade"),
                "postinst creates the user the units run as, once")
        // The package itself passes dpkg's own checks of a built archive.
        let info = try await Command.run("/usr/bin/dpkg-deb", ["--info", built.deb])
        #expect(info.status == 0 && info.stdout.contains("Architecture: "), "\(info.stderr)")
    }

    /// The packaged units pass systemd-analyze verify against the packaged binaries and configuration.
    func units(_ built: Built) async throws {
        let analyze = try #require(Command.which("systemd-analyze"))
        var units: [String] = []
        for name in ["palisade-media.service", "palisade-signal.service"] {
            let text = try built.read("/lib/systemd/system/\(name)")
                .replacingOccurrences(of: "/usr/bin/", with: built.tree + "/usr/bin/")
                .replacingOccurrences(of: "/etc/palisade/", with: built.tree + "/etc/palisade/")
            units.append(try built.directory.file(name, contents: text))
        }
        let verify = try await Command.run(analyze, ["verify"] + units)
        #expect(verify.status == 0 && verify.stderr.isEmpty, "\(verify.stdout)\(verify.stderr)")
        let check = try await Command.run(built.tree + "/usr/bin/palisade-signal",
                                    ["--check-config", built.tree + "/etc/palisade/palisade.toml"])
        #expect(check.status == 0, "the packaged configuration is valid: \(check.stderr)")
    }
}
