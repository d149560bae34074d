import Foundation
import Testing
import TestSupport

/// `palisadectl calls hangup` against a live call.
@Suite("palisadectl calls hangup end to end", .serialized)
struct CallsCommandTests {
    @Test("hangup of a connected call: BYE on both legs, media session deleted; an unknown ID is refused")
    func hangup() async throws {
        try await CallEndToEndTests.withSetup { setup in
            let pair = setup.pair
            let directory = pair.directory.path
            let ctl = { (words: [String]) in
                try Command.run(try Products.path("palisadectl"), ["--socket", pair.admin] + words)
            }
            let phoneMedia = try LoopbackUDP(), pbxMedia = try LoopbackUDP()
            let pbx = try CallEndToEndTests.SippPeer(scenario: "call-uas.xml", target: nil, port: setup.pbxPort,
                                                     rtpPort: pbxMedia.port, directory: directory, name: "pbx")
            try await Task.sleep(for: .milliseconds(300))
            // timeout-uac.xml: after the ACK the phone waits for a BYE from Palisade and answers it.
            let phone = try CallEndToEndTests.SippPeer(scenario: "timeout-uac.xml", target: setup.accessTarget,
                                                       rtpPort: phoneMedia.port, directory: directory, name: "phone")
            let id = try #require(await eventually(seconds: 10) { () -> String? in
                let list = try? ctl(["--json", "calls", "list"])
                let calls = list.flatMap { try? JSONSerialization.jsonObject(with: Data($0.stdout.utf8)) } as? [[String: Any]]
                return calls?.first { $0["state"] as? String == "confirmed" }?["id"] as? String
            }, "the call never connected\n\(pair.logs)")

            let unknown = try ctl(["calls", "hangup", "no-such-call"])
            #expect(unknown.status == 1 && unknown.stderr.contains("no call no-such-call in progress"), "\(unknown.stderr)")
            let hangup = try ctl(["calls", "hangup", id])
            #expect(hangup.status == 0 && hangup.stdout.contains("BYE on both legs"), "\(hangup.stdout)\(hangup.stderr)")

            #expect(await phone.wait(seconds: 15) == 0, "the phone got no BYE\n\(phone.log)\n\(pair.logs)")
            #expect(await pbx.wait(seconds: 15) == 0, "the PBX got no BYE\n\(pbx.log)")
            let byes = (phone.received + pbx.received).filter { $0.hasPrefix("BYE ") }
            #expect(byes.count == 2 && byes.allSatisfy { $0.contains("hung up by the operator") }, "\(byes)")
            #expect(try await CallEndToEndTests.sessionsDrained(pair) == 0)
            #expect(try ctl(["calls", "list"]).stdout == "no calls in progress\n")
        }
    }
}
