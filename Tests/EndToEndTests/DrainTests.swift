import AdminProtocol
import Foundation
import Testing
import TestSupport

/// `palisadectl drain` / `undrain` and SIGTERM's drain against a running pair with a live call.
@Suite("Drain end to end", .serialized)
struct DrainTests {
    static func ctl(_ pair: DaemonPair, _ words: [String]) async throws -> CommandResult {
        try await Command.run(try Products.path("palisadectl"), ["--socket", pair.admin] + words)
    }

    static func traffic(_ pair: DaemonPair) async throws -> TrafficReport? { try await pair.status()?.traffic }

    @Test("drain refuses new calls and registrations with 503 and Retry-After; the call in progress ends normally")
    func drainKeepsCalls() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let pair = setup.pair
            let directory = pair.directory.path
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let pbx = try CallEndToEndTests.SippPeer(scenario: "call-uas.xml", target: nil, port: setup.pbxPort,
                                                     rtpPort: pbxMedia.port, directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))
            let phone = try CallEndToEndTests.SippPeer(scenario: "call-uac.xml", target: setup.accessTarget,
                                                       rtpPort: phoneMedia.port, holdMilliseconds: 8_000,
                                                       directory: directory, name: "phone")
            let connected = try await eventually(seconds: 10) { try await Self.traffic(pair).flatMap { $0.activeCalls == 1 ? $0 : nil } }
            #expect(connected != nil, "the call never connected\n\(pair.logs)")
            let calls = try await Self.ctl(pair, ["--json", "calls", "list"])
            let listed = try JSONSerialization.jsonObject(with: Data(calls.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed.first?["callee"] as? String == "2000"
                    && listed.first?["callerRealm"] as? String == "access" && listed.first?["calleeRealm"] as? String == "core",
                    "\(calls.stdout)\(calls.stderr)")
            #expect(listed.first?["callIDA"] as? String != listed.first?["callIDB"] as? String)

            let drain = try await Self.ctl(pair, ["drain"])
            #expect(drain.status == 0 && drain.stdout.contains("draining") && drain.stdout.contains("1 call"),
                    "\(drain.stdout)\(drain.stderr)")
            await #expect(try Self.traffic(pair)?.draining == true)

            // A new call: 503 with Retry-After, from Palisade (the PBX never sees it).
            let refused = try CallEndToEndTests.SippPeer(scenario: "refused-uac.xml", target: setup.accessTarget,
                                                         rtpPort: phoneMedia.port, directory: directory, name: "refused")
            #expect(await refused.wait(seconds: 15) == 0, "\(refused.log)\n\(pair.logs)")
            let answer = refused.received.first { $0.hasPrefix("SIP/2.0 503") } ?? ""
            #expect(answer.contains("Retry-After: 60"), "\(answer)")
            // A registration: the same.
            let register = "REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-drain-1;rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=d1\r\nTo: <sip:alice@127.0.0.1>\r\n"
                + "Call-ID: drain-register-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@127.0.0.1:9>\r\n"
                + "Content-Length: 0\r\n\r\n"
            let registered = try await UDPExchange.send(register, to: setup.accessTarget)
            #expect(registered.hasPrefix("SIP/2.0 503") && registered.contains("Retry-After: 60"), "\(registered)")

            // The call in progress goes on to its own BYE.
            #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(pair.logs)")
            #expect(await pbx.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx.log)")
            #expect(pbx.received.filter { $0.hasPrefix("INVITE ") }.count == 1, "the refused call never reached the PBX")

            await #expect(try Self.ctl(pair, ["calls", "list"]).stdout == "no calls in progress\n")
            let undrain = try await Self.ctl(pair, ["--json", "undrain"])
            let report = try JSONSerialization.jsonObject(with: Data(undrain.stdout.utf8)) as? [String: Any]
            #expect(report?["draining"] as? Bool == false && report?["activeCalls"] as? Int == 0, "\(undrain.stdout)")
            let again = try await UDPExchange.send(register.replacingOccurrences(of: "drain-1", with: "drain-2"),
                                             to: setup.accessTarget)
            #expect(!again.hasPrefix("SIP/2.0 503"), "accepted again after undrain: \(again)")
        }
    }

    @Test("SIGTERM with no call in progress stops at once; the status shows the drain")
    func sigtermWithoutCalls() async throws {
        let pair = try DaemonPair.start()
        _ = try #require(try await pair.ready(), "\(pair.logs)")
        let status = try await Self.ctl(pair, ["status"])
        #expect(status.stdout.contains("traffic        0 calls active, 0 registrations"), "\(status.stdout)")
        let started = ContinuousClock.now
        pair.signal.send(SIGTERM)
        #expect(await pair.signal.waitForExit(seconds: 10) == 0, "\(pair.logs)")
        #expect(ContinuousClock.now - started < .seconds(5), "no call to wait for")
        #expect(pair.signal.log.contains("draining"), "\(pair.signal.log)")
        await pair.stop()
    }
}
