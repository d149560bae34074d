import Foundation
import NFTables
import NFTRules
import Testing
import TestSupport

/// The rules as packets see them: UDP over loopback inside the test's namespace.
@Suite("nftables rules pass and drop real packets", .enabled(if: NetworkNamespace.isAvailable))
struct NFTablesTrafficTests {
    @Test("Open, latched and banned, for IPv4 and IPv6", arguments: [AF_INET, AF_INET6])
    func traffic(family: Int32) async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let firewall = NFTMediaFirewall(rules: NFTRules(mediaPorts: 20000...39999),
                                            connection: try NFTablesConnection(networkNamespace: namespace.path))
            try firewall.setUp()
            // Sockets: 0 = peer at port 5004, 1 = other source at 5006, 2 = media port 30000,
            // 3 = media port 30002 (never opened), 4 = port 40000 (outside the media range).
            let ports: [UInt16] = [5004, 5006, 30000, 30002, 40000]
            let probe = try UDPProbe(namespace: namespace, family: family, ports: ports)
            defer { probe.close() }
            let loopback = NFTAddress(family == AF_INET ? "127.0.0.1" : "::1")!

            try firewall.apply([.openPinhole(localPort: 30000)])
            #expect(probe.delivers(from: 0, to: 2, ports: ports), "open pinhole, any source")
            #expect(probe.delivers(from: 1, to: 2, ports: ports), "open pinhole, any source")
            #expect(probe.drops(from: 0, to: 3, ports: ports), "media port without a pinhole")
            #expect(probe.delivers(from: 0, to: 4, ports: ports), "outside the media range: not ours to judge")

            try firewall.apply([.narrowPinhole(localPort: 30000, peer: NFTPeer(address: loopback, port: 5004))])
            #expect(probe.delivers(from: 0, to: 2, ports: ports), "the latched peer")
            #expect(probe.drops(from: 1, to: 2, ports: ports), "another source port after latching")

            try firewall.apply([.ban(loopback, timeout: .seconds(60))])
            #expect(probe.drops(from: 0, to: 2, ports: ports), "banned source")
            #expect(probe.drops(from: 0, to: 4, ports: ports), "banned source, any port")

            try firewall.apply([.unban(loopback), .closePinhole(localPort: 30000)])
            #expect(probe.drops(from: 0, to: 2, ports: ports), "closed pinhole")
            #expect(probe.delivers(from: 0, to: 4, ports: ports), "unbanned")
        }
    }
}
