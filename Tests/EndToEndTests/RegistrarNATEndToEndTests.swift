import AdminProtocol
import Foundation
import Testing
import TestSupport

/// A phone behind an nftables masquerade NAT registers (issue 6 item 6): three network namespaces
/// made by the test — the SBC's, a NAT router's and the phone's — joined by veth pairs. The SBC
/// has no route to the phone's private network, so only the NAT's address can reach it; the
/// binding must record that address (and port) from the wire, not the phone's Contact.
@Suite("Registrar behind NAT, end to end", .serialized)
struct RegistrarNATEndToEndTests {
    /// palisade-signal run inside a namespace (`ip netns exec` execs it, so the PID is its own);
    /// killed when the test lets go of it.
    final class NamespacedProcess: @unchecked Sendable {
        let process = Process()
        let logPath: String

        init(namespace: String, _ executable: String, _ arguments: [String], logPath: String) throws {
            self.logPath = logPath
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            process.executableURL = URL(fileURLWithPath: try #require(Command.which("ip")))
            process.arguments = ["netns", "exec", namespace, executable] + arguments
            process.standardOutput = log
            process.standardError = log
            try process.run()
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    /// The namespaces and links, removed again by `remove()` (deleting a namespace deletes its veths).
    struct Topology {
        let sbc: String, nat: String, phone: String

        static func make() async throws -> Topology {
            let tag = String(UInt32.random(in: 0 ... .max), radix: 36)
            let topology = Topology(sbc: "reg-sbc-\(tag)", nat: "reg-nat-\(tag)", phone: "reg-ph-\(tag)")
            let ip = try #require(Command.which("ip"))
            let steps: [[String]] = [
                ["netns", "add", topology.sbc], ["netns", "add", topology.nat], ["netns", "add", topology.phone],
                ["link", "add", "rs\(tag)", "netns", topology.sbc, "type", "veth", "peer", "name", "rn\(tag)",
                 "netns", topology.nat],
                ["link", "add", "rp\(tag)", "netns", topology.phone, "type", "veth", "peer", "name", "rm\(tag)",
                 "netns", topology.nat],
                ["-n", topology.sbc, "addr", "add", "10.77.1.1/24", "dev", "rs\(tag)"],
                ["-n", topology.nat, "addr", "add", "10.77.1.2/24", "dev", "rn\(tag)"],
                ["-n", topology.nat, "addr", "add", "192.168.77.1/24", "dev", "rm\(tag)"],
                ["-n", topology.phone, "addr", "add", "192.168.77.2/24", "dev", "rp\(tag)"],
                ["-n", topology.sbc, "link", "set", "lo", "up"], ["-n", topology.sbc, "link", "set", "rs\(tag)", "up"],
                ["-n", topology.nat, "link", "set", "lo", "up"], ["-n", topology.nat, "link", "set", "rn\(tag)", "up"],
                ["-n", topology.nat, "link", "set", "rm\(tag)", "up"],
                ["-n", topology.phone, "link", "set", "lo", "up"], ["-n", topology.phone, "link", "set", "rp\(tag)", "up"],
                ["-n", topology.phone, "route", "add", "default", "via", "192.168.77.1"],
                ["netns", "exec", topology.nat, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"],
            ]
            for step in steps {
                let result = try await Command.run(ip, step)
                guard result.status == 0 else {
                    topology.remove()
                    throw TestSupportError("ip \(step.joined(separator: " ")): \(result.stderr)")
                }
            }
            let ruleset = """
                table ip reg_nat {
                    chain postrouting {
                        type nat hook postrouting priority srcnat; policy accept;
                        oifname "rn\(tag)" masquerade
                    }
                }
                """
            let nft = try await Command.run(ip, ["netns", "exec", topology.nat, try #require(Command.which("nft")), "-f", "-"],
                                      input: ruleset)
            guard nft.status == 0 else {
                topology.remove()
                throw TestSupportError("nft: \(nft.stderr)")
            }
            return topology
        }

        /// Synchronous, for `defer`.
        func remove() {
            guard let ip = Command.which("ip") else { return }
            for namespace in [phone, nat, sbc] { _ = try? Command.run(ip, ["netns", "delete", namespace]) as CommandResult }
        }
    }

    @Test("a phone behind masquerade NAT registers over UDP; the binding records the NAT's address, not the Contact")
    func natRegistration() async throws {
        try #require(getuid() == 0, "network namespaces need root")
        let topology = try await Topology.make()
        defer { topology.remove() }
        let directory = try TemporaryDirectory(prefix: "reg-nat")
        let password = String(UInt64.random(in: 1 ... .max), radix: 36)
        let users = try await RegistrarEndToEndTests.usersFile(in: directory, users: [("alice", password)], realm: "palisade")
        let config = try directory.file("palisade.toml", contents: """
            [log]
            level = "debug"

            [media]
            control_socket = "\(directory.path)/media.sock"

            [signal]
            admin_socket = "\(directory.path)/admin.sock"

            [metrics]
            enabled = false

            [registrar]
            users_file = "\(users)"
            algorithms = ["MD5"]

            [[realm]]
            name = "access"

            [[realm.listener]]
            transport = "udp"
            listen = "10.77.1.1:0"

            [realm.media]
            address = "127.0.0.1"
            port_min = 32000
            port_max = 32999

            """)
        let media = try Daemon("palisade-media", ["--config", config], logPath: directory.path + "/media.log")
        let signal = try NamespacedProcess(namespace: topology.sbc, try Products.path("palisade-signal"),
                                           ["--config", config], logPath: directory.path + "/signal.log")
        let status = try #require(try await eventually(seconds: 15) { () throws -> StatusReport? in
            let result = try Command.run(try Products.path("palisadectl"),
                                         ["--socket", directory.path + "/admin.sock", "status", "--json"])
            guard result.status == 0 else { return nil }
            let report = try JSONDecoder().decode(StatusReport.self, from: Data(result.stdout.utf8))
            return report.media.connected ? report : nil
        }, "daemons never came up\n\(signal.log)\n\(media.log)")
        let target = try #require(status.sip("access", "udp"))
        #expect(target.hasPrefix("10.77.1.1:"))

        let sipp = try #require(Command.which("sipp"))
        let trace = directory.path + "/sipp-nat.log"
        let run = try await Command.run(try #require(Command.which("ip")), [
            "netns", "exec", topology.phone, sipp, "-sf", RegistrarEndToEndTests.scenarios + "/register-uac.xml",
            "-t", "u1", "-i", "192.168.77.2", "-p", "5062", "-m", "1", "-timeout", "20s", "-timeout_error", "-nostdin",
            "-s", "alice", "-au", "alice", "-ap", password, "-key", "expires", "60",
            "-trace_msg", "-message_file", trace, target], timeoutSeconds: 30)
        let messages = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)\n\(messages)\n\(signal.log)")
        #expect(messages.contains("Contact: <sip:alice@192.168.77.2:5062;transport=UDP>;expires=60"), "\(messages)")
        // The SBC saw the NAT's address; the binding routes there, not to the private Contact.
        let log = signal.log
        #expect(log.contains("via udp:10.77.1.2:"), "\(log)")
        #expect(log.contains("nat=contact-address-differs"), "\(log)")
        #expect(log.contains("private-contact-address"))
        #expect(log.contains("route=sip:alice@10.77.1.2:"))
        await media.stop()
    }
}
