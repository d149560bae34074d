import Foundation
import Logging
import MediaControlProtocol
import MediaControlServer
import MediaEngine
import MediaSessions
import NFTables
import NFTRules
import PosixSupport
import Testing
import TestSupport

@Suite("Session pinholes in a throwaway network namespace", .enabled(if: NetworkNamespace.isAvailable))
struct SessionPinholeTests {
    @Test("every allocated port opens a pinhole, narrows to the latched peer, reopens on a new remote, closes on delete")
    func pinholes() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let firewall = NFTMediaFirewall(rules: NFTRules(mediaPorts: 13_700...13_799),
                                            connection: try NFTablesConnection(networkNamespace: namespace.path))
            try firewall.setUp()
            let directory = try TemporaryDirectory()
            let path = directory.path + "/media.sock"
            let engine = try MediaEngine(.init(interfaces: [
                .init(name: "access", address: IPv4Endpoint.loopback, ports: 13_700...13_707),
                .init(name: "core", address: IPv4Endpoint.loopback, ports: 13_708...13_715),
            ], workers: 1))
            try engine.start()
            defer { engine.stop() }
            let table = SessionTable(engine: engine, interfaces: [.init(name: "access", advertise: "127.0.0.1"),
                                                                  .init(name: "core", advertise: "127.0.0.1")],
                                     timeouts: .disabled, firewall: firewall) {
                SessionTable.Now(wall: 1_000, monotonicNanoseconds: 0)
            }
            let server = MediaControlServer(socketPath: path, identity: MediaControlServerTests.media,
                                            logger: Logger(label: "test"),
                                            watch: ControlWatch(fd: engine.notificationFD) { table.engineReadable() })
            { request, ticket in table.handle(request, ticket: ticket) }
            try server.start()
            defer { server.stop() }

            let client = try ControlClient(path: path, hello: MediaControlServerTests.signal)
            let phone = try UDPPeer()
            let far = try UDPPeer()
            func spec(farPort: Int) -> SessionSpec {
                SessionSpec(session: "fw", streams: [MediaControlProtocol.StreamSpec(
                    index: 0,
                    a: MediaControlProtocol.LegSpec(interface: "access", rtcpMux: false, remote: nil, profile: .rtp),
                    b: MediaControlProtocol.LegSpec(interface: "core", rtcpMux: true,
                                                    remote: Endpoint(address: "127.0.0.1", port: farPort),
                                                    profile: .rtp))])
            }
            guard case .success(.created(let allocation)) = try client.request(.createSession(spec(farPort: far.port)))
            else {
                Issue.record("create refused")
                return
            }
            let legs = allocation.streams[0]
            #expect(legs.a.rtcpPort == legs.a.rtpPort + 1 && legs.b.rtcpPort == legs.b.rtpPort)
            #expect(try namespace.elements(of: "media_open")
                == ["\(legs.a.rtpPort)", "\(legs.a.rtcpPort)", "\(legs.b.rtpPort)"].sorted())

            // The phone's first packet latches leg A: its RTP pinhole narrows to that flow.
            phone.send(rtpPacket(sequence: 1, payload: "hello"), to: legs.a.rtpPort)
            #expect(far.receive() == rtpPacket(sequence: 1, payload: "hello"))
            let flow = "127.0.0.1 . \(phone.port) . \(legs.a.rtpPort)"
            var latched: [String] = []
            for _ in 0..<100 {
                // The latched event reaches the table through the control thread's poll; a
                // request round trip gives it a turn.
                _ = try client.request(.ping)
                latched = try namespace.elements(of: "media_latched4")
                if latched == [flow] { break }
                usleep(10_000)
            }
            #expect(latched == [flow])
            #expect(try namespace.elements(of: "media_open") == ["\(legs.a.rtcpPort)", "\(legs.b.rtpPort)"].sorted())

            // A new remote for leg B (a re-INVITE): its pinhole is any-source again until it latches.
            far.send(rtpPacket(sequence: 1, ssrc: 7, payload: "back"), to: legs.b.rtpPort)
            _ = phone.receive()
            for _ in 0..<100 where try namespace.elements(of: "media_latched4").count < 2 {
                _ = try client.request(.ping)
                usleep(10_000)
            }
            #expect(try namespace.elements(of: "media_latched4").count == 2)
            let other = try UDPPeer()
            guard case .success(.updated) = try client.request(.updateSession(spec(farPort: other.port))) else {
                Issue.record("update refused")
                return
            }
            #expect(try namespace.elements(of: "media_open") == ["\(legs.a.rtcpPort)", "\(legs.b.rtpPort)"].sorted())
            #expect(try namespace.elements(of: "media_latched4") == [flow])

            guard case .success(.deleted) = try client.request(.deleteSession(SessionReference(session: "fw"))) else {
                Issue.record("delete refused")
                return
            }
            #expect(try namespace.elements(of: "media_open") == [])
            #expect(try namespace.elements(of: "media_latched4") == [])
            #expect(table.firewallFailures == 0)
        }
    }
}
