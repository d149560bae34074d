import Foundation
import MediaControlProtocol
import Testing
import TestSupport

/// palisade-media with `media.firewall = true` programs its nftables table: inside a network
/// namespace this test creates (the host's ruleset is never touched).
@Suite("Media plane firewall end to end", .serialized, .enabled(if: NetworkNamespace.isAvailable))
struct MediaFirewallTests {
    @Test("sessions open pinholes for their ports and delete closes them; a clean stop leaves none")
    func pinholes() async throws {
        try await NetworkNamespace.with { namespace in try await pinholes(namespace) }
    }

    func pinholes(_ namespace: NetworkNamespace) async throws {
        let media = try MediaEndToEndTests.Media.start(base: 46_000, namespace: namespace.name)
        defer { media.daemon.send(SIGKILL) }
        let control = try await media.connect()
        #expect(try namespace.nft("list", "table", "inet", "palisade").contains("46000-46003"),
                "the table covers the realms' media ports\n\(media.daemon.log)")

        let spec = SessionSpec(session: "fw-1", streams: [StreamSpec(
            index: 0,
            a: LegSpec(interface: "access", rtcpMux: false, remote: nil, profile: .rtp),
            b: LegSpec(interface: "core", rtcpMux: false, remote: Endpoint(address: "127.0.0.1", port: 40_000),
                       profile: .rtp))])
        guard case .success(.created) = try control.request(.createSession(spec)) else {
            Issue.record("create refused\n\(media.daemon.log)")
            return
        }
        let open = try namespace.nft("list", "set", "inet", "palisade", "media_open")
        let elements = open.split(separator: "\n").first { $0.contains("elements = ") }.map(String.init) ?? ""
        for port in 46_000...46_003 {
            #expect(elements.contains("\(port)"), "pinhole for \(port) missing:\n\(open)")
        }

        guard case .success = try control.request(.deleteSession(SessionReference(session: "fw-1"))) else {
            Issue.record("delete refused\n\(media.daemon.log)")
            return
        }
        let closed = try namespace.nft("list", "table", "inet", "palisade")
        #expect(closed.contains("set media_open") && !closed.contains("elements = "), "pinholes closed on delete:\n\(closed)")

        // The signalling's ban (an address its auth-failure throttle refuses) lands in the ban set
        // with its timeout; a bad address is refused.
        let ban = SourceBan(address: "192.0.2.66", seconds: 120, reason: "auth-failure throttle")
        #expect(try control.request(.banSource(ban)) == .success(.banned(ban)), "\(media.daemon.log)")
        let banned = try namespace.nft("list", "set", "inet", "palisade", "banned4")
        #expect(try namespace.elements(of: "banned4").contains("192.0.2.66"), "\(banned)")
        let refused = try control.request(.banSource(SourceBan(address: "not-an-ip", seconds: 60, reason: "test")))
        #expect(refused == .failure(ControlFailure(.invalidSpec, "")), "\(refused)")
        #expect(media.daemon.log.contains("source banned at the firewall"))

        media.daemon.send(SIGTERM)
        #expect(await media.daemon.waitForExit(seconds: 10) == 0, "\(media.daemon.log)")
        #expect(!media.daemon.log.contains("not closed"), "\(media.daemon.log)")
    }
}
