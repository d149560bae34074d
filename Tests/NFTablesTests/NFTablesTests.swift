import Foundation
import NFTables
import NFTRules
import Testing
import TestSupport

/// Everything here runs inside a network namespace the test creates (`NetworkNamespace`).
@Suite("nftables through libnftnl, in a throwaway network namespace", .enabled(if: NetworkNamespace.isAvailable))
struct NFTablesTests {
    let rules = NFTRules(mediaPorts: 20000...39999)
    let peer4 = NFTPeer(address: NFTAddress("192.0.2.10")!, port: 5004)
    let peer6 = NFTPeer(address: NFTAddress("2001:db8::10")!, port: 5006)

    private func firewall(in namespace: NetworkNamespace) throws -> NFTMediaFirewall {
        let firewall = NFTMediaFirewall(rules: rules,
                                        connection: try NFTablesConnection(networkNamespace: namespace.path))
        try firewall.setUp()
        return firewall
    }

    @Test("Setup applied twice leaves one copy of every rule, listed exactly as rendered")
    func setupIsIdempotent() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let firewall = try firewall(in: namespace)
            try firewall.setUp()
            let listed = try namespace.nft("list", "table", "inet", "palisade")
            #expect(listed == rules.renderRuleset())
            #expect(listed.components(separatedBy: "udp dport @media_open accept").count == 2)
            #expect(try namespace.nft("list", "tables") == "table inet palisade\n")
        }
    }

    @Test("Pinholes open and close as set elements")
    func openAndClose() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let firewall = try firewall(in: namespace)
            try firewall.apply([.openPinhole(localPort: 30000), .openPinhole(localPort: 30002)])
            #expect(try namespace.elements(of: "media_open") == ["30000", "30002"])
            try firewall.apply([.closePinhole(localPort: 30000)])
            #expect(try namespace.elements(of: "media_open") == ["30002"])
            try firewall.apply([.closePinhole(localPort: 30002), .closePinhole(localPort: 30002)])
            #expect(try namespace.elements(of: "media_open") == [])
        }
    }

    @Test("Narrowing replaces the any-source element with the latched flow; re-latching replaces that")
    func narrowing() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let firewall = try firewall(in: namespace)
            try firewall.apply([.openPinhole(localPort: 30000), .openPinhole(localPort: 30002)])
            try firewall.apply([.narrowPinhole(localPort: 30000, peer: peer4)])
            #expect(try namespace.elements(of: "media_open") == ["30002"])
            #expect(try namespace.elements(of: "media_latched4") == ["192.0.2.10 . 5004 . 30000"])
            try firewall.apply([.narrowPinhole(localPort: 30000, peer: peer6), .narrowPinhole(localPort: 30002, peer: peer4)])
            #expect(try namespace.elements(of: "media_open") == [])
            #expect(try namespace.elements(of: "media_latched4") == ["192.0.2.10 . 5004 . 30002"])
            #expect(try namespace.elements(of: "media_latched6") == ["2001:db8::10 . 5006 . 30000"])
        }
    }

    @Test("Setup re-run keeps the recorded pinholes")
    func setupRestores() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let firewall = try firewall(in: namespace)
            try firewall.apply([.openPinhole(localPort: 30000), .narrowPinhole(localPort: 30002, peer: peer4)])
            try firewall.setUp()
            #expect(try namespace.elements(of: "media_open") == ["30000"])
            #expect(try namespace.elements(of: "media_latched4") == ["192.0.2.10 . 5004 . 30002"])
        }
    }

    @Test("One call with 1,000 pinholes is one batch (several messages), IPv4 and IPv6")
    func thousandElements() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let firewall = try firewall(in: namespace)
            let ports = (0..<1000).map { UInt16(20000 + 2 * $0) }
            try firewall.apply(ports.map { .openPinhole(localPort: $0) })
            #expect(try namespace.elements(of: "media_open").count == 1000)
            try firewall.apply(ports.map { .narrowPinhole(localPort: $0, peer: peer6) })
            #expect(try namespace.elements(of: "media_open").count == 0)
            #expect(try namespace.elements(of: "media_latched6").count == 1000)
        }
    }

    @Test("Ban elements carry timeouts and expire; re-ban and unban never fail")
    func banExpires() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let firewall = try firewall(in: namespace)
            let shortLived = NFTAddress("198.51.100.7")!
            let longLived = NFTAddress("2001:db8::66")!
            try firewall.apply([.ban(shortLived, timeout: .seconds(1)), .ban(longLived, timeout: .seconds(600))])
            try firewall.apply([.ban(shortLived, timeout: .seconds(1))])  // banning again is no error
            #expect(try namespace.elements(of: "banned4") == ["198.51.100.7"])
            #expect(try namespace.elements(of: "banned6") == ["2001:db8::66"])
            #expect(try namespace.nft("list", "set", "inet", "palisade", "banned6").contains("timeout 10m"))
            // The kernel's clock, not ours: poll for the expiry (bounded), there is no event to wait on.
            let deadline = ContinuousClock.now + .seconds(5)
            while try !namespace.elements(of: "banned4").isEmpty, ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.1)
            }
            #expect(try namespace.elements(of: "banned4") == [])
            try firewall.apply([.unban(shortLived), .unban(longLived)])  // one expired, one present
            #expect(try namespace.elements(of: "banned6") == [])
        }
    }

    @Test("A rejected operation is named with its errno, rolls back its batch, and the next batch works")
    func errors() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let connection = try NFTablesConnection(networkNamespace: namespace.path)
            try connection.apply(rules.setupBatch())
            var batch = NFTBatch()
            batch.addElements([.open(localPort: 30000)], to: .mediaOpen)
            batch.deleteElements([.open(localPort: 40000)], from: .mediaOpen)
            batch.deleteElements([.banned(NFTAddress("192.0.2.1")!)], from: .banned4)
            let error = #expect(throws: NFTError.self) { try connection.apply(batch) }
            #expect(error?.code == .rejected)
            #expect(error?.errno == ENOENT)
            #expect(error?.operation == "delete 1 element(s) from set media_open")
            #expect(try namespace.elements(of: "media_open") == [])  // the add was rolled back
            try connection.apply(NFTPinholeState().plan([.openPinhole(localPort: 30004)]).batch)
            #expect(try namespace.elements(of: "media_open") == ["30004"])
        }
    }

    @Test("Elements for a set that does not exist are rejected, naming the set")
    func missingSet() async throws {
        try await NetworkNamespace.onOwnThread { namespace in
            let connection = try NFTablesConnection(networkNamespace: namespace.path)
            let error = #expect(throws: NFTError.self) {
                try connection.apply(NFTBatch([.addElements(.mediaOpen, [.open(localPort: 1)])]))
            }
            #expect(error?.code == .rejected)
            #expect(error?.errno == ENOENT)
            #expect(error?.operation == "add 1 element(s) to set media_open")
        }
    }

    @Test("A namespace that does not exist is an error value, not a crash")
    func missingNamespace() {
        let error = #expect(throws: NFTError.self) {
            _ = try NFTablesConnection(networkNamespace: "/run/netns/palisade-nft-does-not-exist")
        }
        #expect(error?.code == .namespace)
        #expect(error?.errno == ENOENT)
    }
}
