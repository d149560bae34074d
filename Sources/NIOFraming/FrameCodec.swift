import ControlFraming
import NIOCore

/// `ControlFraming` frames on a NIO pipeline: 4-byte big-endian length, then the payload.
public struct FrameByteDecoder: ByteToMessageDecoder {
    public typealias InboundOut = [UInt8]
    public let maximumPayload: Int

    public init(maximumPayload: Int = Frame.defaultMaximumPayload) {
        self.maximumPayload = maximumPayload
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard Int(length) <= maximumPayload else {
            throw FrameError(code: .tooLarge, announcedLength: Int(length), maximum: maximumPayload)
        }
        guard buffer.readableBytes >= Frame.headerLength + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: Frame.headerLength)
        guard let payload = buffer.readBytes(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(payload))
        return .continue
    }
}

public struct FrameByteEncoder: MessageToByteEncoder {
    public typealias OutboundIn = [UInt8]

    public init() {}

    public func encode(data: [UInt8], out: inout ByteBuffer) throws {
        out.writeInteger(UInt32(data.count))
        out.writeBytes(data)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds the frame decoder and encoder.
    public func addFrameCodec(maximumPayload: Int = Frame.defaultMaximumPayload) throws {
        try addFrameDecoder(maximumPayload: maximumPayload)
        try addHandler(MessageToByteHandler(FrameByteEncoder()))
    }

    /// Adds the frame decoder alone, for a channel whose writer frames what it writes.
    public func addFrameDecoder(maximumPayload: Int = Frame.defaultMaximumPayload) throws {
        try addHandler(ByteToMessageHandler(FrameByteDecoder(maximumPayload: maximumPayload)))
    }
}
