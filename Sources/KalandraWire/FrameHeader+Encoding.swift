import KalandraCore
import KalandraCrypto
import NIOCore

extension FrameHeader {
    /// Writes the 128 header bytes at the writer index of `buffer` (the caller's buffer; it grows if needed).
    public func encode(into buffer: inout ByteBuffer) {
        encodeSignedPortion(into: &buffer)
        signature.withUnsafeBytes { _ = buffer.writeBytes($0) }
    }

    /// Writes header bytes 0..<64, the part the signature covers.
    public func encodeSignedPortion(into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(Self.magic, endianness: .big)
        buffer.writeInteger(Self.version)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(opcode.rawValue, endianness: .big)
        buffer.writeInteger(roomID.high, endianness: .big)
        buffer.writeInteger(roomID.low, endianness: .big)
        buffer.writeInteger(senderID.rawValue, endianness: .big)
        buffer.writeInteger(epoch.rawValue, endianness: .big)
        buffer.writeInteger(sequence.rawValue, endianness: .big)
        buffer.writeInteger(UInt16(truncatingIfNeeded: timestamp.milliseconds >> 32), endianness: .big)
        buffer.writeInteger(UInt32(truncatingIfNeeded: timestamp.milliseconds), endianness: .big)
        buffer.writeInteger(UInt16(0))  // reserved
        buffer.writeInteger(messageID, endianness: .big)
        buffer.writeInteger(payloadLength, endianness: .big)
        assert(buffer.writerIndex - start == Layout.signedByteCount)
    }
}
