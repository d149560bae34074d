import SIPMessage
@testable import SIPCore

/// A manual clock: the origin is taken once, then time moves only when a test says so.
struct ManualClock {
    let origin: ContinuousClock.Instant
    private(set) var now: ContinuousClock.Instant

    init() {
        origin = ContinuousClock.now
        now = origin
    }

    /// The instant `offset` after the origin, for expected deadlines.
    func at(_ offset: Duration) -> ContinuousClock.Instant { origin + offset }

    /// Moves to `offset` after the origin (never backwards).
    mutating func set(_ offset: Duration) {
        precondition(origin + offset >= now, "a manual clock does not go backwards")
        now = origin + offset
    }
}

/// Fixture messages with documentation addresses (RFC 5737, RFC 2606).
enum Fixture {
    static func parse(_ text: String) -> SIPMessage {
        let bytes = Array(text.replacingCRLF.utf8)
        do {
            return try SIPMessage(parsing: bytes, framing: .datagram)
        } catch {
            preconditionFailure("fixture does not parse: \(error)\n\(text)")
        }
    }

    static func request(
        _ method: String, uri: String = "sip:bob@example.com", branch: String = "z9hG4bK776asdhds",
        sentBy: String = "192.0.2.10:5060", cseqMethod: String? = nil, cseq: Int = 314159, maxForwards: Int = 70,
        toTag: String? = nil, extraVia: Bool = false
    ) -> SIPMessage {
        parse("""
        \(method) \(uri) SIP/2.0
        Via: SIP/2.0/UDP \(sentBy);branch=\(branch)
        \(extraVia ? "Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKproxy1\n" : "")Max-Forwards: \(maxForwards)
        To: Bob <sip:bob@example.com>\(toTag.map { ";tag=\($0)" } ?? "")
        From: Alice <sip:alice@example.com>;tag=1928301774
        Call-ID: a84b4c76e66710@192.0.2.10
        CSeq: \(cseq) \(cseqMethod ?? method)
        Contact: <sip:alice@192.0.2.10>
        Content-Length: 0


        """)
    }

    static let invite = request("INVITE")
    static let options = request("OPTIONS", branch: "z9hG4bKopt1")
    static let bye = request("BYE", branch: "z9hG4bKbye1", cseq: 314160, toTag: "a6c85cf")

    /// A response to `request` with the To-tag a UAS would add.
    static func response(_ status: Int, to request: SIPMessage, toTag: String = "a6c85cf") -> SIPMessage {
        SIPResponseBuilder.response(to: request, status: status, toTag: toTag)
    }

    /// The ACK for a non-2xx INVITE response (RFC 3261 §17.2.3: same branch as the INVITE).
    static func ack(for request: SIPMessage = invite, branch: String = "z9hG4bK776asdhds") -> SIPMessage {
        Fixture.request("ACK", branch: branch, cseqMethod: "ACK", toTag: "a6c85cf")
    }
}

extension String {
    /// Fixtures are written with LF line ends; SIP wants CRLF.
    var replacingCRLF: String {
        var out = ""
        for ch in self {
            if ch == "\n" { out += "\r\n" } else { out.append(ch) }
        }
        return out
    }
}

extension SIPMessage {
    var text: String { String(decoding: printed, as: UTF8.self) }
}
