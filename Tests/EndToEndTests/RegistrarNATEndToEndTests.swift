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

    /// Both daemons inside the SBC's namespace on one configuration: the access realm on the
    /// SBC's veth (10.77.1.1, media there too), `realms` more realms, and the users' registrar.
    struct SBC {
        let directory: TemporaryDirectory
        let media: NamespacedProcess
        let signal: NamespacedProcess
        let status: StatusReport
        var admin: String { directory.path + "/admin.sock" }
        var logs: String { "\(signal.log)\n\(media.log)" }

        /// `registrar`: more keys of `[registrar]` (the relay's).
        static func start(in topology: Topology, users: [(String, String)], registrar: String = "",
                          realms: String = "") async throws -> SBC {
            let directory = try TemporaryDirectory(prefix: "reg-nat")
            let usersFile = try await RegistrarEndToEndTests.usersFile(in: directory, users: users, realm: "palisade")
            let config = try directory.file("palisade.toml", contents: """
                [log]
                level = "debug"

                [media]
                control_socket = "\(directory.path)/media.sock"

                [signal]
                admin_socket = "\(directory.path)/admin.sock"
                call_records = "\(directory.path)/calls.jsonl"

                [metrics]
                enabled = false

                [registrar]
                users_file = "\(usersFile)"
                algorithms = ["MD5"]
                \(registrar)

                [[realm]]
                name = "access"

                [[realm.listener]]
                transport = "udp"
                listen = "10.77.1.1:0"

                [realm.media]
                address = "10.77.1.1"
                port_min = 20000
                port_max = 20999
                \(realms)
                """)
            let media = try NamespacedProcess(namespace: topology.sbc, try Products.path("palisade-media"),
                                              ["--config", config], logPath: directory.path + "/media.log")
            let signal = try NamespacedProcess(namespace: topology.sbc, try Products.path("palisade-signal"),
                                               ["--config", config], logPath: directory.path + "/signal.log")
            let ctl = try Products.path("palisadectl"), admin = directory.path + "/admin.sock"
            let status = try #require(try await eventually(seconds: 15) { () async throws -> StatusReport? in
                let result = try await Command.run(ctl, ["--socket", admin, "status", "--json"])
                guard result.status == 0 else { return nil }
                let report = try JSONDecoder().decode(StatusReport.self, from: Data(result.stdout.utf8))
                return report.media.connected ? report : nil
            }, "daemons never came up\n\(signal.log)\n\(media.log)")
            return SBC(directory: directory, media: media, signal: signal, status: status)
        }
    }

    @Test("a phone behind masquerade NAT registers over UDP; the binding records the NAT's address, not the Contact")
    func natRegistration() async throws {
        try #require(getuid() == 0, "network namespaces need root")
        let topology = try await Topology.make()
        defer { topology.remove() }
        let password = String(UInt64.random(in: 1 ... .max), radix: 36)
        let sbc = try await SBC.start(in: topology, users: [("alice", password)])
        let directory = sbc.directory, signal = sbc.signal, status = sbc.status
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
    }

    /// Issue 6, test 3: the phone behind the NAT registers, then the core PBX calls it. The INVITE
    /// reaches the phone through its NAT binding; the phone's media, sent from its private address,
    /// latches the access leg to the NAT's address, and the PBX's media comes back through it.
    @Test("a phone behind masquerade NAT registers, then a call from the core reaches it through its NAT flow, media both ways")
    func natCallFromCore() async throws {
        try #require(getuid() == 0, "network namespaces need root")
        let topology = try await Topology.make()
        defer { topology.remove() }
        let password = String(UInt64.random(in: 1 ... .max), radix: 36)
        // The core on the SBC's loopback, routing to the access realm's registrations.
        let sbc = try await SBC.start(in: topology, users: [("2000", password)], realms: """

            [[realm]]
            name = "core"
            trust = "trusted"
            media_policy = "rtp-only"
            route_to = "access"

            [[realm.listener]]
            transport = "udp"
            listen = "127.0.0.1:0"

            [realm.media]
            address = "127.0.0.1"
            port_min = 21000
            port_max = 21999
            """)
        let directory = sbc.directory, signal = sbc.signal, media = sbc.media, status = sbc.status
        let ctl = try Products.path("palisadectl"), admin = sbc.admin
        let accessTarget = try #require(status.sip("access", "udp"))
        let coreTarget = try #require(status.sip("core", "udp"))

        // 2000 registers from 192.168.77.2:5062, the port its UAS then answers on (the NAT keeps
        // the mapping), exactly as the registration-only test above.
        let sipp = try #require(Command.which("sipp")), ip = try #require(Command.which("ip"))
        let registered = try await Command.run(ip, [
            "netns", "exec", topology.phone, sipp, "-sf", RegistrarEndToEndTests.scenarios + "/register-uac.xml",
            "-t", "u1", "-i", "192.168.77.2", "-p", "5062", "-m", "1", "-timeout", "20s", "-timeout_error", "-nostdin",
            "-s", "2000", "-au", "2000", "-ap", password, "-key", "expires", "60", accessTarget], timeoutSeconds: 30)
        try #require(registered.status == 0, "\(registered.stdout)\(registered.stderr)\n\(signal.log)")

        let phoneMedia = try await LoopbackUDP.inside(namespace: topology.phone, address: "192.168.77.2", peer: "10.77.1.1")
        let pbxMedia = try await LoopbackUDP.inside(namespace: topology.sbc, address: "127.0.0.1", peer: "127.0.0.1")
        let phone = try CallEndToEndTests.SippPeer(scenario: "call-uas.xml", target: nil, port: 5062, rtpPort: phoneMedia.port,
                                                   directory: directory.path, name: "phone", namespace: topology.phone,
                                                   localIP: "192.168.77.2")
        try await Task.sleep(for: .milliseconds(300))
        let pbx = try CallEndToEndTests.SippPeer(scenario: "call-uac.xml", target: coreTarget, rtpPort: pbxMedia.port,
                                                 holdMilliseconds: 3000, directory: directory.path, name: "pbx",
                                                 namespace: topology.sbc)

        let ports = await eventually(seconds: 10) { () -> (UInt16, UInt16)? in
            guard let access = CallEndToEndTests.mediaPort(in: phone.received, startingWith: "INVITE "),
                  let core = CallEndToEndTests.mediaPort(in: pbx.received, startingWith: "SIP/2.0 200") else { return nil }
            return (access, core)
        }
        let (accessPort, corePort) = try #require(ports, "no call\n\(phone.log)\n\(pbx.log)\n\(signal.log)")
        let invite = try #require(phone.received.first { $0.hasPrefix("INVITE ") })
        #expect(invite.contains("c=IN IP4 10.77.1.1") && !invite.contains("127.0.0.1"),
                "the phone sees only Palisade's access address:\n\(invite)")

        // The phone speaks first, from its private address, through the NAT: the access leg latches
        // to the NAT's address, and the PBX's media finds its way back through the same mapping.
        let atPBX = try await CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: pbxMedia) {
            MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x5151, payload: "behind nat")
        }
        #expect(atPBX?.bytes.dropFirst(12).elementsEqual("behind nat".utf8) == true, "nothing reached the PBX\n\(media.log)")
        let atPhone = try await CallEndToEndTests.stream(from: pbxMedia, toPort: corePort, until: phoneMedia) {
            MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x5252, payload: "from the core")
        }
        #expect(atPhone?.bytes.dropFirst(12).elementsEqual("from the core".utf8) == true,
                "nothing came back through the NAT\n\(media.log)")
        #expect(atPhone?.fromPort == accessPort, "the phone hears Palisade's port from its SDP")

        let streams = try await Command.run(ctl, ["--socket", admin, "--json", "media", "streams"])
        let legs = try JSONSerialization.jsonObject(with: Data(streams.stdout.utf8)) as? [[String: Any]] ?? []
        let phoneLeg = try #require(legs.first { $0["leg"] as? String == "b" }, "\(streams.stdout)")
        #expect((phoneLeg["latched"] as? String)?.hasPrefix("10.77.1.2:") == true, "latched to the NAT: \(phoneLeg)")

        #expect(await pbx.wait(seconds: 30) == 0, "pbx sipp failed\n\(pbx.log)\n\(signal.log)")
        #expect(await phone.wait(seconds: 10) == 0, "phone sipp failed\n\(phone.log)")
        // Written once the media session is deleted, just after the last message.
        let records = await eventually(seconds: 5) {
            (try? String(contentsOfFile: directory.path + "/calls.jsonl", encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
        } ?? ""
        #expect(records.contains("\"cause\":\"caller-bye\"") && records.contains("\"callerRealm\":\"core\""), "\(records)")
    }
}
