import Foundation
import Testing
@testable import SIPMessage

/// Every input `scripts/fuzz` ever found stays here: parsing, checking, printing and framing it
/// must not crash, and the invariants the fuzz targets assert must hold.
@Suite("Fuzz crashers stay fixed")
struct FuzzCrasherTests {
    static let crashers: [String] = (try? FileManagerListing.names(in: "fuzz-crashers", suffix: ".sip")) ?? []

    @Test("The crasher folder is in place")
    func folderExists() throws {
        #expect(try FileManagerListing.names(in: "fuzz-crashers", suffix: "README") == ["README"])
    }

    @Test("Parser and printer invariants", arguments: crashers)
    func parser(_ name: String) throws {
        let bytes = try SIPFixtures.bytes("fuzz-crashers/\(name)")
        _ = checkSIPMessage(bytes)
        guard let message = try? SIPMessage(parsing: bytes) else { return }
        _ = (message.vias, message.contacts, message.from, message.to, message.requestURI)
        #expect(message.printed == Array(bytes[..<message.bodyRange.upperBound]))
        var edited = message
        edited.prependHeader("Via", "SIP/2.0/UDP 203.0.113.1;branch=z9hG4bKfuzz")
        edited.setBody(Array("v=0\r\n".utf8))
        // An edit may push a message past the limits (one more header): reparse without them.
        let unlimited = SIPLimits(maxMessageSize: .max, maxHeaderCount: .max)
        #expect(try SIPMessage(parsing: edited.printed, limits: unlimited).contentLength == 5)
    }

    @Test("Framer invariants", arguments: crashers)
    func framer(_ name: String) throws {
        let bytes = try SIPFixtures.bytes("fuzz-crashers/\(name)")
        var framer = SIPStreamFramer(limits: SIPLimits(maxMessageSize: 4096, maxHeaderCount: 32))
        for b in bytes {
            framer.append(CollectionOfOne(b))
            while let frame = framer.next() {
                if case .error = frame { return }
            }
            #expect(framer.bufferedCount <= 4097)
        }
    }
}
