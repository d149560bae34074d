import Testing
@testable import SIPMessage

@Suite("Stream framing for TCP and TLS (RFC 3261 §18.3, RFC 5626 §4.4.1)")
struct SIPStreamFramerTests {
    static let invite = Array(sampleInvite.utf8)
    static let options = Array("OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\nl: 0\r\n\r\n".utf8)

    /// Feeds `chunks` and collects every frame.
    func frames(_ chunks: [ArraySlice<UInt8>], limits: SIPLimits = .default) -> [SIPStreamFramer.Frame] {
        var framer = SIPStreamFramer(limits: limits)
        var out: [SIPStreamFramer.Frame] = []
        for chunk in chunks {
            framer.append(chunk)
            while let f = framer.next() {
                out.append(f)
                if case .error = f { return out }
            }
        }
        return out
    }

    @Test("Split at every byte position, two pieces")
    func everySplitPoint() {
        let stream = Self.invite + Self.options
        for split in 0...stream.count {
            let got = frames([stream[..<split], stream[split...]])
            #expect(got == [.message(Self.invite), .message(Self.options)], "split at \(split)")
        }
    }

    @Test("One byte at a time")
    func oneByteAtATime() {
        let stream = Self.invite + Array("\r\n\r\n".utf8) + Self.options
        let got = frames(stream.indices.map { stream[$0...$0] })
        #expect(got == [.message(Self.invite), .ping, .message(Self.options)])
    }

    @Test("Pipelined messages in one read, with keepalives between them")
    func pipelined() {
        let ping = Array("\r\n\r\n".utf8)
        let stream = ping + Self.options + Self.invite + ping + Self.options + Self.options
        let got = frames([stream[...]])
        #expect(got == [.ping, .message(Self.options), .message(Self.invite), .ping, .message(Self.options), .message(Self.options)])
    }

    @Test("RFC 5626 §4.4.1 a lone CRLF is a pong once we sent a ping")
    func pong() {
        var framer = SIPStreamFramer()
        framer.pingSent()
        framer.append(Array("\r\n".utf8))
        #expect(framer.next() == .pong)
        framer.append(Self.options)
        #expect(framer.next() == .message(Self.options))
    }

    @Test("RFC 3261 §7.5 a stray CRLF before a start line is skipped")
    func strayCRLF() {
        #expect(frames([(Array("\r\n".utf8) + Self.options)[...]]) == [.message(Self.options)])
    }

    @Test("Content-Length is mandatory on a stream (RFC 3261 §18.3)")
    func missingContentLength() {
        let bytes = Array("OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1\r\n\r\n".utf8)
        guard case .error(let e) = frames([bytes[...]]).last else { Issue.record("expected error"); return }
        #expect(e.code == .missingContentLength)
    }

    @Test("Beyond the size limit: refused and nothing more buffered")
    func sizeLimit() {
        let limits = SIPLimits(maxMessageSize: 1024)
        // A header section that never ends.
        var framer = SIPStreamFramer(limits: limits)
        framer.append(Array("OPTIONS sip:a@example.com SIP/2.0\r\n".utf8))
        var result: SIPStreamFramer.Frame?
        for _ in 0..<200 where result == nil {
            framer.append(Array("X-Filler: 0123456789\r\n".utf8))
            result = framer.next()
        }
        #expect(result == .error(SIPMessageError(.messageTooLarge)))
        #expect(framer.bufferedCount == 0)
        framer.append(Self.options)
        #expect(framer.next() == .error(SIPMessageError(.messageTooLarge)))
        // A Content-Length that promises too much is refused before the body arrives.
        let big = Array("MESSAGE sip:a@example.com SIP/2.0\r\nContent-Length: 5000\r\n\r\n".utf8)
        #expect(frames([big[...]], limits: limits) == [.error(SIPMessageError(.messageTooLarge))])
    }

    @Test("Beyond the header count limit: refused")
    func headerLimit() {
        let many = (0..<50).map { "X-\($0): v\r\n" }.joined()
        let bytes = Array("OPTIONS sip:a@example.com SIP/2.0\r\n\(many)l: 0\r\n\r\n".utf8)
        #expect(frames([bytes[...]], limits: SIPLimits(maxHeaderCount: 20)) == [.error(SIPMessageError(.tooManyHeaders))])
        #expect(frames([bytes[...]], limits: SIPLimits(maxHeaderCount: 60)) == [.message(bytes)])
    }

    @Test("RFC 3261 §7.3.1 a folded Content-Length still frames")
    func foldedContentLength() {
        let bytes = Array("MESSAGE sip:a@example.com SIP/2.0\r\nContent-Length:\r\n  5\r\n\r\nhello".utf8)
        #expect(frames([bytes[...]]) == [.message(bytes)])
    }

    @Test("Every accepted torture fixture frames as exactly itself", arguments: TortureCorpusTests.cases.filter { $0.expectation == .accept && !$0.knownGap })
    func tortureFrames(_ c: TortureCase) throws {
        let bytes = try SIPFixtures.bytes("torture/\(c.name).sip")
        let message = try SIPMessage(parsing: bytes)
        guard message.field(.contentLength) != nil else { return }
        let expected = Array(bytes[..<message.bodyRange.upperBound])
        let got = frames(expected.indices.map { expected[$0...$0] })
        #expect(got == [.message(expected)])
    }

    @Test("Framed messages parse as stream messages")
    func framedParse() throws {
        guard case .message(let bytes) = frames([Self.invite[...]]).first else { Issue.record("no frame"); return }
        let m = try SIPMessage(parsing: bytes, framing: .stream)
        try m.validate()
        #expect(m.method == .invite)
    }
}
