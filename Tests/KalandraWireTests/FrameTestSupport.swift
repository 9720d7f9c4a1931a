import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore

/// Shared fixtures: a deterministic key and a typical frame.
enum Fixture {
    static func key(seed: UInt64 = 1) -> SigningKey {
        var generator = DeterministicGenerator(seed: seed)
        return SigningKey.generate(using: &generator)
    }

    static func header(opcode: Opcode = .applicationMessage) -> FrameHeader {
        FrameHeader(
            flags: [.retransmission],
            opcode: opcode,
            roomID: RoomID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10),
            senderID: SenderID(0x1112_1314_1516_1718),
            epoch: Epoch(0x2122_2324_2526_2728),
            sequence: LogSequence(0x3132_3334_3536_3738),
            timestamp: Timestamp(milliseconds: 0x4142_4344_4546)!,
            messageID: 0x5152_5354
        )
    }

    static let payload: CBOR = .map([
        CBOR.MapEntry(key: .textString("body"), value: .byteString(Array(repeating: 0xAB, count: 200))),
        CBOR.MapEntry(key: .textString("kind"), value: .textString("text")),
    ])

    static func signedFrame(key: SigningKey = key(), payload: CBOR = payload) throws -> Frame {
        try Frame.signed(header: header(), payload: payload, key: key)
    }

    static func bytes(of frame: Frame) -> [UInt8] {
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes)!
    }

    static func parseHeader(
        _ bytes: [UInt8],
        maximumPayloadLength: Int = Limits.maximumFramePayloadBytes
    ) throws(FrameError) -> FrameHeader {
        do {
            return try bytes.withUnsafeBytes { raw in
                try FrameHeader(parsing: raw, maximumPayloadLength: maximumPayloadLength)
            }
        } catch let error as FrameError {
            throw error
        } catch {
            fatalError("unexpected error \(error)")
        }
    }
}
