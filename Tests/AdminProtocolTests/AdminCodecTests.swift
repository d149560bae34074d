import AdminProtocol
import Testing

@Suite("Admin protocol")
struct AdminCodecTests {
    static let status = StatusReport(
        signal: ProcessReport(software: "0.1.0", pid: 10, startTime: 1_700_000_000, uptimeSeconds: 5),
        media: MediaPlaneReport(connected: false, since: 1_700_000_001.5, controlSocket: "/run/palisade/media.sock",
                                process: nil, lastError: "connection refused on /run/palisade/media.sock",
                                reconnects: 2),
        adminSocket: "/run/palisade/admin.sock", metricsAddress: "127.0.0.1:9477")

    @Test("a request round-trips and names its command")
    func request() {
        let bytes = AdminCodec.encode(AdminRequest(id: 3, command: .status))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"command":"status","id":3}"#)
        let decoded = AdminCodec.decodeRequest(bytes)
        #expect(decoded.id == 3)
        #expect(decoded.result == .success(AdminRequest(id: 3, command: .status)))
    }

    @Test("arguments travel with the command, and are left out when there are none")
    func arguments() {
        let bytes = AdminCodec.encode(AdminRequest(id: 7, command: .logLevel, arguments: ["debug"]))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"arguments":["debug"],"command":"log level","id":7}"#)
        #expect(AdminCodec.decodeRequest(bytes).result == .success(AdminRequest(id: 7, command: .logLevel,
                                                                                arguments: ["debug"])))
    }

    @Test("an unknown command is refused with the id it came with")
    func unknownCommand() {
        let decoded = AdminCodec.decodeRequest(Array(#"{"id":9,"command":"reboot"}"#.utf8))
        #expect(decoded.id == 9)
        guard case .failure(let failure) = decoded.result else { Issue.record("accepted"); return }
        #expect(failure.code == .unknownCommand)
        #expect(failure.message.contains("reboot"))
    }

    @Test("garbage is refused as malformed")
    func garbage() {
        #expect(AdminCodec.decodeRequest(Array("hello".utf8)).result
            == .failure(AdminFailure(.malformed, "")))
    }

    static var withWorkers: StatusReport {
        var status = status
        status.media.connected = true
        status.media.lastError = nil
        status.media.process = ProcessReport(software: "0.1.0", pid: 11, startTime: 1_700_000_000, uptimeSeconds: 4)
        status.media.workers = [MediaWorkerReport(worker: 0, streams: 3, receivedPackets: 1000, relayedPackets: 998,
                                                  droppedPackets: 2, relayedPerSecond: 249.5, rateIntervalSeconds: 4)]
        return status
    }

    @Test("status and failure replies round-trip")
    func replies() throws {
        for reply in [AdminReply(id: 4, .success(.status(Self.status))),
                      AdminReply(id: 6, .success(.logLevel(LogLevelReport(previous: "info", current: "debug")))),
                      AdminReply(id: 7, .success(.reload(ReloadReport(file: "/etc/palisade/palisade.toml",
                                                                      applied: ["log.level: info → debug"],
                                                                      restartNeeded: ["[sip]"])))),
                      AdminReply(id: 8, .failure(AdminFailure(.invalidConfiguration, "palisade.toml:2: log.level: …"))),
                      AdminReply(id: 10, .success(.traffic(TrafficReport(draining: true, activeCalls: 2, registrations: 5)))),
                      AdminReply(id: 11, .success(.calls([CallSummary(
                          id: "c1", state: "confirmed", callerRealm: "access", calleeRealm: "core", caller: "1000",
                          callee: "2000", callIDA: "a@phone", callIDB: "b@palisade", callerFlow: "udp 192.0.2.7:5060",
                          ageSeconds: 12.5)]))),
                      AdminReply(id: 12, .success(.registrations([RegistrationSummary(
                          aor: "sip:alice@example.com", contact: "<sip:alice@10.0.0.2:5060>", flow: "udp 192.0.2.7:41000",
                          realm: "access", behindNAT: true, expiresInSeconds: 42)]))),
                      AdminReply(id: 9, .success(.status(Self.withWorkers))),
                      AdminReply(id: 5, .failure(AdminFailure(.unavailable, "media plane down")))] {
            #expect(try AdminCodec.decodeReply(AdminCodec.encode(reply)) == reply)
        }
    }

    @Test("a status without workers (an older palisade-signal) still decodes; workers appear when present")
    func workersOptional() throws {
        let old = AdminCodec.encode(AdminReply(id: 4, .success(.status(Self.status))))
        #expect(!String(decoding: old, as: UTF8.self).contains("workers"))
        let new = String(decoding: AdminCodec.encode(AdminReply(id: 6, .success(.status(Self.withWorkers)))),
                         as: UTF8.self)
        #expect(new.contains(#""relayedPerSecond":249.5"#))
    }
}
