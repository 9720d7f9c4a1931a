import KalandraCBOR
import KalandraCrypto
import NIOCore

extension Frame {
    /// Domain separation: the signed message starts with these bytes, so a frame signature can never be taken for an
    /// MLS signature (which starts "MLS 1.0 ") or any other use of the same Ed25519 key.
    public static let signatureContext: [UInt8] = Array("KalandraFrameV1\0".utf8)

    /// Signs `header` (its payload length is set from `payload`) and returns the frame.
    public static func signed(header: FrameHeader, payload: ByteBuffer, key: SigningKey) throws(FrameError) -> Frame {
        guard payload.readableBytes <= UInt32.max else {
            throw .payloadTooLarge(length: UInt32.max, limit: Int(UInt32.max))
        }
        var header = header
        header.payloadLength = UInt32(payload.readableBytes)
        header.signature = .zero
        let message = signedMessage(header: header, payload: payload)
        header.signature = key.signature(for: message)
        return Frame(validatedHeader: header, payload: payload)
    }

    /// Signs `header` with `payload` encoded deterministically as CBOR.
    public static func signed(header: FrameHeader, payload: CBOR, key: SigningKey) throws(FrameError) -> Frame {
        var bytes: [UInt8] = []
        CBOREncoder.encode(payload, into: &bytes)
        return try signed(header: header, payload: ByteBuffer(bytes: bytes), key: key)
    }

    /// Throws `FrameError.badSignature` unless the header's signature verifies under `key` over the context, header
    /// bytes 0..<64 and the payload.
    public func verifySignature(with key: VerifyingKey) throws(FrameError) {
        let message = Frame.signedMessage(header: header, payload: payload)
        guard key.isValidSignature(header.signature, for: message) else { throw .badSignature }
    }

    /// Exactly the bytes the signature covers: `signatureContext` ‖ header bytes 0..<64 ‖ payload.
    public static func signedMessage(header: FrameHeader, payload: ByteBuffer) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(signatureContext.count + FrameHeader.Layout.signedByteCount + payload.readableBytes)
        buffer.writeBytes(signatureContext)
        header.encodeSignedPortion(into: &buffer)
        var payloadCopy = payload
        buffer.writeBuffer(&payloadCopy)
        return buffer.readBytes(length: buffer.readableBytes)!
    }
}
