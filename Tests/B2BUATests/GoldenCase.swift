import B2BUA
import Foundation
import MediaControlProtocol
import SDP
import Testing

/// Golden "SDP in → SDP out" cases (rtpengine style). A case is a folder under `Fixtures/`
/// whose files are the steps of one call, in name order:
///
///     NN-offer-a.sdp        an offer received on leg A (or -b)
///     NN-offer-a.out.sdp    the offer Palisade writes for the other leg (golden)
///     NN-offer-a.spec.json  the SessionSpec asked of the media plane (golden)
///     NN-offer-a.reject.txt instead of the two above: 488 and the Warning (golden)
///     NN-answer-b.sdp       the answer received from the other leg
///     NN-answer-b.out.sdp   the answer Palisade writes back (golden)
///     NN-answer-b.spec.json the SessionSpec after the answer (golden)
///
/// The realm policies of each case are in `GoldenCase.all`. With B2BUA_RECORD=1 in the
/// environment the goldens are written instead of compared (review them before committing).
struct GoldenCase: Sendable, CustomTestStringConvertible {
    var name: String
    var policyA: RealmMediaPolicy
    var policyB: RealmMediaPolicy

    var testDescription: String { name }

    static let palisadeAccess = "203.0.113.10"
    static let palisadeCore = "203.0.113.20"
    static let palisadeAccess6 = "2001:db8:ffff::10"

    static func access(_ srtp: SRTPPolicy, _ suites: [SDPCryptoSuite] = [.aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32],
                       address: String = palisadeAccess) -> RealmMediaPolicy {
        RealmMediaPolicy(interface: "access", advertisedAddress: address, srtp: srtp, suites: suites)
    }

    static func core(_ srtp: SRTPPolicy, _ suites: [SDPCryptoSuite] = [.aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32])
        -> RealmMediaPolicy {
        RealmMediaPolicy(interface: "core", advertisedAddress: palisadeCore, srtp: srtp, suites: suites)
    }

    static let all: [GoldenCase] = [
        GoldenCase(name: "srtp-phone-to-rtp-core", policyA: access(.required), policyB: core(.rtpOnly)),
        GoldenCase(name: "srtp-both-legs-gcm-unpadded",
                   policyA: access(.required, [.aeadAES128GCM, .aes256CMHMACSHA1_80, .aesCM128HMACSHA1_80]),
                   policyB: core(.required)),
        GoldenCase(name: "srtp-optional-core-answers-rtp", policyA: access(.required), policyB: core(.optional)),
        GoldenCase(name: "webrtc-ipv6-phone", policyA: access(.required, address: palisadeAccess6), policyB: core(.rtpOnly)),
        GoldenCase(name: "rtp-only-realm-refuses-srtp", policyA: access(.rtpOnly), policyB: core(.rtpOnly)),
        GoldenCase(name: "srtp-required-refuses-rtp", policyA: access(.required), policyB: core(.rtpOnly)),
        GoldenCase(name: "no-acceptable-crypto-suite", policyA: access(.required), policyB: core(.rtpOnly)),
        GoldenCase(name: "no-audio-or-video", policyA: access(.optional), policyB: core(.rtpOnly)),
        GoldenCase(name: "hold-resume", policyA: access(.required), policyB: core(.rtpOnly)),
        GoldenCase(name: "rekey-and-refresh", policyA: access(.required), policyB: core(.rtpOnly)),
        GoldenCase(name: "stream-added-removed", policyA: access(.required), policyB: core(.rtpOnly)),
    ]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var recording: Bool { ProcessInfo.processInfo.environment["B2BUA_RECORD"] == "1" }

    var folder: URL { Self.directory.appendingPathComponent(name) }

    func inputs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sdp") && !$0.hasSuffix(".out.sdp") }.sorted()
    }

    func read(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(file)))
    }

    func exists(_ file: String) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path)
    }

    /// Compares `actual` with the golden file, or writes it when recording.
    func golden(_ file: String, _ actual: [UInt8]) throws -> (expected: String, actual: String) {
        let url = folder.appendingPathComponent(file)
        if Self.recording {
            try Data(actual).write(to: url)
        }
        let expected = (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) } ?? "<missing \(file)>"
        return (expected, String(decoding: actual, as: UTF8.self))
    }

    static func json(_ spec: SessionSpec) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(spec)) + [0x0A]
    }
}
