/// Length-prefixed frames: the wire shape shared by the media control protocol and the admin
/// protocol. A frame is a 4-byte big-endian payload length followed by that many bytes.
///
/// The framing is deliberately dumb: it knows nothing of what the payload means, so both
/// protocols can version their payloads independently while sharing one tested decoder.
public enum Frame {
    /// Bytes in the length prefix.
    public static let headerLength = 4
    /// Default ceiling for one payload; a peer announcing more is refused, never buffered.
    public static let defaultMaximumPayload = 1 << 20

    /// Appends one frame holding `payload` to `buffer`.
    public static func encode(_ payload: some Collection<UInt8>, into buffer: inout [UInt8]) {
        let length = UInt32(payload.count)
        buffer.append(UInt8(truncatingIfNeeded: length >> 24))
        buffer.append(UInt8(truncatingIfNeeded: length >> 16))
        buffer.append(UInt8(truncatingIfNeeded: length >> 8))
        buffer.append(UInt8(truncatingIfNeeded: length))
        buffer.append(contentsOf: payload)
    }

    /// One frame holding `payload`.
    public static func encode(_ payload: some Collection<UInt8>) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(headerLength + payload.count)
        encode(payload, into: &buffer)
        return buffer
    }
}

/// Why a byte stream cannot be framed. The connection carrying it must be closed.
public struct FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case tooLarge }
    public var code: Code
    public var announcedLength: Int
    public var maximum: Int

    public init(code: Code, announcedLength: Int, maximum: Int) {
        self.code = code
        self.announcedLength = announcedLength
        self.maximum = maximum
    }

    public var description: String {
        "frame of \(announcedLength) bytes exceeds the maximum of \(maximum) bytes"
    }
}

/// Incremental decoder: feed it whatever a read returned, take out whole payloads.
/// Bytes may arrive split anywhere, several frames at once, or one byte at a time.
public struct FrameDecoder: Sendable {
    public let maximumPayload: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maximumPayload: Int = Frame.defaultMaximumPayload) {
        self.maximumPayload = maximumPayload
    }

    /// Bytes held that do not yet form a whole frame.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole payload, or nil when more bytes are needed.
    /// Throws when the announced length exceeds `maximumPayload`; the decoder is then unusable.
    public mutating func next() throws(FrameError) -> [UInt8]? {
        guard bufferedByteCount >= Frame.headerLength else { return nil }
        let length = Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16
            | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        guard length <= maximumPayload else {
            throw FrameError(code: .tooLarge, announcedLength: length, maximum: maximumPayload)
        }
        guard bufferedByteCount >= Frame.headerLength + length else { return nil }
        let payloadStart = start + Frame.headerLength
        let payload = Array(buffer[payloadStart..<payloadStart + length])
        start = payloadStart + length
        compactIfWorthwhile()
        return payload
    }

    /// Drops consumed bytes once they dominate the buffer, so a long-lived connection's
    /// buffer stays proportional to what is actually pending.
    private mutating func compactIfWorthwhile() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 4096 && start * 2 > buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}
