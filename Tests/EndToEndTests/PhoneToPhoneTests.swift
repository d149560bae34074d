import Foundation
import Testing
import TestSupport

/// Two phones of one realm, registered with the embedded registrar, call each other through
/// Palisade (`route_to` naming its own realm): what `scripts/run` offers out of the box. The
/// realm is untrusted and the registrar has users, so the caller authenticates (407, RFC 3261 §22.3).
@Suite("Phone to phone end to end", .serialized)
struct PhoneToPhoneTests {
    @Test("extension 2000 registers over UDP; alice calls it, authenticating with 407; the INVITE reaches it through its binding's flow")
    func callRegisteredPhone() async throws {
        let (pair, password) = try await RegistrarEndToEndTests.start(accessKeys: "route_to = \"access\"",
                                                         moreUsers: [("2000", "ext-2000-secret")])
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        let directory = pair.directory.path

        // The callee registers from the port its UAS then listens on (sipp's -p: the last one wins).
        let calleePort = try LoopbackPort.reserved()
        let registered = try await Sipp.run(
            scenario: RegistrarEndToEndTests.scenarios + "/register-uac.xml", target: target, calls: 1, rate: 10,
            timeoutSeconds: 20,
            extra: ["-l", "1", "-s", "2000", "-au", "2000", "-ap", "ext-2000-secret", "-key", "expires", "60",
                    "-p", "\(calleePort)"],
            workDirectory: directory)
        #expect(registered.status == 0 && registered.successfulCalls == 1, "\(registered.output)\n\(pair.logs)")

        let calleeMedia = try LoopbackUDP(), callerMedia = try LoopbackUDP()
        let callee = try CallEndToEndTests.SippPeer(scenario: "call-uas.xml", target: nil, port: calleePort,
                                                    rtpPort: calleeMedia.port, directory: directory, name: "callee")
        try await Task.sleep(for: .milliseconds(300))
        let caller = try CallEndToEndTests.SippPeer(scenario: "call-auth-uac.xml", target: target, rtpPort: callerMedia.port,
                                                    holdMilliseconds: 300,
                                                    extra: ["-s", "2000", "-key", "caller", "alice", "-au", "alice",
                                                            "-ap", password, "-auth_uri", "2000@\(target)"],
                                                    directory: directory, name: "caller")
        #expect(await caller.wait(seconds: 30) == 0, "caller sipp failed\n\(caller.log)\n\(pair.logs)")
        #expect(await callee.wait(seconds: 10) == 0, "callee sipp failed\n\(callee.log)")

        let invite = try #require(callee.received.first { $0.hasPrefix("INVITE ") }, "\(callee.log)")
        #expect(!invite.contains(" \(callerMedia.port) ") && !invite.contains("phone-tag-"),
                "nothing of the caller's leg reaches the callee:\n\(invite)")
        #expect(invite.contains("o=palisade"), "\(invite)")
        #expect(caller.received.contains { $0.hasPrefix("SIP/2.0 407") }, "the caller was challenged\n\(caller.log)")
        #expect(!invite.contains("Proxy-Authorization"), "credentials for Palisade never travel on:\n\(invite)")
        let answer = try #require(caller.received.first { $0.hasPrefix("SIP/2.0 200") && $0.contains("m=audio") })
        #expect(!answer.contains(" \(calleeMedia.port) "), "the caller sees Palisade's media port, not the callee's")
        await pair.stop()
    }

    @Test("extension 2000 registers over TCP and closes its connection: a call to it gets 480 at once, not the 503 of a failed send")
    func closedConnection() async throws {
        let (pair, _) = try await RegistrarEndToEndTests.start(accessKeys: "route_to = \"access\"\nauthenticate_calls = false",
                                                             moreUsers: [("2000", "ext-2000-secret")])
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let udp = try #require(status.sip("access", "udp")), tcp = try #require(status.sip("access", "tcp"))
        let directory = pair.directory.path
        // sipp registers over TCP and exits, closing the connection the binding names.
        let registered = try await Sipp.run(
            scenario: RegistrarEndToEndTests.scenarios + "/register-uac.xml", target: tcp, transport: "t1", calls: 1,
            rate: 10, timeoutSeconds: 20,
            extra: ["-l", "1", "-s", "2000", "-au", "2000", "-ap", "ext-2000-secret", "-key", "expires", "60"],
            workDirectory: directory)
        #expect(registered.status == 0 && registered.successfulCalls == 1, "\(registered.output)\n\(pair.logs)")
        let closed = await eventually(seconds: 10, every: 100) { () -> Bool? in
            let metrics = try? RegistrarEndToEndTests.metrics(status)
            return metrics?.contains("palisade_sip_connections_open{transport=\"tcp\"} 0\n") == true ? true : nil
        }
        #expect(closed == true, "the registering connection never closed\n\((try? RegistrarEndToEndTests.metrics(status)) ?? "")")
        let list = try await Command.run(try Products.path("palisadectl"), ["--socket", pair.admin, "--json", "registrations", "list"])
        #expect(list.stdout.contains("\"tcp 127.0.0.1:"), "the binding itself stays until it expires\n\(list.stdout)")

        let callerMedia = try LoopbackUDP()
        let refused = try await Sipp.run(scenario: RegistrarEndToEndTests.scenarios + "/unregistered-uac.xml", target: udp,
                                         calls: 1, rate: 10, timeoutSeconds: 20,
                                         extra: ["-key", "rtp_port", "\(callerMedia.port)"], workDirectory: directory)
        #expect(refused.status == 0 && refused.successfulCalls == 1, "\(refused.output)\n\(pair.logs)")
        #expect(try await pair.callRecords().first?["cause"] as? String == "480", "\(pair.logs)")
        await pair.stop()
    }
}
