import Foundation
import TestSupport
import Testing
@testable import SIPMessage

/// The parts of a message two parses must agree on.
struct MessageShape: Equatable {
    let startLine: String
    let fields: [String]
    let body: [UInt8]

    init(_ m: SIPMessage) {
        startLine = ASCII.string(m.bytes[..<m.startLineEnd])
        fields = m.fields.map { "\($0.name):\(ASCII.string(m.name(of: $0)).lowercased())=\(ASCII.string(m.value(of: $0)))" }
        body = Array(m.body)
    }
}

@Suite("Printing and editing (RFC 3261 §7, kamailio-style edit list)")
struct SIPEditingTests {
    @Test("replacingValue: the same message as printing the edit and parsing it again, for every field")
    func replacingValueMatchesReparse() throws {
        var generator = SplitMix64(seed: 7)
        let values: [[UInt8]] = [Array("x".utf8),
                                 Array("SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKabc;received=192.0.2.1;rport=5062".utf8)]
        var messages = [Array(sampleInvite.utf8)]
        for name in try FileManagerListing.names(in: "torture", suffix: ".sip") {
            messages.append(try SIPFixtures.bytes("torture/\(name)"))
        }
        var compared = 0
        for bytes in messages {
            guard let message = try? SIPMessage(parsing: bytes) else { continue }
            for field in message.fields {
                let value = values[Int(generator.next() % UInt64(values.count))]
                let replaced = try #require(message.replacingValue(of: field, with: value))
                var edited = message
                edited.replaceValue(of: field, with: String(decoding: value, as: UTF8.self))
                guard let reparsed = try? SIPMessage(parsing: edited.printed) else { continue }
                #expect(MessageShape(replaced) == MessageShape(reparsed), "\(ASCII.string(message.name(of: field)))")
                // Its index is exactly what parsing its own bytes gives (printing may drop what the
                // parser skips, such as CRLFs before the start line, so offsets are compared here).
                let own = try SIPMessage(parsing: replaced.bytes)
                #expect(replaced.fields == own.fields && replaced.headerEnd == own.headerEnd
                        && replaced.bodyRange == own.bodyRange && replaced.startLineEnd == own.startLineEnd,
                        "\(ASCII.string(message.name(of: field)))")
                compared += 1
            }
        }
        #expect(compared > 100)
        var edited = try SIPMessage(parsing: Array(sampleInvite.utf8))
        edited.removeField(try #require(edited.field(.maxForwards)))
        #expect(edited.replacingValue(of: try #require(edited.field(.via)), with: Array("x".utf8)) == nil)
        let untouched = try SIPMessage(parsing: Array(sampleInvite.utf8))
        let via = try #require(untouched.field(.via))
        #expect(untouched.replacingValue(of: via, with: []) == nil)
        #expect(untouched.replacingValue(of: via, with: Array(" x".utf8)) == nil)
        #expect(untouched.replacingValue(of: via, with: Array("x\r\n y".utf8)) == nil)
    }

    @Test("An untouched message prints byte-identical")
    func untouched() throws {
        let bytes = Array(sampleInvite.utf8)
        let m = try SIPMessage(parsing: bytes)
        #expect(!m.isEdited)
        #expect(m.printed == bytes)
    }

    @Test("New top Via, replaced Contact and body: every other byte copied verbatim, Content-Length right")
    func editedInvite() throws {
        var m = try SIPMessage(parsing: Array(sampleInvite.utf8))
        m.prependHeader("Via", "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKpalisade1")
        let contact = try #require(m.field(.contact))
        m.replaceValue(of: contact, with: "<sip:gw@203.0.113.1:5060>")
        let newBody = Array(sampleSDP.replacingOccurrences(of: "192.0.2.10", with: "203.0.113.1").utf8) + Array("a=rtcp-mux\r\n".utf8)
        m.setBody(newBody)
        let printed = m.printed
        let p = try SIPMessage(parsing: printed, framing: .stream)
        try p.validate()
        #expect(p.topVia?.branch == "z9hG4bKpalisade1")
        #expect(p.vias.count == 2)
        #expect(p.contacts.first?.uri.host?.string == "203.0.113.1")
        #expect(p.contentLength == newBody.count)
        #expect(Array(p.body) == newBody)
        #expect(p["X-Custom"] == "kept   exactly")
        // The untouched From line survives byte for byte, escapes and all.
        #expect(printed.firstRange(of: Array("From: \"Alice \\\"A\\\" Liddell\" <sip:alice@example.com>;tag=1928301774\r\n".utf8)) != nil)
    }

    @Test("A body edit adds Content-Length when the message had none (RFC 3261 §20.14)")
    func addsContentLength() throws {
        let text = "MESSAGE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nTo: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=1\r\nCall-ID: cl@example.com\r\nCSeq: 1 MESSAGE\r\n\r\n"
        var m = try SIPMessage(parsing: Array(text.utf8))
        m.setBody(Array("hello".utf8), contentType: "text/plain")
        let p = try SIPMessage(parsing: m.printed, framing: .stream)
        #expect(p.contentLength == 5)
        #expect(p.contentType == "text/plain")
        #expect(ASCII.string(p.body) == "hello")
    }

    @Test("Removing fields, setting a header, replacing the Request-URI")
    func removeAndSet() throws {
        var m = try SIPMessage(parsing: Array(sampleInvite.utf8))
        m.removeFields(.allow)
        m.setHeader(.maxForwards, "69")
        m.setRequestURI("sip:bob@198.51.100.20:5060")
        m.appendHeader("X-Palisade", "1")
        let p = try SIPMessage(parsing: m.printed)
        try p.validate()
        #expect(p.field(.allow) == nil)
        #expect(p.maxForwards == 69)
        #expect(p.requestURI?.host?.string == "198.51.100.20")
        #expect(p["X-Palisade"] == "1")
    }

    @Test("Overlapping edits: the first recorded wins")
    func overlap() throws {
        var m = try SIPMessage(parsing: Array(sampleInvite.utf8))
        let allow = try #require(m.field(.allow))
        m.removeField(allow)
        m.replaceValue(of: allow, with: "INVITE")
        #expect(try SIPMessage(parsing: m.printed).field(.allow) == nil)
    }

    @Test("A built message prints canonical SIP and parses back the same")
    func built() throws {
        let m = SIPMessage.request(.options, uri: "sip:bob@example.com", headers: [
            ("Via", "SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKbuilt"), ("Max-Forwards", "70"), ("To", "<sip:bob@example.com>"),
            ("From", "<sip:alice@example.com>;tag=7"), ("Call-ID", "built@example.com"), ("CSeq", "1 OPTIONS"),
        ])
        try m.validate()
        let text = ASCII.string(m.printed[...])
        #expect(text.hasPrefix("OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP"))
        #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))
        let r = SIPMessage.response(200, reason: "OK", headers: [("To", "<sip:bob@example.com>;tag=9")], body: Array("x".utf8))
        #expect(r.statusCode == 200)
        #expect(r.contentLength == 1)
        // Built and printed messages are kept by calls: one allocation near their size, not a
        // doubled buffer (the slack allowed is the room for Content-Length's digits).
        #expect(m.bytes.capacity - m.bytes.count < 48, "\(m.bytes.capacity) bytes for \(m.bytes.count)")
        let printed = m.printed
        #expect(printed.capacity - printed.count < 48, "\(printed.capacity) bytes for \(printed.count)")
        // Its field index too: six fields and Content-Length, not the 16 slots a parse reserves.
        #expect(m.fields.count == 7)
        #expect(m.fields.capacity < 10, "\(m.fields.capacity) field slots for 7")
        #expect(try SIPMessage(parsing: m.bytes).fields.capacity >= 16)
    }

    @Test("Property: parse → print → parse gives the same message, for generated messages", arguments: 0..<64)
    func roundTripProperty(_ seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed))
        let bytes = GeneratedMessage.make(using: &rng)
        let first = try SIPMessage(parsing: bytes)
        try first.validate()
        #expect(first.printed == bytes)
        var edited = first
        edited.prependHeader("Via", "SIP/2.0/UDP 203.0.113.9;branch=z9hG4bK\(seed)")
        edited.setBody(Array(repeating: UInt8(ascii: "a"), count: Int.random(in: 0..<40, using: &rng)), contentType: "application/sdp")
        let second = try SIPMessage(parsing: edited.printed)
        try second.validate()
        let third = try SIPMessage(parsing: second.printed)
        #expect(MessageShape(second) == MessageShape(third))
        #expect(second.vias.count == first.vias.count + 1)
    }
}

/// Random but valid requests: header order, case, compact forms, folding, whitespace all vary.
enum GeneratedMessage {
    static func make(using rng: inout SplitMix64) -> [UInt8] {
        func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
        func name(_ long: String, _ compact: String?) -> String {
            if let compact, Bool.random(using: &rng) { return compact }
            return Bool.random(using: &rng) ? long.uppercased() : long
        }
        func ws() -> String { pick(["", " ", "  ", "\t", "\r\n ", "\r\n\t"]) }
        let method = pick(["INVITE", "OPTIONS", "REGISTER", "BYE", "MESSAGE"])
        var headers = [
            "\(name("Via", "v")):\(ws()) SIP/2.0/\(pick(["UDP", "TCP", "TLS"])) \(pick(["192.0.2.1", "[2001:db8::1]", "host.example.com"])):\(Int.random(in: 1...65535, using: &rng));branch=z9hG4bK\(rng.next() % 100000)\(pick(["", ";rport", ";rport=5060"]))",
            "\(name("Max-Forwards", nil)): \(Int.random(in: 1...255, using: &rng))",
            "\(name("To", "t")): \(pick(["", "Bob ", "\"Bob, the \\\"B\\\"\" "]))<sip:bob@example.com>",
            "\(name("From", "f")):\(ws())<sip:alice@example.com>;tag=\(rng.next() % 1000)",
            "\(name("Call-ID", "i")): \(rng.next())@example.com",
            "\(name("CSeq", nil)): \(Int.random(in: 0...0x7fff_ffff, using: &rng))\(pick([" ", "\r\n "]))\(method)",
            "X-\(rng.next() % 100): \(pick(["opaque;;,,", "a, b, c", "\"quoted, value\""]))",
        ]
        if Bool.random(using: &rng) { headers.append("\(name("Contact", "m")): <sip:alice@192.0.2.1;transport=tcp>;expires=60, <sip:alice@198.51.100.1>") }
        headers.shuffle(using: &rng)
        let body = Bool.random(using: &rng) ? "hello body" : ""
        if !body.isEmpty { headers.append("\(name("Content-Type", "c")): application/sdp") }
        headers.append("\(name("Content-Length", "l")): \(body.utf8.count)")
        return Array("\(method) sip:bob@example.com SIP/2.0\r\n\(headers.joined(separator: "\r\n"))\r\n\r\n\(body)".utf8)
    }
}
