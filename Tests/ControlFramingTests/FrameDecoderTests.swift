import ControlFraming
import Testing

@Suite("Length-prefixed frames")
struct FrameDecoderTests {
    static let payloads: [[UInt8]] = [Array("{\"a\":1}".utf8), [], Array(repeating: 0x41, count: 300), [0, 1, 2]]
    static let stream: [UInt8] = payloads.reduce(into: []) { Frame.encode($1, into: &$0) }

    @Test("a frame is a 4-byte big-endian length and the payload")
    func encoding() {
        #expect(Frame.encode([0xAA, 0xBB]) == [0, 0, 0, 2, 0xAA, 0xBB])
        #expect(Frame.encode(Array(repeating: 0, count: 0x0102_03)).prefix(4) == [0, 1, 2, 3])
    }

    @Test("pipelined frames in one read come out whole and in order")
    func pipelined() throws {
        var decoder = FrameDecoder()
        decoder.append(Self.stream)
        var out: [[UInt8]] = []
        while let payload = try decoder.next() { out.append(payload) }
        #expect(out == Self.payloads)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("split at every byte offset, and drip-fed one byte at a time")
    func everySplit() throws {
        for split in 0...Self.stream.count {
            var decoder = FrameDecoder()
            var out: [[UInt8]] = []
            decoder.append(Self.stream[..<split])
            while let payload = try decoder.next() { out.append(payload) }
            decoder.append(Self.stream[split...])
            while let payload = try decoder.next() { out.append(payload) }
            #expect(out == Self.payloads, "split at \(split)")
        }
        var decoder = FrameDecoder()
        var out: [[UInt8]] = []
        for byte in Self.stream {
            decoder.append([byte])
            while let payload = try decoder.next() { out.append(payload) }
        }
        #expect(out == Self.payloads)
    }

    @Test("an announced length over the maximum is refused before anything is buffered for it")
    func tooLarge() {
        var decoder = FrameDecoder(maximumPayload: 16)
        decoder.append([0, 0, 0, 17])
        #expect(throws: FrameError(code: .tooLarge, announcedLength: 17, maximum: 16)) { try decoder.next() }
    }
}
