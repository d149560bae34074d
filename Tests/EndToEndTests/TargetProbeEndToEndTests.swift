import Foundation
import Testing
import TestSupport

/// Core targets probed with OPTIONS (issue 6, item 3): sipp plays two core targets; the first
/// answers the probes 503, so calls go straight to the second, until it answers 200 again.
@Suite("Target probing end to end", .serialized)
struct TargetProbeEndToEndTests {
    typealias SippPeer = CallEndToEndTests.SippPeer

    /// The value of `palisade_target_up` for the core target on `port` (nil: no such line).
    static func targetUp(_ metrics: String, port: UInt16) -> Double? {
        let prefix = "palisade_target_up{realm=\"core\",target=\"udp:127.0.0.1:\(port)\"} "
        guard let line = metrics.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix(prefix) }) else {
            return nil
        }
        return Double(line.dropFirst(prefix.count))
    }

    @Test("a target answering OPTIONS 503 is marked down: the call goes straight to the next, palisade_target_up says 0/1, and a 200 brings it back")
    func probedTargets() async throws {
        try await CallEndToEndTests.withSetup(targets: 2, coreKeys: "target_probe_interval_s = 1") { setup in
            let directory = setup.pair.directory.path
            let status = try #require(try await setup.pair.status())
            let address = try #require(status.metricsAddress)
            let corePort = try #require(status.sip("core", "udp")?.split(separator: ":").last.map(String.init))
            let accessPort = try #require(setup.accessTarget.split(separator: ":").last.map(String.init))
            let (first, second) = (setup.pbxPorts[0], setup.pbxPorts[1])
            let metrics = { () async throws -> String in
                try await offPool { try HTTPGet.fetch(address, path: "/metrics").body }
            }
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            // A probe every second; sipp answers each (a call of its own to sipp), so -m is large.
            let many = ["-m", "100000"]
            let overloaded = try SippPeer(scenario: "probed-overloaded-uas.xml", target: nil, port: first,
                                          rtpPort: pbxMedia.port, extra: many, directory: directory, name: "pbx1")
            let pbx = try SippPeer(scenario: "probed-uas.xml", target: nil, port: second, rtpPort: pbxMedia.port,
                                   extra: many, directory: directory, name: "pbx2")

            let marked = try await eventually(seconds: 15, every: 200) { () async throws -> Bool? in
                let text = try await metrics()
                return Self.targetUp(text, port: first) == 0 && Self.targetUp(text, port: second) == 1 ? true : nil
            }
            let afterDown = try await metrics()
            #expect(marked == true, "the first target never went down\n\(afterDown)\n\(setup.pair.logs)")

            // The probe: Palisade's own core face, Max-Forwards 70, nothing of the access side.
            let probe = try #require(overloaded.received.first { $0.hasPrefix("OPTIONS ") }, "no probe\n\(overloaded.log)")
            #expect(probe.hasPrefix("OPTIONS sip:127.0.0.1:\(first) SIP/2.0"))
            #expect(Self.header(probe, "Max-Forwards") == "70")
            #expect(Self.header(probe, "Via")?.contains("127.0.0.1:\(corePort)") == true, "\(probe)")
            #expect(Self.header(probe, "Contact")?.contains("127.0.0.1:\(corePort)") == true, "\(probe)")
            #expect(Set(Self.loopbackPorts(in: probe)) == [String(first), corePort],
                    "the probe names only the target and the core face (access is on \(accessPort))\n\(probe)")

            let phone = try SippPeer(scenario: "call-uac.xml", target: setup.accessTarget, rtpPort: phoneMedia.port,
                                     holdMilliseconds: 500, directory: directory, name: "phone")
            #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(setup.pair.logs)")
            #expect(pbx.received.contains { $0.hasPrefix("INVITE ") }, "the second target took the call\n\(pbx.log)")
            #expect(!overloaded.received.contains { $0.hasPrefix("INVITE ") },
                    "a target that is down never sees an INVITE\n\(overloaded.log)")
            #expect(!phone.received.contains { $0.hasPrefix("SIP/2.0 503") })

            // The first target recovers: it answers the next probe 200 and is up again.
            _ = await overloaded.wait(seconds: 0)
            let recovered = try SippPeer(scenario: "probed-uas.xml", target: nil, port: first, rtpPort: pbxMedia.port,
                                         extra: many, directory: directory, name: "pbx1-recovered")
            let up = try await eventually(seconds: 15, every: 200) { () async throws -> Bool? in
                Self.targetUp(try await metrics(), port: first) == 1 ? true : nil
            }
            let afterUp = try await metrics()
            #expect(up == true, "the first target never came back\n\(afterUp)\n\(setup.pair.logs)")
            _ = await recovered.wait(seconds: 0)
            _ = await pbx.wait(seconds: 0)

            // Each change logged once; the second target never changed.
            let log = setup.pair.signal.log
            let lines = log.split(whereSeparator: \.isNewline)
            #expect(lines.filter { $0.contains("target down") && $0.contains("127.0.0.1:\(first)") }.count == 1, "\(log)")
            #expect(lines.filter { $0.contains("target up") && $0.contains("127.0.0.1:\(first)") }.count == 1, "\(log)")
            #expect(!lines.contains { $0.contains("target down") && $0.contains("127.0.0.1:\(second)") }, "\(log)")
            let sessions = try await CallEndToEndTests.sessionsDrained(setup.pair)
            #expect(sessions == 0, "\(setup.pair.logs)")
        }
    }

    @Test("a target that never answers is marked down when two probes in a row time out (Timer F): calls go straight to the next")
    func silentTarget() async throws {
        let base = MediaRanges.acquire()
        defer { MediaRanges.release(base) }
        // The first target is a socket of the test that reads and never answers.
        let silent = try LoopbackUDP()
        let second = try LoopbackPort.reserved()
        let tables = [silent.port, second].enumerated().map { index, port in
            "\n[[realm.target]]\naddress = \"127.0.0.1:\(port)\"\ntransport = \"udp\"\npriority = \(index + 1)\n"
        }.joined()
        // T1 = 50 ms: Timer F (64×T1) fires after 3.2 s instead of 32 s; two probes in a row
        // time out before the target is down, so about 7.5 s.
        let pair = try DaemonPair.start(accessKeys: "route_to = \"core\"", coreTables: tables, mediaBase: base,
                                        mediaKeys: "\n[sip]\nt1_ms = 50", coreKeys: "target_probe_interval_s = 1")
        do {
            try await silentTarget(pair, silent: silent, second: second)
        } catch {
            await pair.stop()
            throw error
        }
        await pair.stop()
    }

    private func silentTarget(_ pair: DaemonPair, silent: LoopbackUDP, second: UInt16) async throws {
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        let address = try #require(status.metricsAddress)
        let accessTarget = try #require(status.sip("access", "udp"))
        let directory = pair.directory.path
        let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
        let pbx = try SippPeer(scenario: "probed-uas.xml", target: nil, port: second, rtpPort: pbxMedia.port,
                               extra: ["-m", "100000"], directory: directory, name: "pbx2")
        var heard: [String] = []
        let down = await eventually(seconds: 30, every: 100) { () async -> Bool? in
            while let datagram = await silent.receive(seconds: 0.01) {
                heard.append(String(decoding: datagram.bytes, as: UTF8.self))
            }
            guard let text = try? await offPool({ try HTTPGet.fetch(address, path: "/metrics").body }) else { return nil }
            return Self.targetUp(text, port: silent.port) == 0 && Self.targetUp(text, port: second) == 1 ? true : nil
        }
        #expect(down == true, "the silent target never went down\n\(pair.logs)")
        #expect(heard.contains { $0.hasPrefix("OPTIONS sip:127.0.0.1:\(silent.port) SIP/2.0") }, "\(heard)")

        let phone = try SippPeer(scenario: "call-uac.xml", target: accessTarget, rtpPort: phoneMedia.port,
                                 holdMilliseconds: 500, directory: directory, name: "phone")
        #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(pair.logs)")
        while let datagram = await silent.receive(seconds: 0.2) {
            heard.append(String(decoding: datagram.bytes, as: UTF8.self))
        }
        #expect(!heard.contains { $0.hasPrefix("INVITE ") }, "a target that is down never sees an INVITE")
        #expect(pbx.received.contains { $0.hasPrefix("INVITE ") }, "the second target took the call\n\(pbx.log)")
        _ = await pbx.wait(seconds: 0)
        let lines = pair.signal.log.split(whereSeparator: \.isNewline)
        #expect(lines.filter { $0.contains("target down") && $0.contains("127.0.0.1:\(silent.port)") }.count == 1,
                "\(pair.signal.log)")
        #expect(lines.contains { $0.contains("target down") && $0.contains("408") }, "the cause is the timeout")
    }

    /// Every port written after "127.0.0.1:" in `message`.
    static func loopbackPorts(in message: String) -> [String] {
        message.components(separatedBy: "127.0.0.1:").dropFirst().map { String($0.prefix { $0.isNumber }) }
    }

    /// The value of the first `name` header of a logged message.
    static func header(_ message: String, _ name: String) -> String? {
        for line in message.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":"),
                  line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased() else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
