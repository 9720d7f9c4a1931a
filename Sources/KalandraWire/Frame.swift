import KalandraCBOR
import KalandraCore
import NIOCore

/// A frame: the 128-byte header and a CBOR payload. A decoded frame's payload is a slice of the received buffer,
/// not a copy.
public struct Frame: Sendable {
    /// The header; its `payloadLength` always equals `payload.readableBytes`.
    public private(set) var header: FrameHeader
    /// The CBOR payload bytes.
    public private(set) var payload: ByteBuffer

    /// A frame from a header and its payload; the declared length must match.
    public init(header: FrameHeader, payload: ByteBuffer) throws(FrameError) {
        guard Int(header.payloadLength) == payload.readableBytes else {
            throw .payloadLengthMismatch(declared: header.payloadLength, actual: payload.readableBytes)
        }
        self.header = header
        self.payload = payload
    }

    /// The bytes this frame takes on the wire.
    public var byteCount: Int { FrameHeader.byteCount + payload.readableBytes }

    /// Decodes `buffer`, which must hold exactly one frame.
    public init(
        decoding buffer: ByteBuffer,
        maximumPayloadLength: Int = Limits.maximumFramePayloadBytes
    )
        throws(FrameError)
    {
        var remaining = buffer
        guard let frame = try Frame.decodeNext(from: &remaining, maximumPayloadLength: maximumPayloadLength) else {
            // decodeNext returns nil only when bytes are missing; say how many.
            let needed: Int
            if buffer.readableBytes < FrameHeader.byteCount {
                needed = FrameHeader.byteCount - buffer.readableBytes
            } else {
                let declared = buffer.getInteger(
                    at: buffer.readerIndex + FrameHeader.Layout.payloadLength,
                    as: UInt32.self
                )!
                needed = FrameHeader.byteCount + Int(declared) - buffer.readableBytes
            }
            throw .shortBuffer(missing: needed)
        }
        guard remaining.readableBytes == 0 else { throw .trailingBytes(count: remaining.readableBytes) }
        self = frame
    }

    /// Decodes the next frame of a stream: nil (consuming nothing) when `buffer` does not yet hold a whole frame,
    /// the frame (consuming it) otherwise. A malformed header throws as soon as the header is complete, before its
    /// payload arrives, so a peer cannot make us buffer a payload we would refuse.
    public static func decodeNext(
        from buffer: inout ByteBuffer,
        maximumPayloadLength: Int = Limits.maximumFramePayloadBytes
    ) throws(FrameError) -> Frame? {
        guard buffer.readableBytes >= FrameHeader.byteCount else { return nil }
        let header: FrameHeader
        do {
            header = try buffer.withUnsafeReadableBytes { bytes in
                try FrameHeader(parsing: bytes, maximumPayloadLength: maximumPayloadLength)
            }
        } catch let error as FrameError {
            throw error
        } catch {
            preconditionFailure("FrameHeader(parsing:) throws only FrameError")
        }
        let total = FrameHeader.byteCount + Int(header.payloadLength)
        guard buffer.readableBytes >= total else { return nil }
        // The slice shares the received storage: zero-copy.
        let payload = buffer.getSlice(
            at: buffer.readerIndex + FrameHeader.byteCount,
            length: Int(header.payloadLength)
        )!
        buffer.moveReaderIndex(forwardBy: total)
        return Frame(validatedHeader: header, payload: payload)
    }

    init(validatedHeader header: FrameHeader, payload: ByteBuffer) {
        assert(Int(header.payloadLength) == payload.readableBytes)
        self.header = header
        self.payload = payload
    }

    /// The frame's bytes on the wire: what a store keeps and a hash chains.
    public var encodedBytes: [UInt8] {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(byteCount)
        encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Writes the frame at the writer index of the caller's `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        header.encode(into: &buffer)
        var payloadCopy = payload
        buffer.writeBuffer(&payloadCopy)
    }

    /// The payload as a CBOR value, decoded strictly (deterministic encoding only) within `limits`.
    public func decodePayload(limits: CBORDecoder.Limits = .default) throws(FrameError) -> CBOR {
        let decoder = CBORDecoder(limits: limits, mode: .strict)
        do {
            return try payload.withUnsafeReadableBytes { bytes in try decoder.decode(bytes) }
        } catch let error as CBORDecodingError {
            throw .invalidPayload(error)
        } catch {
            preconditionFailure("CBORDecoder throws only CBORDecodingError")
        }
    }
}
