import RTP
import Testing

/// Runs `body` over a copy of `bytes` the test owns for the call's duration.
func withPacket<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try bytes.withUnsafeBytes { try body($0) }
}

func parseRTP(_ bytes: [UInt8]) -> Result<(seq: UInt16, ts: UInt32, ssrc: UInt32, pt: UInt8, marker: Bool,
                                           header: Int, payload: [UInt8]), RTPParseError> {
    withPacket(bytes) { raw in
        do throws(RTPParseError) {
            let view = try RTPHeaderView(raw)
            return .success((view.sequenceNumber, view.timestamp, view.ssrc, view.payloadType, view.marker,
                             view.headerLength, Array(view.payload)))
        } catch {
            return .failure(error)
        }
    }
}

func parseError(_ bytes: [UInt8]) -> RTPParseError? {
    if case .failure(let error) = parseRTP(bytes) { return error }
    return nil
}

let minimalHeader: [UInt8] = [0x80, 0x00, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04]

@Suite("RTP header view")
struct RTPHeaderViewTests {
    @Test("RFC 3550 §5.1 fixed header fields in network byte order")
    func fixedHeader() throws {
        let parsed = try parseRTP(minimalHeader + [0xAA, 0xBB]).get()
        #expect(parsed.seq == 0x1234)
        #expect(parsed.ts == 0xDEAD_BEEF)
        #expect(parsed.ssrc == 0x0102_0304)
        #expect(parsed.pt == 0)
        #expect(!parsed.marker)
        #expect(parsed.header == 12)
        #expect(parsed.payload == [0xAA, 0xBB])
    }

    @Test("RFC 3550 §5.1 marker bit and payload type share the second octet")
    func markerAndPayloadType() throws {
        var bytes = minimalHeader
        bytes[1] = 0x80 | 111
        let parsed = try parseRTP(bytes).get()
        #expect(parsed.marker)
        #expect(parsed.pt == 111)
    }

    @Test("RFC 3550 §5.1 CSRC list of CC entries follows the fixed header")
    func csrcList() throws {
        var bytes = minimalHeader + [0, 0, 0, 7, 0, 0, 0, 9, 0x55]
        bytes[0] = 0x82
        try withPacket(bytes) { raw in
            let view = try RTPHeaderView(raw)
            #expect(view.csrcCount == 2)
            #expect(view.csrc(0) == 7)
            #expect(view.csrc(1) == 9)
            #expect(view.headerLength == 20)
            #expect(Array(view.payload) == [0x55])
        }
    }

    @Test("RFC 3550 §5.3.1 header extension length counts 32-bit words after its own word")
    func headerExtension() throws {
        var bytes = minimalHeader + [0xBE, 0xDE, 0x00, 0x01, 1, 2, 3, 4, 0x66]
        bytes[0] = 0x90
        let parsed = try parseRTP(bytes).get()
        #expect(parsed.header == 20)
        #expect(parsed.payload == [0x66])
    }

    @Test("RFC 3550 §5.1 padding: the last octet counts the padding, itself included")
    func padding() throws {
        var bytes = minimalHeader + [0x11, 0x22, 0, 0, 3]
        bytes[0] = 0xA0
        let parsed = try parseRTP(bytes).get()
        #expect(parsed.payload == [0x11, 0x22])
    }

    /// `minimalHeader` with its first octet replaced and `tail` appended.
    static func header(first: UInt8, tail: [UInt8] = []) -> [UInt8] {
        var bytes = minimalHeader
        bytes[0] = first
        return bytes + tail
    }

    static let malformedCases: [([UInt8], RTPParseError)] = [
        (Array(minimalHeader.prefix(11)), .tooShort(needed: 12, have: 11)),
        ([], .tooShort(needed: 12, have: 0)),
        (header(first: 0x40), .wrongVersion(1)),
        (header(first: 0x00), .wrongVersion(0)),
        (header(first: 0xC0), .wrongVersion(3)),
        (header(first: 0x83, tail: [0, 0, 0, 1]), .tooShort(needed: 24, have: 16)),
        (header(first: 0x90, tail: [0xBE, 0xDE]), .tooShort(needed: 16, have: 14)),
        (header(first: 0x90, tail: [0xBE, 0xDE, 0x00, 0x02, 1, 2, 3, 4]), .tooShort(needed: 24, have: 20)),
        (header(first: 0xA0, tail: [0x11, 0]), .badPadding(0)),
        (header(first: 0xA0, tail: [0x11, 9]), .badPadding(9)),
    ]

    @Test("malformed headers name what is wrong", arguments: malformedCases)
    func malformed(bytes: [UInt8], expected: RTPParseError) {
        #expect(parseError(bytes) == expected)
    }

    @Test("a truncated packet is rejected at every length below the header, byte by byte")
    func dripFed() {
        let full = minimalHeader
        for length in 0..<full.count {
            #expect(parseError(Array(full.prefix(length))) == .tooShort(needed: 12, have: length))
        }
        #expect(parseError(full) == nil)
    }
}

@Suite("RTCP header view and RFC 5761 demultiplexing")
struct RTCPHeaderViewTests {
    // A receiver report with no report blocks: V=2, RC=0, PT=201, length=1 (8 bytes), SSRC.
    let emptyReceiverReport: [UInt8] = [0x80, 201, 0x00, 0x01, 0x0A, 0x0B, 0x0C, 0x0D]

    @Test("RFC 3550 §6.4.2 empty RR: type, count, sender SSRC, length in words minus one")
    func receiverReport() throws {
        try withPacket(emptyReceiverReport) { raw in
            let view = try RTCPHeaderView(raw)
            #expect(view.packetType == 201)
            #expect(view.count == 0)
            #expect(view.senderSSRC == 0x0A0B_0C0D)
            #expect(view.firstPacketLength == 8)
        }
    }

    @Test("RTCP with a wrong version, too short, or a length beyond the datagram is rejected")
    func malformed() {
        func error(_ bytes: [UInt8]) -> RTPParseError? {
            withPacket(bytes) { raw -> RTPParseError? in
                do throws(RTPParseError) {
                    _ = try RTCPHeaderView(raw)
                    return nil
                } catch {
                    return error
                }
            }
        }
        #expect(error([0x40] + Array(emptyReceiverReport.dropFirst())) == .wrongVersion(1))
        #expect(error(Array(emptyReceiverReport.prefix(7))) == .tooShort(needed: 8, have: 7))
        #expect(error([0x80, 200, 0x00, 0x06, 1, 2, 3, 4]) == .tooShort(needed: 28, have: 8))
    }

    @Test("RFC 5761 §4: second octet 192–223 is RTCP, everything else RTP", arguments: [
        (UInt8(0), MultiplexedPacketKind.rtp), (96, .rtp), (127, .rtp), (128, .rtp), (191, .rtp),
        (192, .rtcp), (200, .rtcp), (201, .rtcp), (206, .rtcp), (223, .rtcp), (224, .rtp), (255, .rtp),
    ])
    func demultiplex(secondOctet: UInt8, kind: MultiplexedPacketKind) {
        #expect(MultiplexedPacketKind.classify(secondOctet: secondOctet) == kind)
    }
}
