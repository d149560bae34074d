import B2BUA
import MediaControlProtocol
import SDP
import Testing

/// Runs every golden case step by step and checks, on every SDP Palisade writes, what must
/// hold whatever the case: topology hiding (issue 6 item 2), Palisade's own o=, keys never
/// carried across, exactly one a=crypto per answered m= line (RFC 4568 §7.1.1).
@Suite("Golden SDP in → SDP out (RFC 3264, RFC 4568)")
struct GoldenTests {
    @Test("Golden case", arguments: GoldenCase.all)
    func run(_ golden: GoldenCase) throws {
        var negotiation = MediaNegotiation(session: golden.name, policyA: golden.policyA, policyB: golden.policyB,
                                           originA: SDPOriginIdentity(sessionID: "1001"),
                                           originB: SDPOriginIdentity(sessionID: "2002"))
        var plane = FakeMediaPlane(addressA: golden.policyA.advertisedAddress, addressB: golden.policyB.advertisedAddress)
        var peerKeys: Set<[UInt8]> = []
        var peerValues: [LegName: Set<String>] = [.a: [], .b: []]
        let steps = try golden.inputs()
        #expect(!steps.isEmpty, "no steps in \(golden.name)")
        for step in steps {
            let stem = String(step.dropLast(4))
            let parts = stem.split(separator: "-")
            try #require(parts.count == 3, "step file name \(step)")
            let from: LegName = parts[2] == "a" ? .a : .b
            let to: LegName = from == .a ? .b : .a
            let input = try SessionDescription(parsing: golden.read(step))
            for section in input.media {
                for c in try section.cryptos() { for k in c.keys { peerKeys.insert(k.keySalt) } }
            }
            peerValues[from, default: []].formUnion(SDPAddressScan.values(in: input))

            var output: SessionDescription?
            if parts[1] == "offer" {
                switch negotiation.receiveOffer(input, from: from) {
                case .reject(let rejection):
                    let g = try golden.golden("\(stem).reject.txt", Array("488 \(rejection.warning(agent: "palisade"))\n".utf8))
                    #expect(g.actual == g.expected, "\(golden.name)/\(stem).reject.txt")
                    negotiation.abandon()
                case .allocate(let spec):
                    let g = try golden.golden("\(stem).spec.json", GoldenCase.json(spec))
                    #expect(g.actual == g.expected, "\(golden.name)/\(stem).spec.json")
                    output = negotiation.writeOffer(allocation: plane.apply(spec))
                    try #require(output != nil)
                }
            } else {
                switch negotiation.receiveAnswer(input) {
                case .reject(let rejection):
                    let g = try golden.golden("\(stem).reject.txt", Array("488 \(rejection.warning(agent: "palisade"))\n".utf8))
                    #expect(g.actual == g.expected, "\(golden.name)/\(stem).reject.txt")
                    negotiation.abandon()
                case .update(let spec):
                    let g = try golden.golden("\(stem).spec.json", GoldenCase.json(spec))
                    #expect(g.actual == g.expected, "\(golden.name)/\(stem).spec.json")
                    output = negotiation.writeAnswer(allocation: plane.apply(spec))
                    try #require(output != nil)
                    negotiation.complete()
                    for section in output?.media ?? [] {
                        #expect(try section.cryptos().count <= 1, "\(golden.name)/\(stem): RFC 4568 §7.1.1 one a=crypto in an answer")
                    }
                }
            }
            guard let output else { continue }
            let g = try golden.golden("\(stem).out.sdp", output.printed)
            #expect(g.actual == g.expected, "\(golden.name)/\(stem).out.sdp")

            // What Palisade wrote must parse back and name only Palisade.
            let reparsed = try SessionDescription(parsing: output.printed)
            try reparsed.validate()
            let ownAddress = (to == .a ? golden.policyA : golden.policyB).advertisedAddress
            let found = SDPAddressScan.findings(in: reparsed)
            for finding in found {
                #expect(finding.value.lowercased() == ownAddress.lowercased(),
                        "\(golden.name)/\(stem): \(finding) is not Palisade's address toward leg \(to)")
            }
            let leaked = SDPAddressScan.values(in: reparsed).intersection(peerValues[from, default: []])
            #expect(leaked.isEmpty, "\(golden.name)/\(stem): leaked \(leaked)")
            let origin = try #require(reparsed.origin)
            #expect(origin.username == "palisade")
            #expect(origin.sessionID == (to == .a ? "1001" : "2002"))
            for section in reparsed.media {
                for c in try section.cryptos() {
                    for k in c.keys {
                        #expect(!peerKeys.contains(k.keySalt), "\(golden.name)/\(stem): a peer's key was carried across")
                        #expect(k.encoded.count % 4 == 0, "\(golden.name)/\(stem): SDES key not base64-padded")
                        #expect(k.lifetime == nil && k.mki == nil)
                    }
                }
            }
        }
    }
}
