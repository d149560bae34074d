import Foundation
import Testing
import TestSupport

/// Keepalives to UDP-registered phones (issue 6 item 6): palisade-signal sends a CRLFCRLF to the
/// address a phone registered from, from the SIP port its REGISTER came to, every
/// `sip.keepalive_interval_s` (1 s here); phones on TCP get none.
@Suite("Registrar keepalives end to end", .serialized)
struct RegistrarKeepaliveEndToEndTests {
    static func sent(_ metrics: String) -> Int? {
        let prefix = "palisade_registrar_keepalives_sent_total{transport=\"udp\"} "
        return metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) }
    }

    @Test("a phone registered over UDP gets CRLFCRLF from the listener's port every second; one on TCP gets none")
    func udpKeepalives() async throws {
        let (pair, password) = try await RegistrarEndToEndTests.start(sip: "keepalive_interval_s = 1")
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let udpTarget = try #require(status.sip("access", "udp"))
        let tcpTarget = try #require(status.sip("access", "tcp"))
        let listenerPort = try #require(udpTarget.split(separator: ":").last.flatMap { UInt16($0) })

        // bob on TCP first: with only his binding, rounds pass and nothing is sent.
        let bob = try await RegistrarEndToEndTests.register(pair, target: tcpTarget, transport: "t1", user: "bob",
                                                            password: "bob-\(password)", expires: 60)
        #expect(bob.status == 0, "\(bob.output)\n\(RegistrarEndToEndTests.messages(pair, user: "bob"))")
        try? await Task.sleep(for: .milliseconds(2500))
        var metrics = try RegistrarEndToEndTests.metrics(status)
        #expect(metrics.contains("palisade_registrations_active 1\n"), "the TCP binding stays\n\(metrics)")
        #expect(Self.sent(metrics) == 0, "no keepalive for a TCP binding\n\(metrics)")

        // alice on UDP from a port of the test's choice; once sipp has left, the test holds that port.
        let phonePort = try LoopbackPort.reserved()
        let alice = try await RegistrarEndToEndTests.register(pair, target: udpTarget, password: password, expires: 60,
                                                              extraArguments: ["-p", "\(phonePort)"])
        #expect(alice.status == 0, "\(alice.output)\n\(RegistrarEndToEndTests.messages(pair))")
        let phone = try LoopbackUDP(bindPort: phonePort)
        var arrivals: [ContinuousClock.Instant] = []
        for _ in 0..<3 {
            let datagram = try #require(await phone.receive(seconds: 3), "no keepalive within 3 s\n\(pair.logs)")
            #expect(datagram.bytes == Array("\r\n\r\n".utf8))
            #expect(datagram.fromPort == listenerPort, "sent from the UDP listener the REGISTER came to")
            arrivals.append(.now)
        }
        // One per round (alice has one flow), a round a second.
        let spacing = arrivals[2] - arrivals[1]
        #expect(spacing > .milliseconds(600) && spacing < .milliseconds(1600), "\(spacing)")
        metrics = try RegistrarEndToEndTests.metrics(status)
        #expect(metrics.contains("palisade_registrations_active 2\n"), "\(metrics)")
        let total = try #require(Self.sent(metrics), "\(metrics)")
        #expect(total >= 3, "\(metrics)")
        #expect(metrics.contains("palisade_registrar_keepalive_failures_total{transport=\"udp\"} 0\n"), "\(metrics)")
        await pair.stop()
    }
}
