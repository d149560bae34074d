import Foundation
import MediaControlProtocol
import Testing
import TestSupport

/// Calls through both daemons with real peers (issue 6): sipp as the phone on the access realm
/// and sipp as the core PBX, each with a message log of everything it received, and UDP sockets
/// of the test standing in for their media.
@Suite("Calls end to end", .serialized)
struct CallEndToEndTests {
    static let scenarios = SIPEndToEndTests.scenarios

    /// A sipp run in the background (the PBX waits while the phone calls).
    final class SippPeer: @unchecked Sendable {
        let process = Process()
        let messages: String
        /// sipp's stdout and stderr: a file, never a pipe nobody reads (a full pipe stops sipp, and
        /// its own error messages are what explains a failed run).
        let outputPath: String

        /// `namespace`: run inside that network namespace (`ip netns exec`), on `localIP` there.
        init(scenario: String, target: String?, port: UInt16? = nil, transport: String = "u1", rtpPort: UInt16,
             holdMilliseconds: Int = 0, extra: [String] = [], directory: String, name: String,
             namespace: String? = nil, localIP: String = "127.0.0.1") throws {
            guard let sipp = Command.which("sipp") else { throw TestSupportError("sipp missing: scripts/setup installs sip-tester") }
            messages = directory + "/\(name)-messages.log"
            // sipp's -p 0 means 5060: take a free port instead, so that tests run side by side.
            let port = try port ?? LoopbackPort.reserved()
            var arguments = ["-sf", scenarios + "/" + scenario, "-t", transport, "-i", localIP, "-p", "\(port)",
                             "-mi", localIP, "-key", "rtp_port", "\(rtpPort)", "-m", "1", "-nostdin",
                             "-timeout", "30s", "-timeout_error", "-trace_msg", "-message_file", messages,
                             "-trace_err", "-error_file", directory + "/\(name)-errors.log", "-d", "\(holdMilliseconds)"] + extra
            if let target { arguments.append(target) }
            if let namespace {
                // ip netns exec execs sipp: the PID stays sipp's own.
                guard let ip = Command.which("ip") else { throw TestSupportError("ip missing: scripts/setup installs iproute2") }
                process.executableURL = URL(fileURLWithPath: ip)
                process.arguments = ["netns", "exec", namespace, sipp] + arguments
            } else {
                process.executableURL = URL(fileURLWithPath: sipp)
                process.arguments = arguments
            }
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            outputPath = directory + "/\(name)-output.log"
            guard FileManager.default.createFile(atPath: outputPath, contents: nil),
                  let output = FileHandle(forWritingAtPath: outputPath) else {
                throw TestSupportError("cannot create \(outputPath)")
            }
            defer { try? output.close() }
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        deinit {
            if process.isRunning {
                // SIGKILL: a sipp in the middle of a call can ignore SIGTERM for minutes.
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        /// sipp's exit status (0: its one call succeeded), killing it after `seconds` (SIGTERM,
        /// then SIGKILL a second later: a sipp in the middle of a call can ignore SIGTERM).
        func wait(seconds: Double) async -> Int32 {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            guard process.isRunning else { return process.terminationStatus }
            process.terminate()
            for _ in 0..<20 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            return -1
        }

        /// Every message sipp received, as logged ("UDP message received [n] bytes :" blocks).
        var received: [String] {
            let log = (try? String(contentsOfFile: messages, encoding: .utf8)) ?? ""
            return log.components(separatedBy: "----------------------------------------------- ")
                .filter { $0.contains("message received") }
                .map { block in
                    guard let start = block.range(of: "bytes :") else { return block }
                    return String(block[start.upperBound...].drop { $0.isWhitespace })
                }
        }

        /// The message log, then sipp's own output when it wrote any (errors, the final screen).
        var log: String {
            let messageLog = (try? String(contentsOfFile: messages, encoding: .utf8)) ?? "(no message log)"
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            return output.isEmpty ? messageLog : messageLog + "\nsipp output:\n" + String(output.suffix(4000))
        }
    }

    /// Daemons whose access realm routes to core targets where sipp PBXs listen (priority 1, 2, …).
    struct Setup {
        let pair: DaemonPair
        let accessTarget: String
        let pbxPorts: [UInt16]
        var pbxPort: UInt16 { pbxPorts[0] }

        /// One call played by sipp on both sides: the PBX's scenario on the first target's port,
        /// then, once it listens, the phone's toward the access realm; both must end cleanly.
        func play(pbx pbxScenario: String, rtpPort pbxRTP: UInt16, extra: [String] = [], phone phoneScenario: String,
                  rtpPort phoneRTP: UInt16, holdMilliseconds: Int = 0) async throws -> (phone: SippPeer, pbx: SippPeer) {
            let directory = pair.directory.path
            let pbx = try SippPeer(scenario: pbxScenario, target: nil, port: pbxPort, rtpPort: pbxRTP, extra: extra,
                                   directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))
            let phone = try SippPeer(scenario: phoneScenario, target: accessTarget, rtpPort: phoneRTP,
                                     holdMilliseconds: holdMilliseconds, directory: directory, name: "phone")
            #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(pair.logs)")
            #expect(await pbx.wait(seconds: 10) == 0, "pbx sipp failed\n\(pbx.log)\n\(pair.logs)")
            return (phone, pbx)
        }
    }

    static func setUp(targets: Int, mediaKeys: String, corePolicy: String, accessListeners: String = "",
                      coreKeys: String = "target_probe_interval_s = 0", mediaBase base: Int) async throws -> Setup {
        // Free ports for the PBXs: bound once by the test, released, then taken by sipp.
        let ports = try (0..<targets).map { _ in try LoopbackPort.reserved() }
        let tables = ports.enumerated().map { index, port in
            "\n[[realm.target]]\naddress = \"127.0.0.1:\(port)\"\ntransport = \"udp\"\npriority = \(index + 1)\n"
        }.joined()
        let pair = try DaemonPair.start(accessListeners: accessListeners, accessKeys: "route_to = \"core\"",
                                        coreTables: tables, mediaBase: base,
                                        mediaKeys: mediaKeys, corePolicy: corePolicy, coreKeys: coreKeys)
        let status = try #require(try await pair.ready(), "daemons never came up\n\(pair.logs)")
        return Setup(pair: pair, accessTarget: try #require(status.sip("access", "udp")), pbxPorts: ports)
    }

    /// Runs `body` on fresh daemons and stops them afterwards, whatever happened.
    static func withSetup(targets: Int = 1, mediaKeys: String = "", corePolicy: String = "rtp-only",
                          accessListeners: String = "", coreKeys: String = "target_probe_interval_s = 0",
                          _ body: (Setup) async throws -> Void) async throws {
        let base = MediaRanges.acquire()
        defer { MediaRanges.release(base) }
        let setup = try await setUp(targets: targets, mediaKeys: mediaKeys, corePolicy: corePolicy,
                                    accessListeners: accessListeners, coreKeys: coreKeys, mediaBase: base)
        do {
            try await body(setup)
        } catch {
            await setup.pair.stop()
            throw error
        }
        await setup.pair.stop()
    }

    /// 0 once palisade-media holds no session (asked over its control socket), else the last count.
    static func sessionsDrained(_ pair: DaemonPair) async throws -> Int {
        let client = try MediaClient(path: pair.control)
        var count = -1
        for _ in 0..<50 {
            if case .success(.listed(let list)) = try client.request(.listSessions) { count = list.sessions.count }
            if count == 0 { return 0 }
            try await Task.sleep(for: .milliseconds(100))
        }
        return count
    }

    /// The m= port of the first SDP in the first message of `messages` that starts with `start`.
    static func mediaPort(in messages: [String], startingWith start: String) -> UInt16? {
        guard let message = messages.first(where: { $0.hasPrefix(start) }),
              let line = message.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("m=audio ") }) else { return nil }
        return UInt16(line.split(separator: " ")[1])
    }

    /// Sends `packet(n)` for n = 0, 1, … every 250 ms until `receiver` gets a datagram (at most
    /// `seconds`): media is a stream, and on a machine the whole suite keeps busy the relay may
    /// take a moment to pass the first packets of a new call.
    static func stream(from sender: LoopbackUDP, toPort port: UInt16, until receiver: LoopbackUDP,
                       seconds: Double = 8, _ packet: (Int) throws -> [UInt8]) async throws -> (bytes: [UInt8], fromPort: UInt16)? {
        let deadline = Date().addingTimeInterval(seconds)
        var n = 0
        while Date() < deadline {
            try sender.send(try packet(n), toPort: port)
            n += 1
            if let received = await receiver.receive(seconds: 0.25) { return received }
        }
        return nil
    }

    static func lines(_ messages: [String], _ prefix: String) -> [String] {
        messages.flatMap { $0.split(whereSeparator: \.isNewline).map(String.init) }.filter { $0.hasPrefix(prefix) }
    }

    @Test("a phone calls the core PBX: INVITE/100/180/200/ACK, media both ways through the relay, BYE; no side sees the other",
          arguments: ["udp", "tcp"])
    func basicCall(transport: String) async throws {
        try await Self.withSetup { setup in
            let directory = setup.pair.directory.path
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let pbx = try SippPeer(scenario: "call-uas.xml", target: nil, port: setup.pbxPort, rtpPort: pbxMedia.port,
                                   directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))
            let target = try await #require(try setup.pair.status()?.sip("access", transport))
            let phone = try SippPeer(scenario: "call-uac.xml", target: target, transport: transport == "udp" ? "u1" : "t1",
                                     rtpPort: phoneMedia.port, holdMilliseconds: 3000, directory: directory, name: "phone")

            // While the call is held: the ports Palisade wrote into each side's SDP.
            let ports = await eventually(seconds: 10) { () -> (UInt16, UInt16)? in
                guard let access = Self.mediaPort(in: phone.received, startingWith: "SIP/2.0 200"),
                      let core = Self.mediaPort(in: pbx.received, startingWith: "INVITE ") else { return nil }
                return (access, core)
            }
            let (accessPort, corePort) = try #require(ports, "no SDP seen\n\(phone.log)\n\(pbx.log)\n\(setup.pair.logs)")
            // RFC 4961 latching: each side sends first from the address in its SDP.
            let atPBX = try await Self.stream(from: phoneMedia, toPort: accessPort, until: pbxMedia) { n in
                MediaEndToEndTests.rtp(sequence: UInt16(n), ssrc: 0x1111, payload: "phone\(n)")
            }
            let atPhone = try await Self.stream(from: pbxMedia, toPort: corePort, until: phoneMedia) { n in
                MediaEndToEndTests.rtp(sequence: UInt16(n), ssrc: 0x2222, payload: "pbx\(n)")
            }
            #expect(atPBX.map { String(decoding: $0.bytes.dropFirst(12), as: UTF8.self).hasPrefix("phone") } == true,
                    "the phone's RTP did not reach the PBX")
            #expect(atPBX?.fromPort == corePort, "the PBX hears media from the port in its SDP")
            #expect(atPhone.map { String(decoding: $0.bytes.dropFirst(12), as: UTF8.self).hasPrefix("pbx") } == true,
                    "the PBX's RTP did not reach the phone")
            #expect(atPhone?.fromPort == accessPort)

            let phoneStatus = await phone.wait(seconds: 30)
            let pbxStatus = await pbx.wait(seconds: 10)
            #expect(phoneStatus == 0, "phone sipp failed\n\(phone.log)\n\(setup.pair.logs)")
            #expect(pbxStatus == 0, "pbx sipp failed\n\(pbx.log)")

            // Topology hiding: nothing of one side in what the other received.
            let atPhoneSIP = phone.received, atPBXSIP = pbx.received
            #expect(atPhoneSIP.contains { $0.hasPrefix("SIP/2.0 180") } && atPhoneSIP.contains { $0.hasPrefix("SIP/2.0 200") })
            #expect(atPBXSIP.contains { $0.hasPrefix("INVITE ") } && atPBXSIP.contains { $0.hasPrefix("BYE ") })
            let phoneText = atPhoneSIP.joined(), pbxText = atPBXSIP.joined()
            let phoneCallID = try #require(Self.lines(atPhoneSIP, "Call-ID:").first)
            let pbxCallID = try #require(Self.lines(atPBXSIP, "Call-ID:").first)
            #expect(phoneCallID != pbxCallID)
            for secret in [phoneCallID, "phone-tag-", "phone.example.com", "PhoneUAC", ":\(phoneMedia.port)",
                           " \(phoneMedia.port) "] {
                #expect(!pbxText.contains(secret), "the PBX saw \(secret)\n\(pbxText)")
            }
            for secret in [pbxCallID, "pbx-tag-", "CorePBX", ":\(setup.pbxPort)", " \(pbxMedia.port) "] {
                #expect(!phoneText.contains(secret), "the phone saw \(secret)\n\(phoneText)")
            }
            // SDP o= and c= carry the SBC's media address (loopback here) and Palisade's own origin.
            #expect(Self.lines(atPhoneSIP, "o=").allSatisfy { $0.hasPrefix("o=palisade ") }, "\(phoneText)")
            #expect(Self.lines(atPBXSIP, "o=").allSatisfy { $0.hasPrefix("o=palisade ") }, "\(pbxText)")
            #expect(Self.lines(atPhoneSIP + atPBXSIP, "c=").allSatisfy { $0 == "c=IN IP4 127.0.0.1" })

            let status = try await #require(try setup.pair.status())
            let metrics = try HTTPGet.fetch(try #require(status.metricsAddress), path: "/metrics").body
            #expect(metrics.contains("palisade_calls_answered_total{realm=\"access\"} 1"), "\(metrics)")
            #expect(!metrics.contains("palisade_calls_failed_total{"), "\(metrics)")

            // Every call end deletes its media session.
            let sessions = try await Self.sessionsDrained(setup.pair)
            #expect(sessions == 0, "the media session outlived the call\n\(setup.pair.logs)")

            // The call record (signal.call_records): both Call-IDs, who hung up, and the media
            // palisade-media counted on each leg (the test's packets, from where they latched).
            let record = try #require(try await setup.pair.callRecords().first, "no call record\n\(setup.pair.logs)")
            #expect("\(record["callIDA"] ?? "")" == phoneCallID.dropFirst("Call-ID:".count).trimmingCharacters(in: .whitespaces))
            #expect("\(record["callIDB"] ?? "")" == pbxCallID.dropFirst("Call-ID:".count).trimmingCharacters(in: .whitespaces))
            #expect(record["cause"] as? String == "caller-bye" && record["endedBy"] as? String == "caller", "\(record)")
            #expect(record["callee"] as? String == "2000", "\(record)")
            let started = try #require(record["started"] as? Double), answered = try #require(record["answered"] as? Double)
            let ended = try #require(record["ended"] as? Double)
            #expect(started <= answered && answered <= ended && (record["durationSeconds"] as? Double ?? 0) > 2, "\(record)")
            let legs = record["media"] as? [[String: Any]] ?? []
            let phoneLeg = legs.first { $0["leg"] as? String == "a" }, pbxLeg = legs.first { $0["leg"] as? String == "b" }
            #expect((phoneLeg?["packets"] as? Int ?? 0) >= 1 && phoneLeg?["latched"] as? String == "127.0.0.1:\(phoneMedia.port)",
                    "\(record)")
            #expect((pbxLeg?["packets"] as? Int ?? 0) >= 1 && pbxLeg?["latched"] as? String == "127.0.0.1:\(pbxMedia.port)",
                    "\(record)")
            // The same legs in the media quality distributions, one observation each, by realm.
            let after = try HTTPGet.fetch(try #require(status.metricsAddress), path: "/metrics").body
            // Bytes in and out per packet worker: the call's RTP crossed the relay.
            let relayedBytes = after.split(separator: "\n").filter { $0.hasPrefix("palisade_media_bytes_relayed_total{") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
            #expect(relayedBytes >= 24, "\(after)")
            for realm in ["access", "core"] {
                #expect(after.contains("palisade_media_jitter_seconds_count{realm=\"\(realm)\"} 1\n")
                        && after.contains("palisade_media_loss_ratio_count{realm=\"\(realm)\"} 1\n"), "\(after)")
            }
        }
    }

    @Test("CANCEL while the PBX rings: 200 and 487 to the phone, CANCEL to the PBX, media session gone")
    func cancelWhileRinging() async throws {
        try await Self.withSetup { setup in
            let media = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "cancel-uas.xml", rtpPort: media.port,
                                                    phone: "cancel-uac.xml", rtpPort: media.port)
            #expect(phone.received.contains { $0.hasPrefix("SIP/2.0 487") })
            #expect(pbx.received.contains { $0.hasPrefix("CANCEL ") })
            let sessions = try await Self.sessionsDrained(setup.pair)
            #expect(sessions == 0, "the media session outlived the cancelled call\n\(setup.pair.logs)")
        }
    }

    @Test("RFC 3261 §26.2.2: a sips: call with only a UDP target is refused with 480 and a Warning, never downgraded")
    func sipsWithoutTLSRoute() async throws {
        try await Self.withSetup { setup in
            let answer = try await UDPExchange.send(SIPText.request("INVITE", uri: "sips:2000@127.0.0.1",
                                                                    target: setup.accessTarget), to: setup.accessTarget)
            #expect(answer.hasPrefix("SIP/2.0 480 No TLS Route For SIPS\r\n"), "\(answer)\n\(setup.pair.logs)")
            #expect(answer.contains("Warning: 399 palisade \"no TLS target for a sips: Request-URI\""), "\(answer)")
            // Refused before anything was sent to the core or allocated: the call record says 480.
            #expect(try await setup.pair.callRecords().first?["cause"] as? String == "480")
        }
    }

    @Test("486 Busy Here from the PBX reaches the phone as 486; both ACKs absorbed per leg")
    func busy() async throws {
        try await Self.withSetup { setup in
            let media = try LoopbackUDP()
            let (phone, _) = try await setup.play(pbx: "busy-uas.xml", rtpPort: media.port,
                                                  phone: "busy-uac.xml", rtpPort: media.port)
            let busy = try #require(phone.received.first { $0.hasPrefix("SIP/2.0 486") })
            #expect(!busy.contains("pbx-tag-"))
            let status = try await #require(try setup.pair.status())
            let address = try #require(status.metricsAddress)
            // The call ends (and is counted) just after the 486 left; poll briefly.
            let metrics = try await eventually(seconds: 5) { () -> String? in
                let body = try HTTPGet.fetch(address, path: "/metrics").body
                return body.contains("palisade_calls_active 0") ? body : nil
            } ?? HTTPGet.fetch(address, path: "/metrics").body
            #expect(metrics.contains("palisade_calls_attempted_total{realm=\"access\"} 1"), "\(metrics)")
            #expect(metrics.contains("palisade_calls_failed_total{realm=\"access\",cause=\"486\"} 1"), "\(metrics)")
            #expect(metrics.contains("palisade_calls_active 0"), "\(metrics)")

            // Its call record: never answered, ended by the callee's 486, no media.
            let record = try #require(try await setup.pair.callRecords().first, "no call record\n\(setup.pair.logs)")
            #expect(record["cause"] as? String == "486" && record["endedBy"] as? String == "callee", "\(record)")
            #expect(record["answered"] == nil && record["durationSeconds"] as? Double == 0, "\(record)")
            #expect(record["callerRealm"] as? String == "access" && record["calleeRealm"] as? String == "core")
        }
    }

    @Test("RFC 3263 §4.3 failover: the first target answers 503, the call connects through the second")
    func failover() async throws {
        try await Self.withSetup(targets: 2) { setup in
            let directory = setup.pair.directory.path
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let overloaded = try SippPeer(scenario: "overloaded-uas.xml", target: nil, port: setup.pbxPorts[0],
                                          rtpPort: pbxMedia.port, directory: directory, name: "pbx1")
            let pbx = try SippPeer(scenario: "call-uas.xml", target: nil, port: setup.pbxPorts[1], rtpPort: pbxMedia.port,
                                   directory: directory, name: "pbx2")
            try await Task.sleep(for: .milliseconds(300))
            let phone = try SippPeer(scenario: "call-uac.xml", target: setup.accessTarget, rtpPort: phoneMedia.port,
                                     holdMilliseconds: 500, directory: directory, name: "phone")
            #expect(await phone.wait(seconds: 30) == 0, "phone sipp failed\n\(phone.log)\n\(setup.pair.logs)")
            #expect(await overloaded.wait(seconds: 10) == 0, "first target\n\(overloaded.log)")
            #expect(await pbx.wait(seconds: 10) == 0, "second target\n\(pbx.log)")
            #expect(!phone.received.contains { $0.hasPrefix("SIP/2.0 503") }, "the phone never hears the 503")
            let sessions = try await Self.sessionsDrained(setup.pair)
            #expect(sessions == 0, "\(setup.pair.logs)")
        }
    }

    @Test("RFC 3264 §8.4 hold and resume: re-INVITEs with sendonly then sendrecv cross Palisade with its own SDP")
    func holdAndResume() async throws {
        try await Self.withSetup { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "hold-uas.xml", rtpPort: pbxMedia.port,
                                                    phone: "hold-uac.xml", rtpPort: phoneMedia.port, holdMilliseconds: 300)
            let invites = pbx.received.filter { $0.hasPrefix("INVITE ") }
            #expect(invites.count == 3, "\(pbx.log)")
            if invites.count == 3 {
                #expect(invites[1].contains("a=sendonly") && invites[2].contains("a=sendrecv"))
                #expect(!invites[1].contains(" \(phoneMedia.port) ") && !invites[1].contains("phone-tag-"))
            }
            let answers = phone.received.filter { $0.hasPrefix("SIP/2.0 200") && $0.contains("m=audio") }
            #expect(answers.count == 3, "\(phone.log)")
            if answers.count == 3 {
                #expect(answers[1].contains("a=recvonly") && answers[2].contains("a=sendrecv"))
                // RFC 3264 §8: Palisade's o= version grows with each change on the phone's leg.
                let versions = answers.compactMap { answer in
                    answer.split(whereSeparator: \.isNewline).first { $0.hasPrefix("o=") }
                        .flatMap { UInt64($0.split(separator: " ")[2]) }
                }
                #expect(versions.count == 3 && versions[0] < versions[1] && versions[1] < versions[2], "\(versions)")
            }
            let sessions = try await Self.sessionsDrained(setup.pair)
            #expect(sessions == 0, "\(setup.pair.logs)")
        }
    }

    @Test("a call whose media stops is hung up by Palisade: BYE on both legs (media.timeout_s), session deleted")
    func mediaTimeout() async throws {
        try await Self.withSetup(mediaKeys: "timeout_s = 1") { setup in
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let (phone, pbx) = try await setup.play(pbx: "call-uas.xml", rtpPort: pbxMedia.port,
                                                    phone: "timeout-uac.xml", rtpPort: phoneMedia.port)
            let byes = phone.received.filter { $0.hasPrefix("BYE ") } + pbx.received.filter { $0.hasPrefix("BYE ") }
            #expect(byes.count == 2 && byes.allSatisfy { $0.contains("media timeout") }, "\(byes)")
            let sessions = try await Self.sessionsDrained(setup.pair)
            #expect(sessions == 0, "\(setup.pair.logs)")
        }
    }

    @Test("no target answers: 100 (Trying) after 200 ms, then Timer B fails the call with 408 to the phone, never silence")
    func unreachableCore() async throws {
        try await Self.withSetup { setup in
            // Nothing listens on the PBX port: the INVITE is retransmitted until Timer B (64*T1).
            let phoneMedia = try LoopbackUDP()
            let invite = """
            INVITE sip:2000@\(setup.accessTarget) SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.1:\(phoneMedia.port);branch=z9hG4bK-unreach-1;rport\r
            Max-Forwards: 70\r
            From: <sip:1000@phone.example.com>;tag=t1\r
            To: <sip:2000@\(setup.accessTarget)>\r
            Call-ID: unreachable-1\r
            CSeq: 1 INVITE\r
            Contact: <sip:1000@127.0.0.1:\(phoneMedia.port)>\r
            Content-Length: 0\r
            \r

            """
            let answers = try await UDPExchange.responses(invite, to: setup.accessTarget, timeoutSeconds: 40)
            #expect(answers.last?.text.hasPrefix("SIP/2.0 408") == true, "\(answers)\n\(setup.pair.logs)")
            // RFC 3261 §17.2.1: nothing came back from the core, so Palisade's own 100 (Trying)
            // followed the INVITE once 200 ms had passed, and only one.
            let provisional = answers.dropLast()
            #expect(provisional.count == 1 && provisional.first?.text.hasPrefix("SIP/2.0 100 ") == true,
                    "\(answers)")
            if let trying = provisional.first {
                #expect(trying.after >= .milliseconds(190) && trying.after < .seconds(5), "100 after \(trying.after)")
            }
        }
    }
}
