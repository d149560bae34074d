import Foundation
import Testing
import TestSupport

/// Issue 6 item 4 and the relay half of test 3: a phone behind an nftables masquerade NAT (the
/// NAT test's three namespaces) registers through Palisade's registration relay with a core
/// registrar played by sipp, which challenges with 401 and verifies the relayed digest (behind a
/// first target that answers 503, so every relayed REGISTER fails over); a refresh
/// within the throttling window is answered by Palisade alone; then the core PBX (sipp) calls the
/// Contact Palisade registered for the binding, and the call reaches the phone through its NAT
/// flow, with media both ways; a configuration reload drops the overloaded target; the phone
/// unregisters, and the core is told (by the remaining target alone); a binding the operator
/// removes is unregistered at the core by Palisade.
@Suite("Registration relay behind NAT, end to end", .serialized)
struct RegistrationRelayEndToEndTests {
    typealias Topology = RegistrarNATEndToEndTests.Topology
    typealias SippPeer = CallEndToEndTests.SippPeer

    @Test("REGISTER relayed with digest to a sipp registrar; a refresh answered from the cache; a call from the core to the rewritten Contact reaches the phone through its NAT, media both ways; the unregister reaches the core")
    func relayRegisterThenCall() async throws {
        try #require(getuid() == 0, "network namespaces need root")
        let topology = try await Topology.make()
        defer { topology.remove() }
        let password = String(UInt64.random(in: 1 ... .max), radix: 36)
        let registrarPort = try LoopbackPort.reserved(), overloadedPort = try LoopbackPort.reserved()
        // The core on the SBC's loopback: its target is the registrar, calls from it go to the
        // access realm's (relayed) registrations.
        let sbc = try await RegistrarNATEndToEndTests.SBC.start(in: topology, users: [], registrar: """
            mode = "relay"
            relay_realm = "core"
            relay_expires_s = 3600
            """, realms: """

            [[realm]]
            name = "core"
            trust = "trusted"
            media_policy = "rtp-only"
            route_to = "access"
            target_probe_interval_s = 0

            [[realm.listener]]
            transport = "udp"
            listen = "127.0.0.1:0"

            [realm.media]
            address = "127.0.0.1"
            port_min = 21000
            port_max = 21999

            # First an overloaded registrar (503 to everything), then the real one: every relayed
            # REGISTER fails over.
            [[realm.target]]
            address = "127.0.0.1:\(overloadedPort)"
            priority = 1

            [[realm.target]]
            address = "127.0.0.1:\(registrarPort)"
            priority = 2
            """)
        let directory = sbc.directory, signal = sbc.signal, media = sbc.media, status = sbc.status
        let ctl = try Products.path("palisadectl"), admin = sbc.admin
        let accessTarget = try #require(status.sip("access", "udp"))
        let coreTarget = try #require(status.sip("core", "udp"))

        let registrar = try SippPeer(scenario: "relay-registrar-uas.xml", target: nil, port: registrarPort, rtpPort: 9,
                                     // Two bindings: the phone's first, and the one the operator removes.
                                     extra: ["-s", "2000", "-key", "password", password, "-m", "2"], directory: directory.path,
                                     name: "registrar", namespace: topology.sbc)
        let overloaded = try SippPeer(scenario: "relay-overloaded-uas.xml", target: nil, port: overloadedPort, rtpPort: 9,
                                      directory: directory.path, name: "overloaded",
                                      namespace: topology.sbc)
        try await Task.sleep(for: .milliseconds(300))

        // 1. The phone registers through the relay: 401 from the core, credentials relayed, 200.
        let sipp = try #require(Command.which("sipp")), ip = try #require(Command.which("ip"))
        let phoneTrace = directory.path + "/phone-register.log"
        let registered = try await Command.run(ip, [
            "netns", "exec", topology.phone, sipp, "-sf", RegistrarEndToEndTests.scenarios + "/relay-register-uac.xml",
            "-t", "u1", "-i", "192.168.77.2", "-p", "5062", "-m", "1", "-timeout", "20s", "-timeout_error", "-nostdin",
            // A real phone's digest uri is its Request-URI; sipp's default is the address it sends to.
            "-s", "2000", "-au", "2000", "-ap", password, "-auth_uri", "example.com", "-key", "expires", "3600",
            "-trace_msg", "-message_file", phoneTrace, accessTarget], timeoutSeconds: 30)
        let phoneMessages = (try? String(contentsOfFile: phoneTrace, encoding: .utf8)) ?? ""
        try #require(registered.status == 0,
                     "\(registered.stdout)\(registered.stderr)\n\(phoneMessages)\n\(registrar.log)\n\(signal.log)")
        // The phone sees its own Contact with the access-side expiry (60 s), nothing of the core.
        #expect(phoneMessages.contains("Contact: <sip:2000@192.168.77.2:5062;transport=UDP>;expires=60"), "\(phoneMessages)")
        #expect(phoneMessages.contains("realm=\"example.com\""), "the core's challenge reached the phone")
        #expect(!phoneMessages.contains("127.0.0.1"), "nothing of the core's side reaches the phone:\n\(phoneMessages)")

        // What the core registrar saw: Palisade's own REGISTERs with one Contact per binding.
        let atCore = registrar.received.filter { $0.hasPrefix("REGISTER ") }
        #expect(atCore.count == 2, "\(registrar.log)")
        let coreRegister = try #require(atCore.last)
        #expect(coreRegister.hasPrefix("REGISTER sip:example.com SIP/2.0"), "the phone's Request-URI, for its digest")
        #expect(coreRegister.contains("uri=\"sip:example.com\""), "the phone's credentials, relayed:\n\(coreRegister)")
        for leak in ["192.168.77", "10.77.1", "RelayPhone", "SIPpTag"] {
            #expect(!atCore.joined().contains(leak), "\(leak) reached the core:\n\(atCore.joined())")
        }
        // Each of them went to the overloaded target first, and on after its 503.
        #expect(overloaded.received.filter { $0.hasPrefix("REGISTER ") }.count == 2, "\(overloaded.log)")
        let contactLine = try #require(coreRegister.split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("Contact:") }.map(String.init))
        let token = try #require(Self.user(inContact: contactLine), "\(contactLine)")
        #expect(contactLine.contains("@\(coreTarget)>"), "Palisade's core address in \(contactLine)")

        // 2. A refresh within the throttling window: 200 from Palisade's table, the core sees nothing.
        let refreshTrace = directory.path + "/phone-refresh.log"
        let refreshed = try await Command.run(ip, [
            "netns", "exec", topology.phone, sipp, "-sf", RegistrarEndToEndTests.scenarios + "/relay-refresh-uac.xml",
            "-t", "u1", "-i", "192.168.77.2", "-p", "5062", "-m", "1", "-timeout", "10s", "-timeout_error", "-nostdin",
            "-s", "2000", "-key", "expires", "60", "-trace_msg", "-message_file", refreshTrace, accessTarget],
            timeoutSeconds: 20)
        let refreshMessages = (try? String(contentsOfFile: refreshTrace, encoding: .utf8)) ?? ""
        #expect(refreshed.status == 0, "\(refreshed.stdout)\(refreshed.stderr)\n\(refreshMessages)\n\(signal.log)")
        #expect(refreshMessages.contains("Contact: <sip:2000@192.168.77.2:5062;transport=UDP>;expires=60"))
        // palisadectl shows the relayed binding with the Contact it has at the core.
        let list = try await Command.run(ctl, ["--socket", admin, "--json", "registrations", "list"])
        #expect(list.stdout.contains(token) && list.stdout.contains("192.168.77.2"), "\(list.stdout)\(list.stderr)")

        // 3. The core PBX calls the Contact Palisade registered; the INVITE reaches the phone
        // through its NAT flow, and media flows both ways.
        let phoneMedia = try await LoopbackUDP.inside(namespace: topology.phone, address: "192.168.77.2", peer: "10.77.1.1")
        let pbxMedia = try await LoopbackUDP.inside(namespace: topology.sbc, address: "127.0.0.1", peer: "127.0.0.1")
        let phone = try SippPeer(scenario: "call-uas.xml", target: nil, port: 5062, rtpPort: phoneMedia.port,
                                 directory: directory.path, name: "phone", namespace: topology.phone,
                                 localIP: "192.168.77.2")
        try await Task.sleep(for: .milliseconds(300))
        let pbx = try SippPeer(scenario: "relay-call-uac.xml", target: coreTarget, rtpPort: pbxMedia.port,
                               holdMilliseconds: 3000, extra: ["-s", token], directory: directory.path, name: "pbx",
                               namespace: topology.sbc)
        let ports = await eventually(seconds: 10) { () -> (UInt16, UInt16)? in
            guard let access = CallEndToEndTests.mediaPort(in: phone.received, startingWith: "INVITE "),
                  let core = CallEndToEndTests.mediaPort(in: pbx.received, startingWith: "SIP/2.0 200") else { return nil }
            return (access, core)
        }
        let (accessPort, corePort) = try #require(ports, "no call\n\(phone.log)\n\(pbx.log)\n\(signal.log)")
        let invite = try #require(phone.received.first { $0.hasPrefix("INVITE ") })
        #expect(invite.hasPrefix("INVITE sip:2000@192.168.77.2:5062"), "the phone's own Contact as Request-URI:\n\(invite)")
        #expect(!invite.contains("127.0.0.1") && !invite.contains(token), "nothing of the core reaches the phone:\n\(invite)")

        let atPBX = try await CallEndToEndTests.stream(from: phoneMedia, toPort: accessPort, until: pbxMedia) {
            MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x6161, payload: "relayed phone")
        }
        #expect(atPBX?.bytes.dropFirst(12).elementsEqual("relayed phone".utf8) == true, "nothing reached the PBX\n\(media.log)")
        let atPhone = try await CallEndToEndTests.stream(from: pbxMedia, toPort: corePort, until: phoneMedia) {
            MediaEndToEndTests.rtp(sequence: UInt16(1 + $0), ssrc: 0x6262, payload: "core to relayed")
        }
        #expect(atPhone?.bytes.dropFirst(12).elementsEqual("core to relayed".utf8) == true,
                "nothing came back through the NAT\n\(media.log)")

        #expect(await pbx.wait(seconds: 30) == 0, "pbx sipp failed\n\(pbx.log)\n\(signal.log)")
        #expect(await phone.wait(seconds: 10) == 0, "phone sipp failed\n\(phone.log)")
        // Still only the two REGISTERs of the first registration reached the core.
        #expect(registrar.received.filter { $0.hasPrefix("REGISTER ") }.count == 2, "\(registrar.log)")

        // 4. A configuration reload drops the overloaded target: REGISTERs relayed from now on go
        // straight to the registrar, without a restart.
        let configPath = directory.path + "/palisade.toml"
        let configured = try String(contentsOfFile: configPath, encoding: .utf8)
        let overloadedTarget = "[[realm.target]]\naddress = \"127.0.0.1:\(overloadedPort)\"\npriority = 1\n"
        try #require(configured.contains(overloadedTarget), "\(configured)")
        try configured.replacingOccurrences(of: overloadedTarget, with: "")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let reloaded = try await Command.run(ctl, ["--socket", admin, "config", "reload"])
        #expect(reloaded.status == 0 && reloaded.stdout.contains("registration relay targets (core)"),
                "\(reloaded.stdout)\(reloaded.stderr)")

        // 5. The phone unregisters (Expires 0): the core gets Palisade's Contact with Expires 0,
        // and the binding is gone from Palisade once the core answers.
        let unregisterTrace = directory.path + "/phone-unregister.log"
        let unregistered = try await Command.run(ip, [
            "netns", "exec", topology.phone, sipp, "-sf", RegistrarEndToEndTests.scenarios + "/relay-refresh-uac.xml",
            "-t", "u1", "-i", "192.168.77.2", "-p", "5062", "-m", "1", "-timeout", "10s", "-timeout_error", "-nostdin",
            "-s", "2000", "-key", "expires", "0", "-trace_msg", "-message_file", unregisterTrace, accessTarget],
            timeoutSeconds: 20)
        let unregisterMessages = (try? String(contentsOfFile: unregisterTrace, encoding: .utf8)) ?? ""
        #expect(unregistered.status == 0, "\(unregistered.stdout)\(unregistered.stderr)\n\(unregisterMessages)\n\(signal.log)")
        let removal = registrar.received.filter { $0.hasPrefix("REGISTER ") }.dropFirst(2).first ?? ""
        #expect(removal.contains("Expires: 0") && removal.contains("<sip:\(token)@"), "\(registrar.log)")
        let after = try await Command.run(ctl, ["--socket", admin, "--json", "registrations", "list"])
        #expect(!after.stdout.contains(token), "\(after.stdout)")
        // The reloaded targets: the overloaded one saw nothing after the first registration.
        #expect(overloaded.received.filter { $0.hasPrefix("REGISTER ") }.count == 2, "\(overloaded.log)")

        // 6. The phone registers again (a new binding, a new token at the core), and the operator
        // removes it: Palisade unregisters it at the core on its own.
        let again = try await Command.run(ip, [
            "netns", "exec", topology.phone, sipp, "-sf", RegistrarEndToEndTests.scenarios + "/relay-register-uac.xml",
            "-t", "u1", "-i", "192.168.77.2", "-p", "5062", "-m", "1", "-timeout", "20s", "-timeout_error", "-nostdin",
            "-s", "2000", "-au", "2000", "-ap", password, "-auth_uri", "example.com", "-key", "expires", "3600",
            accessTarget], timeoutSeconds: 30)
        try #require(again.status == 0, "\(again.stdout)\(again.stderr)\n\(registrar.log)\n\(signal.log)")
        let second = try #require(registrar.received.filter { $0.hasPrefix("REGISTER ") }.last
            .flatMap { $0.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Contact:") } }
            .flatMap { Self.user(inContact: String($0)) }, "\(registrar.log)")
        #expect(second != token, "a new binding has its own token")
        let removed = try await Command.run(ctl, ["--socket", admin, "registrations", "remove", "sip:2000@example.com"])
        #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
        let cleanup = await eventually(seconds: 5) { () -> String? in
            registrar.received.first { $0.hasPrefix("REGISTER ") && $0.contains("<sip:\(second)@") && $0.contains("Expires: 0") }
        }
        #expect(cleanup != nil, "the core was not told of the removal\n\(registrar.log)\n\(signal.log)")
        _ = await registrar.wait(seconds: 0)
        _ = await overloaded.wait(seconds: 0)
    }

    /// The user part of the URI in a `Contact: <sip:user@host…>` line.
    static func user(inContact line: String) -> String? {
        guard let start = line.range(of: "<sip:"), let at = line[start.upperBound...].firstIndex(of: "@") else { return nil }
        let user = String(line[start.upperBound..<at])
        return user.isEmpty ? nil : user
    }
}
