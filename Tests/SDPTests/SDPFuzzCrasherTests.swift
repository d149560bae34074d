import Foundation
import Testing
@testable import SDP

/// Every SDP input `scripts/fuzz` ever found stays here and must keep its invariants.
@Suite("SDP fuzz crashers stay fixed")
struct SDPFuzzCrasherTests {
    static let crashers: [String] = (try? SDPFixtures.names(in: "fuzz-crashers", withSuffix: ".sdp")) ?? []

    @Test("The crasher folder is in place")
    func folderExists() throws {
        #expect(try SDPFixtures.names(in: "fuzz-crashers", withSuffix: "README") == ["README"])
    }

    @Test("Round trip and typed access", arguments: crashers)
    func roundTrip(_ name: String) throws {
        let bytes = try SDPFixtures.bytes("fuzz-crashers/\(name)")
        guard let sdp = try? SessionDescription(parsing: bytes) else { return }
        #expect(sdp.printed == bytes)
        _ = try? sdp.validate()
        for section in sdp.media { _ = (section.media, try? section.cryptos()) }
    }
}
