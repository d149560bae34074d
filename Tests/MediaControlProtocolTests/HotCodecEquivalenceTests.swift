import Foundation
@testable @_spi(FoundationCoder) import MediaControlProtocol
import TestSupport
import Testing

/// The hand-written codec of the call path (`HotMessageCoding`, `JSONTape`) against the Foundation
/// coder it replaces (`ControlCodec.foundationEncode`/`foundationDecode`, JSONEncoder/JSONDecoder):
/// the same bytes out, the same values in, the same failure codes and ids on damaged input.
@Suite("Hot control messages: hand-written codec ≡ Foundation coder")
struct HotCodecEquivalenceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/v1")

    static func fixtures() throws -> [(name: String, bytes: [UInt8])] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { name in
                let stored = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
                return (String(name.dropLast(5)), Array(stored.last == 0x0A ? stored.dropLast() : stored[...]))
            }
    }

    /// The fixtures of the messages every call exchanges: all of them must take the hand-written path.
    static let hotFixtures: Set<String> = [
        "create-session-request", "create-session-reply", "update-session-request", "update-session-reply",
        "delete-session-request", "delete-session-reply", "query-session-request", "query-session-reply",
        "ping-request", "ping-reply", "status-request", "process-metrics-request", "list-sessions-request",
        "hello-version-mismatch", "firewall-disabled", "ports-exhausted", "id-reused", "handshake-required",
        "unknown-command",
    ]

    @Test("every fixture: the same value as JSONDecoder, re-encoded to the fixture's exact bytes")
    func fixturesBothWays() throws {
        var hot: Set<String> = []
        for (name, bytes) in try Self.fixtures() {
            let oracle = try ControlCodec.foundationDecode(bytes)
            let decoded = try ControlCodec.decode(bytes)
            #expect(decoded == oracle, "\(name)")
            #expect(ControlCodec.encode(decoded) == bytes, "\(name)")
            #expect(ControlCodec.foundationEncode(decoded) == bytes, "\(name)")
            var direct: [UInt8] = []
            if HotMessageCoding.encode(decoded, into: &direct) {
                hot.insert(name)
                #expect(direct == bytes, "\(name)")
                // And the hand-written decoder, not the JSONDecoder fallback, read it.
                let tape = try JSONTape(scanning: bytes)
                let kind = tape.string(try #require(tape.member(tape.root, "kind")))
                #expect(try HotMessageCoding.decode(tape, kind: kind) == oracle, "\(name)")
            } else {
                #expect(direct.isEmpty)
            }
        }
        #expect(hot == Self.hotFixtures)
    }

    @Test("seeded random values: the same bytes as JSONEncoder, the same values as JSONDecoder",
          arguments: [1, 2, 3, 0xC0FFEE] as [UInt64])
    func randomValues(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for round in 0..<150 {
            for message in Generator.messages(&random, id: UInt64(round)) {
                var fast: [UInt8] = []
                guard HotMessageCoding.encode(message, into: &fast) else {
                    Issue.record("not encoded by the hand-written codec: \(message)")
                    return
                }
                let oracle = ControlCodec.foundationEncode(message)
                guard fast == oracle else {
                    Issue.record("""
                        seed \(seed) round \(round): bytes differ
                        fast:   \(String(decoding: fast, as: UTF8.self))
                        oracle: \(String(decoding: oracle, as: UTF8.self))
                        """)
                    return
                }
                let decoded = try ControlCodec.decode(fast)
                let decodedByOracle = try ControlCodec.foundationDecode(fast)
                guard decoded == message, decodedByOracle == message,
                      ControlCodec.foundationEncode(decoded) == fast else {
                    Issue.record("seed \(seed) round \(round): decoded differently from \(String(decoding: fast, as: UTF8.self))")
                    return
                }
            }
        }
    }

    @Test("mutated messages: both accept with equal values, or both refuse with the same code and id",
          arguments: [11, 12, 13, 14] as [UInt64])
    func mutations(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var bases = try Self.fixtures().filter { Self.hotFixtures.contains($0.name) }.map(\.bytes)
        for round in 0..<8 {
            bases += Generator.messages(&random, id: UInt64(round)).map { ControlCodec.foundationEncode($0) }
        }
        var disagreements = 0
        for _ in 0..<2500 {
            var input = bases[Int.random(in: 0..<bases.count, using: &random)]
            for _ in 0...Int.random(in: 0...2, using: &random) { Mutator.mutate(&input, &random) }
            if let problem = Self.compare(input) {
                disagreements += 1
                Issue.record("\(problem)\ninput: \(String(decoding: input, as: UTF8.self).debugDescription)")
                if disagreements > 5 { return }
            }
        }
    }

    @Test("garbage, every truncation and deep nesting are refused as malformed without a crash")
    func garbage() throws {
        for (_, bytes) in try Self.fixtures() {
            for length in 0..<bytes.count {
                let prefix = Array(bytes[..<length])
                #expect(throws: ControlCodec.DecodingFailure.self) { try ControlCodec.decode(prefix) }
                #expect(Self.compare(prefix) == nil)
            }
        }
        var random = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            let noise = (0..<Int.random(in: 0..<64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(Self.compare(noise) == nil)
            #expect(Self.compare(Array("{\"kind\":\"reply\",\"id\":3,\"ok\":".utf8) + noise) == nil)
        }
        for deep in [Array(repeating: UInt8(ascii: "["), count: 200_000),
                     Array(repeating: UInt8(ascii: "{"), count: 200_000),
                     Array(String(repeating: "{\"a\":", count: 100_000).utf8)] {
            do {
                _ = try ControlCodec.decode(deep)
                Issue.record("deep nesting accepted")
            } catch {
                #expect(error.failure.code == .malformed)
                #expect(error.id == nil)
            }
        }
        // At JSONDecoder's depth limit and just beyond it, inside an ignored member of a real request.
        for depth in [510, 511, 512] {
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let input = Array(#"{"command":"ping","extra":\#(nested),"id":7,"kind":"request"}"#.utf8)
            #expect(Self.compare(input) == nil, "depth \(depth)")
        }
    }

    @Test("numbers JSONDecoder converts, and those it refuses", arguments: [
        "-0", "0.0", "1.0", "1e2", "1E+2", "100e-2", "0.5", "1e-400", "1e400", "-1", "9007199254740993.5",
        "-9007199254740993.9", "18446744073709551615", "18446744073709551616", "18446744073709551615.5",
        "1.8446744073709551615e19", "1e19", "9223372036854775807", "9223372036854775808", "123e-2", "01", "1.", ".5",
        "+1", "0x10", "1e", "-", "2e-324", "5e-324", "4.9e-324", "1.7976931348623157e308", "1.7976931348623159e308",
        "123456789012345678901234567890", "0.1000000000000000055511151231257827", "1e-7", "100000000000000000000e-20",
    ])
    func numbers(text: String) {
        // An unsigned id, an Int port and a Double, each given the same literal.
        let inputs = [
            #"{"body":{"time":\#(text)},"command":"ping","id":7,"kind":"reply","ok":true}"#,
            #"{"command":"ping","id":\#(text),"kind":"request"}"#,
            #"{"body":{"session":"c","streams":[{"a":{"address":"a","interface":"i","rtcpPort":1,"rtpPort":\#(text)},"b":{"address":"a","interface":"i","rtcpPort":1,"rtpPort":2},"index":0}]},"command":"create-session","id":1,"kind":"reply","ok":true}"#,
        ]
        for input in inputs {
            #expect(Self.compare(Array(input.utf8)) == nil, "\(input)")
        }
    }

    @Test("keys: the first occurrence wins, escapes and unknown keys are read as JSONDecoder reads them", arguments: [
        #"{"command":"ping","id":7,"id":8,"kind":"request"}"#,
        #"{"command":"ping","id":7,"kin\u0064":"request"}"#,
        #"{"command":"ping","id":7,"kind":"request","kind":"reply"}"#,
        #"{"body":{"session":"a","session":5},"command":"delete-session","id":7,"kind":"request"}"#,
        #"{"body":{"session":"a\/b\u00e9\ud83d\ude00\u0000"},"command":"delete-session","id":7,"kind":"request","x":[null,{"y":-1.5e3}]}"#,
        #"{"error":{"code":"malformed","message":"x"},"id":3,"kind":"reply","ok":false,"body":7}"#,
        #"{"error":{"code":"nonsense","message":"x"},"id":3,"kind":"reply","ok":false}"#,
        #"{"error":{"code":"malformed"},"id":3,"kind":"reply","ok":false}"#,
        #"{"id":3,"kind":"reply","ok":"true"}"#,
        #"{"command":"ping","id":null,"kind":"request"}"#,
        #"{"command":"reboot","id":4,"kind":"request"}"#,
        #"{"command":"reboot","id":"4","kind":"request"}"#,
        #"{"command":5,"id":4,"kind":"request"}"#,
        #"{"body":{},"command":"reboot","id":4,"kind":"reply","ok":true}"#,
        #"{"command":"ping","id":4,"kind":"gossip"}"#,
        #"{"command":"ping","id":4,"kind":null}"#,
        "\u{FEFF}{\"command\":\"ping\",\"id\":7,\"kind\":\"request\"}",
        " \t\r\n{\"command\":\"ping\",\"id\":7,\"kind\":\"request\"} \n",
        "{\"command\":\"ping\",\"id\":7,\"kind\":\"request\"}\u{0C}",
        #"{"body":{"created":1,"session":"c","streams":[{"a":{"bytes":1,"drops":{"x":1,"x":"y"},"jitterMilliseconds":0,"lost":0,"packets":0},"b":{"bytes":1,"drops":{"x":null},"jitterMilliseconds":0,"lost":0,"packets":0},"index":0}]},"command":"delete-session","id":22,"kind":"reply","ok":true}"#,
        #"{"body":{"created":1,"session":"c","streams":[{"a":{"bytes":1,"drops":{"x":1,"x":"y"},"jitterMilliseconds":0,"lost":0,"packets":0,"latched":null,"lastPacketTime":null},"b":{"bytes":1,"drops":{},"jitterMilliseconds":0,"lost":0,"packets":0},"index":0}],"workers":null,"local":[]},"command":"query-session","id":22,"kind":"reply","ok":true}"#,
        #"{"body":{"session":"c","streams":[{"a":{"direction":"sideways","interface":"i","profile":{"kind":"rtp"},"rtcpMux":true,"strictSource":false},"b":{"direction":"sendrecv","interface":"i","profile":{"kind":"rtp"},"rtcpMux":true,"strictSource":false},"index":0}]},"command":"create-session","id":20,"kind":"request"}"#,
        #"{"body":{"session":"c","streams":[{"a":{"direction":"inactive","interface":"i","profile":{"kind":"zrtp"},"rtcpMux":true,"strictSource":false},"b":{"direction":"sendrecv","interface":"i","profile":{"kind":"srtp","suite":"S","localKey":null},"rtcpMux":true,"strictSource":false},"index":0}]},"command":"update-session","id":20,"kind":"request"}"#,
        #"{"body":{"session":"c","streams":[{"a":{"direction":"inactive","interface":"i","profile":{"kind":"srtp","suite":"S","localKey":null,"remote":null},"rtcpMux":true,"strictSource":false},"b":{"direction":"sendrecv","interface":"i","profile":{"kind":"srtp","suite":"S"},"rtcpMux":true,"strictSource":false},"index":0}]},"command":"update-session","id":20,"kind":"request"}"#,
        #"{"body":{"session":"c","streams":{}},"command":"create-session","id":20,"kind":"request"}"#,
        #"{"body":null,"command":"create-session","id":20,"kind":"request"}"#,
        #"{"command":"create-session","id":20,"kind":"request"}"#,
        #"[{"command":"ping","id":7,"kind":"request"}]"#,
        #"{"\uD800\u0041":1,"command":"ping","id":7,"kind":"request"}"#,
        #"{"command":"ping","id":7,"kind":"request","x":{"\uDC00\uD800":1,"\u":2}}"#,
        #"{"body":{"session":"\uD83D\uDE00\uDBFF\uDFFF\u0041"},"command":"query-session","id":7,"kind":"request"}"#,
        #""request""#,
        "",
    ])
    func keys(text: String) {
        #expect(Self.compare(Array(text.utf8)) == nil)
    }

    @Test("what JSONDecoder tolerates where it does not look is malformed (RFC 8259), with the id")
    func trailingComma() {
        for text in [#"{"command":"ping","id":7,"kind":"request",}"#, #"{"command":"ping","id":7,"kind":"request","x":[1,]}"#,
                     #"{"command":"ping","id":7,"kind":"request","x":01}"#, #"{"command":"ping","id":7,"kind":"request","x":1-2}"#,
                     #"{"command":"ping","id":7,"kind":"request","x":"\q"}"#, #"{"command":"ping","id":7,"kind":"request","x":"\ud800"}"#,
                     "{\"command\":\"ping\",\"id\":7,\"kind\":\"request\",\"x\":\"\u{1}\"}",
                     #"{"command":"ping","id":7,"kind":"request","x":{"\uzzzz":1}}"#] {
            #expect(throws: ControlCodec.DecodingFailure(id: 7, failure: ControlFailure(.malformed, ""))) {
                try ControlCodec.decode(Array(text.utf8))
            }
            #expect((try? ControlCodec.foundationDecode(Array(text.utf8))) != nil)
        }
    }

    /// nil when the two decoders agree on `input`; otherwise what differs. The one intended
    /// difference: input that is not strict JSON (a bad escape, UTF-8 or number, a trailing comma)
    /// where JSONDecoder does not look is refused here — as malformed, with the id JSONDecoder read.
    static func compare(_ input: [UInt8]) -> String? {
        let fast = Result { () throws(ControlCodec.DecodingFailure) in try ControlCodec.decode(input) }
        let oracle = Result { () throws(ControlCodec.DecodingFailure) in try ControlCodec.foundationDecode(input) }
        switch (fast, oracle) {
        case (.success(let a), .success(let b)):
            return a == b && ControlCodec.foundationEncode(a) == ControlCodec.foundationEncode(b) ? nil
                : "values differ: \(a) vs \(b)"
        case (.failure(let a), .failure(let b)):
            return a.id == b.id && a.failure.code == b.failure.code ? nil
                : "failures differ: \(a.id.map(String.init) ?? "nil") \(a.failure) vs \(b.id.map(String.init) ?? "nil") \(b.failure)"
        case (.success(let a), .failure(let b)):
            return "accepted \(a), JSONDecoder refused: \(b.failure)"
        case (.failure(let a), .success(let b)):
            let id: UInt64? = switch b {
            case .request(let request): request.id
            case .reply(let reply): reply.id
            case .event: nil
            }
            return a.failure.code == .malformed && a.failure.message.hasPrefix("not strict JSON") && a.id == id ? nil
                : "refused (\(a.failure)), JSONDecoder accepted \(b)"
        }
    }
}

/// Random values of the hot messages: odd strings, optionals present and absent, extreme numbers.
enum Generator {
    static let pieces: [String] = [
        "a", "Z", "0", " ", "-", "\"", "\\", "/", "\\/", "\u{0}", "\u{1}", "\u{8}", "\u{9}", "\u{A}", "\u{C}", "\u{D}",
        "\u{1F}", "\u{7F}", "é", "e\u{301}", "😀", "\u{2028}", "\u{FEFF}", "\u{FFFF}", "\u{10FFFF}", "\u{212A}", "中",
        "AES_CM_128_HMAC_SHA1_80", "d0RmdmcmVCNJVkFfM2Q4JE5FTzJtRyZ2Zzh0dGRN==", "203.0.113.7", "2001:db8::1",
    ]

    static func string(_ r: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...6, using: &r)).map { _ in pieces.randomElement(using: &r)! }.joined()
    }

    static func optional<T>(_ r: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> T? {
        Bool.random(using: &r) ? make(&r) : nil
    }

    static func int(_ r: inout SplitMix64) -> Int {
        switch Int.random(in: 0..<6, using: &r) {
        case 0: [Int.min, Int.max, 0, -1, 1, 65535].randomElement(using: &r)!
        case 1, 2: Int.random(in: 0...65535, using: &r)
        default: Int(bitPattern: UInt(r.next()))
        }
    }

    static func uint64(_ r: inout SplitMix64) -> UInt64 {
        switch Int.random(in: 0..<4, using: &r) {
        case 0: [UInt64.max, 0, 1, UInt64(Int64.max), 1 << 53 + 1].randomElement(using: &r)!
        case 1: UInt64.random(in: 0...1_000_000, using: &r)
        default: r.next()
        }
    }

    static func double(_ r: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<6, using: &r) {
        case 0:
            return [0, -0.0, 1, 1e15, 1e16, 1e21, 1e-5, 1e-4, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                    .leastNormalMagnitude, 1_700_000_030.49, 0.1 + 0.2, 9_007_199_254_740_994].randomElement(using: &r)!
        case 1: return Double(Int.random(in: 1_600_000_000_00...1_900_000_000_00, using: &r)) / 100
        case 2: return Double(Int.random(in: 0...100_000, using: &r)) / 1000
        case 3: return Double(int(&r))
        default:
            // Any finite bit pattern.
            while true {
                let value = Double(bitPattern: r.next())
                if value.isFinite { return value }
            }
        }
    }

    static func endpoint(_ r: inout SplitMix64) -> Endpoint { Endpoint(address: string(&r), port: int(&r)) }

    static func legSpec(_ r: inout SplitMix64) -> LegSpec {
        let profile: LegProfile = Bool.random(using: &r) ? .rtp
            : .srtp(suite: string(&r), localKey: optional(&r, string), remoteKey: optional(&r, string))
        return LegSpec(interface: string(&r), rtcpMux: Bool.random(using: &r), remote: optional(&r, endpoint),
                       remoteRTCP: optional(&r, endpoint), profile: profile,
                       direction: MediaDirection.allCases.randomElement(using: &r)!, strictSource: Bool.random(using: &r))
    }

    static func legAllocation(_ r: inout SplitMix64) -> LegAllocation {
        LegAllocation(interface: string(&r), address: string(&r), rtpPort: int(&r), rtcpPort: int(&r),
                      suite: optional(&r, string), localKey: optional(&r, string))
    }

    static func streamAllocation(_ r: inout SplitMix64) -> StreamAllocation {
        StreamAllocation(index: int(&r), a: legAllocation(&r), b: legAllocation(&r))
    }

    static func legStatistics(_ r: inout SplitMix64) -> LegStatistics {
        var drops: [String: UInt64] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &r) { drops[string(&r)] = uint64(&r) }
        return LegStatistics(packets: uint64(&r), bytes: uint64(&r), drops: drops, lost: uint64(&r),
                             jitterMilliseconds: double(&r), lastPacketTime: optional(&r, double),
                             latched: optional(&r, endpoint), latchReason: optional(&r, string))
    }

    static func count(_ r: inout SplitMix64) -> Int { Int.random(in: 0...3, using: &r) }

    static func messages(_ r: inout SplitMix64, id: UInt64) -> [ControlMessage] {
        let spec = SessionSpec(session: string(&r), streams: (0..<count(&r)).map { _ in
            StreamSpec(index: int(&r), a: legSpec(&r), b: legSpec(&r))
        })
        let allocation = SessionAllocation(session: string(&r), streams: (0..<count(&r)).map { _ in streamAllocation(&r) })
        let statistics = SessionStatistics(
            session: string(&r), created: double(&r),
            streams: (0..<count(&r)).map { _ in StreamStatistics(index: int(&r), a: legStatistics(&r), b: legStatistics(&r)) },
            local: optional(&r) { r in (0..<count(&r)).map { _ in streamAllocation(&r) } },
            workers: optional(&r) { r in (0..<count(&r)).map { _ in int(&r) } })
        let id = Bool.random(using: &r) ? id : uint64(&r)
        let failure = ControlFailure([ControlFailure.Code.malformed, .sessionNotFound, .portsExhausted, .invalidSpec,
                                      .internalError, .unknownCommand].randomElement(using: &r)!, string(&r))
        return [
            .request(ControlRequest(id: id, .createSession(spec))),
            .request(ControlRequest(id: id, .updateSession(spec))),
            .request(ControlRequest(id: id, .deleteSession(SessionReference(session: string(&r))))),
            .request(ControlRequest(id: id, .querySession(SessionReference(session: string(&r))))),
            .request(ControlRequest(id: id, [.ping, .status, .processMetrics, .listSessions].randomElement(using: &r)!)),
            .reply(.success(id: id, .created(allocation))),
            .reply(.success(id: id, .updated(allocation))),
            .reply(.success(id: id, .deleted(statistics))),
            .reply(.success(id: id, .queried(statistics))),
            .reply(.success(id: id, .pong(Pong(time: double(&r))))),
            .reply(.failure(id: id, failure)),
        ]
    }
}

/// Damage to a valid message: a byte changed, removed or inserted, a cut, a span repeated, a number
/// rewritten in another JSON spelling.
enum Mutator {
    static let bytes: [UInt8] = Array(#"{}[],:"\/0123456789-+.eEtrufalsn xu"#.utf8) + [0x00, 0x09, 0x0C, 0x7F, 0x80, 0xC3, 0xED, 0xFF]
    static let insertions: [String] = [
        ",", "\"", "\\u0041", "\\uD800", "\\uDC00", "null", "1e2", ".5", "-", "{", "[", "]", "}", ",\"x\":1", " ",
        "\u{FEFF}", "é", ":", "true",
    ]
    static let numbers: [String] = [
        "-0", "1.0", "1e2", "1E+2", "9007199254740993.5", "18446744073709551615", "18446744073709551616", "-1",
        "1e400", "1e-400", "0.5", "100e-2", "01", "-9223372036854775808", "1.5e308", "2e-324", "0.0",
    ]

    static func mutate(_ input: inout [UInt8], _ r: inout SplitMix64) {
        guard !input.isEmpty else {
            input = Array(insertions.randomElement(using: &r)!.utf8)
            return
        }
        let at = Int.random(in: 0..<input.count, using: &r)
        switch Int.random(in: 0..<7, using: &r) {
        case 0: input[at] = bytes.randomElement(using: &r)!
        case 1: input.remove(at: at)
        case 2: input.insert(contentsOf: Array(insertions.randomElement(using: &r)!.utf8), at: at)
        case 3: input.removeSubrange(at...)
        case 4:
            let end = min(input.count, at + Int.random(in: 1...40, using: &r))
            input.insert(contentsOf: input[at..<end], at: at)
        default:
            // Rewrite the number at or after `at`.
            guard let start = input[at...].firstIndex(where: { $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) })
            else { return }
            let end = input[start...].firstIndex { !Array("-+.eE0123456789".utf8).contains($0) } ?? input.count
            input.replaceSubrange(start..<end, with: Array(numbers.randomElement(using: &r)!.utf8))
        }
    }
}
