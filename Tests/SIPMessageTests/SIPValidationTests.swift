import Foundation
import Testing
@testable import SIPMessage

/// Builds a request from `sampleInvite` with one line replaced (or removed when `with` is nil).
func mutated(_ line: String, with replacement: String?) -> [UInt8] {
    var lines = sampleInvite.components(separatedBy: "\r\n")
    if let k = lines.firstIndex(where: { $0.hasPrefix(line) }) {
        if let replacement { lines[k] = replacement } else { lines.remove(at: k) }
    }
    return Array(lines.joined(separator: "\r\n").utf8)
}

@Suite("Validation for an edge device")
struct SIPValidationTests {
    @Test("RFC 3261 §8.1.1 each mandatory header is required", arguments: ["Via", "To", "From", "Call-ID", "CSeq", "Max-Forwards"])
    func mandatory(_ header: String) {
        let verdict = checkSIPMessage(mutated(header + ":", with: nil))
        #expect(verdict.outcome == .reject(400))
        if case .reject(_, _, let code, let h, let offset) = verdict {
            #expect(code == .missingHeader)
            #expect(h == header)
            #expect(offset != nil)
        }
    }

    @Test("Faults map to status, reason, header", arguments: [
        ("CSeq:", "CSeq: 314159 BYE", 400, SIPMessageError.Code.cseqMethodMismatch, "CSeq"),
        ("CSeq:", "CSeq: 2147483648 INVITE", 400, .badScalar, "CSeq"),
        ("Max-Forwards:", "Max-Forwards: seventy", 400, .badScalar, "Max-Forwards"),
        ("Max-Forwards:", "Max-Forwards: 0", 483, .tooManyHops, "Max-Forwards"),
        ("Content-Length:", "Content-Length: \(sampleSDP.utf8.count)", 400, .contentLengthMismatch, nil),
        ("Content-Length:", "Content-Length: 9999", 400, .contentLengthMismatch, "Content-Length"),
        ("Content-Length:", "Content-Length: 99999", 513, .messageTooLarge, "Content-Length"),
        ("Content-Length:", "Content-Length: 1a", 400, .badScalar, "Content-Length"),
        ("From:", "From: \"Alice <sip:alice@example.com>;tag=1", 400, .unbalancedQuote, "From"),
        ("To:", "To: Bob sip:bob@example.com", 400, .badHeaderValue, "To"),
        ("INVITE sip:", "INVITE sip:bob@example.com SIP/3.0", 505, .unsupportedVersion, nil),
        ("INVITE sip:", "INVITE mailto:bob@example.com SIP/2.0", 416, .unsupportedURIScheme, nil),
        ("Content-Type:", "Content-Type: text/html", 415, .unsupportedMediaType, "Content-Type"),
        ("Contact:", "Contact: \"open <sip:alice@192.0.2.10>", 400, .unbalancedQuote, "Contact"),
        ("Via:", "Via: SIP/2.0/UDP", 400, .badHeaderValue, "Via"),
    ] as [(String, String, Int, SIPMessageError.Code, String?)])
    func faults(_ line: String, _ replacement: String, _ status: Int, _ code: SIPMessageError.Code, _ header: String?) throws {
        var bytes = mutated(line, with: replacement)
        if code == .contentLengthMismatch, header == nil {
            // A body shorter than promised: cut the body instead.
            bytes = Array(bytes.dropLast(5))
        }
        let verdict = checkSIPMessage(bytes)
        guard case .reject(let s, let reason, let c, let h, let offset) = verdict else {
            Issue.record("expected reject, got \(verdict)")
            return
        }
        #expect(s == status)
        #expect(c == code)
        #expect(reason == code.reasonPhrase)
        if let header { #expect(h == header) }
        #expect(offset != nil)
    }

    @Test("RFC 3261 §18.1.2 a faulty response is dropped, never answered")
    func responseDropped() {
        let text = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\nTo: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        guard case .drop(_, let code, let header, _) = checkSIPMessage(Array(text.utf8)) else {
            Issue.record("expected drop")
            return
        }
        #expect(code == .missingHeader)
        #expect(header == "Call-ID")
    }

    @Test("Unknown headers pass through whatever they hold (STYLE 13: not ours to judge)")
    func unknownHeadersUntouched() {
        #expect(checkSIPMessage(mutated("X-Custom:", with: "X-Custom: 5\" screen, \"odd")).outcome == .accept)
    }

    @Test("The verdict prints as palisadectl shows it")
    func verdictLine() {
        #expect(checkSIPMessage(Array(sampleInvite.utf8)).description == "accept")
        let line = checkSIPMessage(mutated("Max-Forwards:", with: "Max-Forwards: 0")).description
        #expect(line.hasPrefix("reject 483 Too Many Hops header Max-Forwards offset "))
    }

    @Test("Errors are equal on their code")
    func equality() {
        #expect(SIPMessageError(.badScalar, header: "CSeq", offset: 1) == SIPMessageError(.badScalar, header: "Max-Forwards", offset: 9))
        #expect(SIPMessageError(.badScalar) != SIPMessageError(.badHeaderValue))
    }

    @Test("SIPLimits: Proxy-Require accepted only for configured extensions (RFC 3261 §16.3 item 4)")
    func proxyRequire() {
        let bytes = mutated("X-Custom:", with: "Proxy-Require: sec-agree")
        #expect(checkSIPMessage(bytes).outcome == .reject(420))
        #expect(checkSIPMessage(bytes, limits: SIPLimits(supportedProxyExtensions: ["sec-agree"])).outcome == .accept)
    }

    @Test("SIPLimits: header count and message size", arguments: [1, 5])
    func limits(_ maxHeaders: Int) {
        let bytes = Array(sampleInvite.utf8)
        #expect(checkSIPMessage(bytes, limits: SIPLimits(maxHeaderCount: maxHeaders)).outcome == .reject(400))
        #expect(checkSIPMessage(bytes, limits: SIPLimits(maxMessageSize: 200)).outcome == .reject(513))
    }
}
