import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore
import Testing

@Suite struct FrameHeaderTests {
    /// The layout of docs/PROTOCOL.md, written out byte by byte (not with the encoder), so the encoder and parser are
    /// checked against the specification rather than against each other.
    @Test func parsesTheSpecifiedLayout() throws {
        var bytes: [UInt8] = [0x53, 0x55, 0x4E, 0x44, 0x01, 0x03, 0x02, 0x01]  // magic, version, flags, opcode
        // room
        bytes += [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10]
        bytes += [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18]  // sender
        bytes += [0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28]  // epoch
        bytes += [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38]  // sequence
        bytes += [0x41, 0x42, 0x43, 0x44, 0x45, 0x46]  // timestamp (48 bits)
        bytes += [0x00, 0x00]  // reserved
        bytes += [0x51, 0x52, 0x53, 0x54]  // message ID
        bytes += [0x00, 0x00, 0x01, 0x02]  // payload length
        bytes += (0..<64).map { UInt8($0) }  // signature
        #expect(bytes.count == 128)

        let header = try Fixture.parseHeader(bytes)
        #expect(header.flags == [.retransmission, .serverOrigin])
        #expect(header.opcode == .applicationMessage)
        #expect(header.roomID == RoomID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10))
        #expect(header.senderID == SenderID(0x1112_1314_1516_1718))
        #expect(header.epoch == Epoch(0x2122_2324_2526_2728))
        #expect(header.sequence == LogSequence(0x3132_3334_3536_3738))
        #expect(header.timestamp.milliseconds == 0x4142_4344_4546)
        #expect(header.messageID == 0x5152_5354)
        #expect(header.payloadLength == 0x0102)
        #expect(header.signature.bytes == (0..<64).map { UInt8($0) })

        var encoded = ByteBuffer()
        header.encode(into: &encoded)
        #expect(encoded.readableBytesView.elementsEqual(bytes))
    }

    @Test func layoutConstantsTileTheHeaderExactly() {
        typealias L = FrameHeader.Layout
        let fields = [
            (L.magic, 4), (L.version, 1), (L.flags, 1), (L.opcode, 2), (L.roomID, 16), (L.senderID, 8), (L.epoch, 8),
            (L.sequence, 8), (L.timestamp, 6), (L.reserved, 2), (L.messageID, 4), (L.payloadLength, 4),
            (L.signature, 64),
        ]
        var next = 0
        for (offset, size) in fields {
            #expect(offset == next)
            next = offset + size
        }
        #expect(next == FrameHeader.byteCount)
        #expect(L.signedByteCount == L.signature)
    }

    @Test func randomHeadersRoundTrip() throws {
        var generator = DeterministicGenerator(seed: 99)
        for _ in 0..<2_000 {
            let opcode = Opcode.allCases[Int(generator.next() % UInt64(Opcode.allCases.count))]
            let header = FrameHeader(
                flags: FrameFlags(rawValue: UInt8(generator.next() % 4)),
                opcode: opcode,
                roomID: .random(using: &generator),
                senderID: SenderID(generator.next()),
                epoch: Epoch(generator.next()),
                sequence: LogSequence(generator.next()),
                timestamp: Timestamp(milliseconds: generator.next() >> 16)!,
                messageID: UInt32(truncatingIfNeeded: generator.next()),
                payloadLength: UInt32(generator.next() % UInt64(Limits.maximumFramePayloadBytes + 1)),
                signature: Signature(rawValue: SIMD64(repeating: UInt8(truncatingIfNeeded: generator.next())))
            )
            var buffer = ByteBuffer()
            header.encode(into: &buffer)
            #expect(buffer.readableBytes == FrameHeader.byteCount)
            let parsed = try Fixture.parseHeader(buffer.readBytes(length: 128)!)
            #expect(parsed == header)
        }
    }

    @Test func shortBufferSaysHowManyBytesAreMissing() {
        let bytes = Fixture.bytes(of: try! Fixture.signedFrame())
        for length in [0, 1, 4, 63, 127] {
            #expect(throws: FrameError.shortBuffer(missing: 128 - length)) {
                try Fixture.parseHeader(Array(bytes.prefix(length)))
            }
        }
    }

    @Test func rejectsWrongMagic() throws {
        var bytes = Fixture.bytes(of: try Fixture.signedFrame())
        bytes[0] = 0x54
        #expect(throws: FrameError.wrongMagic(found: 0x5455_4E44)) { try Fixture.parseHeader(bytes) }
    }

    @Test func rejectsUnknownVersion() throws {
        var bytes = Fixture.bytes(of: try Fixture.signedFrame())
        for version: UInt8 in [0, 2, 0xFF] {
            bytes[4] = version
            #expect(throws: FrameError.unknownVersion(version)) { try Fixture.parseHeader(bytes) }
        }
    }

    @Test func rejectsEveryOpcodeOutsideTheTable() throws {
        var bytes = Fixture.bytes(of: try Fixture.signedFrame())
        let known = Set(Opcode.allCases.map(\.rawValue))
        for raw in UInt16.min...UInt16.max {
            bytes[6] = UInt8(raw >> 8)
            bytes[7] = UInt8(raw & 0xFF)
            if known.contains(raw) {
                #expect(try Fixture.parseHeader(bytes).opcode.rawValue == raw)
            } else {
                #expect(throws: FrameError.unknownOpcode(raw)) { try Fixture.parseHeader(bytes) }
            }
        }
    }

    @Test func rejectsReservedFlagBits() throws {
        var bytes = Fixture.bytes(of: try Fixture.signedFrame())
        for bit in 2..<8 {
            bytes[5] = 1 << UInt8(bit)
            #expect(throws: FrameError.reservedFlagsSet(1 << UInt8(bit))) { try Fixture.parseHeader(bytes) }
        }
    }

    @Test func rejectsNonZeroReservedBytes() throws {
        let clean = Fixture.bytes(of: try Fixture.signedFrame())
        for offset in [54, 55] {
            var bytes = clean
            bytes[offset] = 0x80
            #expect(throws: FrameError.nonZeroReserved(offset: offset)) { try Fixture.parseHeader(bytes) }
        }
    }

    @Test func rejectsPayloadLengthOverTheLimit() throws {
        var bytes = Fixture.bytes(of: try Fixture.signedFrame())
        bytes[60...63] = [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: FrameError.payloadTooLarge(length: .max, limit: Limits.maximumFramePayloadBytes)) {
            try Fixture.parseHeader(bytes)
        }
        bytes[60...63] = [0x00, 0x00, 0x01, 0x00]
        #expect(throws: FrameError.payloadTooLarge(length: 256, limit: 255)) {
            try Fixture.parseHeader(bytes, maximumPayloadLength: 255)
        }
        #expect(try Fixture.parseHeader(bytes, maximumPayloadLength: 256).payloadLength == 256)
    }
}
