import Foundation
import Testing
import TestSupport

/// Admission control and call authentication with sipp as phones and PBX (issue 6 item 9, test 4
/// "admission limit gives 503"): a realm's max_calls and max_calls_per_source refuse the call
/// beyond the limit with 503 and Retry-After while the admitted call goes on; INVITEs from the
/// untrusted access realm are digest-challenged with 407 when the registrar has users.
@Suite("Admission control and call authentication end to end", .serialized)
struct AdmissionEndToEndTests {
    typealias SippPeer = CallEndToEndTests.SippPeer

    @Test("a call beyond the limit gets 503 with Retry-After and a Warning while the first goes on; after it ends a call is admitted",
          arguments: [("max_calls", "max-calls"), ("max_calls_per_source", "max-calls-per-source")])
    func limit(key: String, reason: String) async throws {
        let base = MediaRanges.acquire()
        defer { MediaRanges.release(base) }
        let pbxPort = try LoopbackPort.reserved()
        let pair = try DaemonPair.start(accessKeys: "route_to = \"core\"\n\(key) = 1",
                                        coreTables: "\n[[realm.target]]\naddress = \"127.0.0.1:\(pbxPort)\"\n",
                                        mediaBase: base)
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        let directory = pair.directory.path
        let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()

        let pbx = try SippPeer(scenario: "call-uas.xml", target: nil, port: pbxPort, rtpPort: pbxMedia.port,
                               directory: directory, name: "pbx1")
        try await Task.sleep(for: .milliseconds(300))
        let first = try SippPeer(scenario: "call-uac.xml", target: target, rtpPort: phoneMedia.port,
                                 holdMilliseconds: 2500, directory: directory, name: "first")
        let answered = await eventually(seconds: 10) { first.received.contains { $0.hasPrefix("SIP/2.0 200") } ? true : nil }
        #expect(answered == true, "the first call never connected\n\(first.log)\n\(pair.logs)")

        // From the same address, while the first call holds the realm's (or the source's) only slot.
        let second = try SippPeer(scenario: "refused-uac.xml", target: target, rtpPort: phoneMedia.port,
                                  directory: directory, name: "second")
        #expect(await second.wait(seconds: 15) == 0, "the second call was not refused\n\(second.log)\n\(pair.logs)")
        let refusal = try #require(second.received.first { $0.hasPrefix("SIP/2.0 503") }, "\(second.log)")
        #expect(refusal.contains("Retry-After: 10"), "\(refusal)")
        #expect(refusal.contains("Warning: 399 palisade \"realm access: \(key) (1) reached\""), "\(refusal)")

        #expect(await first.wait(seconds: 20) == 0, "the first call did not end normally\n\(first.log)\n\(pair.logs)")
        #expect(await pbx.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx.log)")
        #expect(pbx.received.filter { $0.hasPrefix("INVITE ") }.count == 1, "the refused call reached the core\n\(pbx.log)")

        // The first call's BYE freed the slot: a new call is admitted and connects.
        let pbx2 = try SippPeer(scenario: "call-uas.xml", target: nil, port: pbxPort, rtpPort: pbxMedia.port,
                                directory: directory, name: "pbx2")
        try await Task.sleep(for: .milliseconds(300))
        let third = try SippPeer(scenario: "call-uac.xml", target: target, rtpPort: phoneMedia.port,
                                 holdMilliseconds: 200, directory: directory, name: "third")
        #expect(await third.wait(seconds: 20) == 0, "the call after the first ended was refused\n\(third.log)\n\(pair.logs)")
        #expect(await pbx2.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx2.log)")

        let address = try #require(status.metricsAddress)
        let metrics = try await eventually(seconds: 5) { () -> String? in
            let body = try HTTPGet.fetch(address, path: "/metrics").body
            return body.contains("palisade_calls_active 0") ? body : nil
        } ?? HTTPGet.fetch(address, path: "/metrics").body
        #expect(metrics.contains("palisade_admission_rejections_total{realm=\"access\",reason=\"\(reason)\"} 1\n"), "\(metrics)")
        #expect(metrics.contains("palisade_calls_active_by_realm{realm=\"access\"} 0\n"), "\(metrics)")
        #expect(metrics.contains("palisade_calls_attempted_total{realm=\"access\"} 2"), "the refused call never started\n\(metrics)")
        #expect(try await CallEndToEndTests.sessionsDrained(pair) == 0, "\(pair.logs)")
        await pair.stop()
    }

    @Test("an unauthenticated INVITE gets 407; bob calling From alice gets 403; wrong passwords are delayed, then refused with 503")
    func refusedCallers() async throws {
        let (pair, password) = try await RegistrarEndToEndTests.start(registrar: """
            algorithms = ["MD5"]
            auth_delay_after_failures = 3
            auth_refuse_after_failures = 5
            auth_refuse_s = 30
            """, accessKeys: "route_to = \"access\"")
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let target = try #require(status.sip("access", "udp"))
        let directory = pair.directory.path
        func attempt(_ name: String, user: String, password: String, calls: Int = 1) async throws -> (Sipp.Outcome, String) {
            let log = directory + "/\(name).log"
            let outcome = try await Sipp.run(
                scenario: RegistrarEndToEndTests.scenarios + "/call-auth-refused-uac.xml", target: target, calls: calls,
                rate: 10, timeoutSeconds: 30,
                extra: ["-l", "1", "-s", "2000", "-key", "caller", "alice", "-au", user, "-ap", password,
                        // sipp's digest-uri is the target's address unless told; phones use the Request-URI.
                        "-auth_uri", "2000@\(target)", "-p", "\(try LoopbackPort.reserved())",
                        "-trace_msg", "-message_file", log],
                workDirectory: directory)
            return (outcome, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }

        // bob's own password, but From alice: 403 (failure 1 of this source).
        let (foreign, foreignTrace) = try await attempt("foreign", user: "bob", password: "bob-\(password)")
        #expect(foreign.status == 0 && foreign.successfulCalls == 1, "\(foreign.output)\n\(foreignTrace)\n\(pair.logs)")
        #expect(foreignTrace.contains("SIP/2.0 407 Proxy Authentication Required"), "\(foreignTrace)")
        #expect(foreignTrace.contains("Proxy-Authenticate: Digest realm=\"palisade\""), "\(foreignTrace)")
        #expect(foreignTrace.contains("SIP/2.0 403"), "\(foreignTrace)")

        // Wrong passwords, one call at a time: failures 2, 3 (held back 1 s), 4 (2 s), 5 → refused.
        let started = ContinuousClock.now
        let (guesses, guessTrace) = try await attempt("guesses", user: "alice", password: "not-\(password)", calls: 4)
        let elapsed = ContinuousClock.now - started
        #expect(guesses.status == 0 && guesses.successfulCalls == 4, "\(guesses.output)\n\(guessTrace)")
        #expect(!guessTrace.contains("SIP/2.0 200"), "\(guessTrace)")
        #expect(guessTrace.contains("SIP/2.0 503 Service Unavailable") && guessTrace.contains("Retry-After: "), "\(guessTrace)")
        #expect(elapsed >= .seconds(3), "\(elapsed)")

        // Refused for a while: even the right password from this address gets 503, no challenge.
        let (refused, refusedTrace) = try await attempt("refused", user: "alice", password: password)
        #expect(refused.status == 0, "\(refused.output)\n\(refusedTrace)")
        #expect(refusedTrace.contains("SIP/2.0 503") && !refusedTrace.contains("SIP/2.0 407"), "\(refusedTrace)")

        let metrics = try RegistrarEndToEndTests.metrics(status)
        #expect(metrics.contains("palisade_call_authentications_total{result=\"foreign-caller\"} 1\n"), "\(metrics)")
        #expect(metrics.contains("palisade_call_authentications_total{result=\"auth-failed\"} 4\n"), "\(metrics)")
        #expect(metrics.contains("palisade_call_authentications_total{result=\"throttled\"} 1\n"), "\(metrics)")
        #expect(metrics.contains("palisade_call_authentications_total{result=\"authenticated\"} 0\n"), "\(metrics)")
        #expect(metrics.contains("palisade_calls_attempted_total") == false, "no refused caller started a call\n\(metrics)")
        await pair.stop()
    }
}
