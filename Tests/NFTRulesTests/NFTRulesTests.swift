import Foundation
import NFTRules
import Testing

@Suite("Owned table")
struct NFTRulesTests {
    let rules = NFTRules(mediaPorts: 20000...39999)

    @Test("The rendered ruleset matches the golden file")
    func renderGolden() throws {
        #expect(rules.renderRuleset() == (try Fixture.text("ruleset.nft")))
    }

    @Test("nft -c accepts the rendered ruleset (in a throwaway network namespace)",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")))
    func nftAcceptsRuleset() throws {
        // unshare -n: nft -c still talks to the kernel, so give it a namespace of its own.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--net", "/usr/sbin/nft", "-c", "-f", "-"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(rules.renderRuleset().utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(message)")
    }

    @Test("Without a media range there is no closing rule")
    func noMediaRange() {
        let open = NFTRules(mediaPorts: nil)
        #expect(open.rules == [.dropBanned(.ipv4), .dropBanned(.ipv6), .acceptLatched(.ipv4), .acceptLatched(.ipv6),
                               .acceptOpen])
        #expect(!open.renderRuleset().contains("drop\n\t}"))
    }

    @Test("Setup replaces the table in one batch: add, delete, add, then sets, chain and rules")
    func setupBatch() {
        let batch = rules.setupBatch()
        let expected: [NFTOperation] = [.addTable, .deleteTable, .addTable]
            + NFTSet.allCases.map(NFTOperation.addSet)
            + [.addChain(.input)]
            + rules.rules.map(NFTOperation.addRule)
        #expect(batch.operations == expected)
        #expect(batch.elementCount == 0)
    }

    @Test("Setup restores recorded pinholes inside the same batch")
    func setupRestores() {
        let peer = NFTPeer(address: NFTAddress("192.0.2.10")!, port: 5004)
        let state = NFTPinholeState().plan([.openPinhole(localPort: 30002), .narrowPinhole(localPort: 30000, peer: peer)])
            .state
        let batch = rules.setupBatch(restoring: state)
        #expect(Array(batch.operations.suffix(2)) == [
            .addElements(.mediaOpen, [.open(localPort: 30002)]),
            .addElements(.mediaLatched4, [.latched(peer: peer, localPort: 30000)]),
        ])
    }

    @Test("Rule expressions are what nft emits (nft --debug=netlink), e.g. the IPv6 latched lookup")
    func latchedIPv6Expressions() {
        #expect(NFTRule.acceptLatched(.ipv6).expressions == [
            .meta(.nfproto, destination: NFTRegister(1)),
            .compare(.equal, register: NFTRegister(1), data: [10]),
            .meta(.l4proto, destination: NFTRegister(1)),
            .compare(.equal, register: NFTRegister(1), data: [17]),
            .payload(.network, offset: 8, length: 16, destination: NFTRegister(1)),
            .payload(.transport, offset: 0, length: 2, destination: NFTRegister(2)),
            .payload(.transport, offset: 2, length: 2, destination: NFTRegister(13)),
            .lookup(set: .mediaLatched6, source: NFTRegister(1)),
            .verdict(.accept),
        ])
    }

    @Test("Operations name themselves for errors")
    func operationDescriptions() {
        #expect(NFTOperation.deleteElements(.mediaOpen, [.open(localPort: 1)]).description
            == "delete 1 element(s) from set media_open")
        #expect(NFTOperation.addTable.description == "add table inet palisade")
        #expect(NFTOperation.addRule(.acceptOpen).description == "add rule 'udp dport @media_open accept'")
    }
}
