import KalandraCore
import KalandraWire
import NIOCore

/// Splits a byte stream into frames with `Frame.decodeNext`. A bad header is refused as soon as its 128 bytes are
/// there, so the buffer never holds more than one frame's payload plus one read; the error is
/// `TransportError.malformedFrame`, after which the handler decodes nothing more.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    /// The largest payload accepted.
    public let maximumPayloadLength: Int

    public init(maximumPayloadLength: Int = Limits.maximumFramePayloadBytes) {
        self.maximumPayloadLength = maximumPayloadLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let frame: Frame?
        do {
            frame = try Frame.decodeNext(from: &buffer, maximumPayloadLength: maximumPayloadLength)
        } catch {
            throw TransportError.malformedFrame(error)
        }
        guard let frame else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        guard buffer.readableBytes > 0 else { return .needMoreData }
        // The stream ended inside a frame: say how much was missing rather than NIO's generic leftover error.
        let leftover = buffer
        buffer.moveReaderIndex(to: buffer.writerIndex)
        do {
            _ = try Frame(decoding: leftover, maximumPayloadLength: maximumPayloadLength)
        } catch {
            throw TransportError.malformedFrame(error)
        }
        return .needMoreData
    }
}

/// Writes frames as header then payload.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = Frame

    public init() {}

    public func encode(data: Frame, out: inout ByteBuffer) throws {
        data.encode(into: &out)
    }
}
