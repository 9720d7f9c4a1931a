import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore
import Testing

@Suite struct FrameTests {
    @Test func signEncodeDecodeVerify() throws {
        let key = Fixture.key()
        let frame = try Fixture.signedFrame(key: key)
        let bytes = Fixture.bytes(of: frame)
        #expect(bytes.count == 128 + frame.payload.readableBytes)
        #expect(frame.byteCount == bytes.count)

        let decoded = try Frame(decoding: ByteBuffer(bytes: bytes))
        #expect(decoded.header == frame.header)
        #expect(decoded.payload == frame.payload)
        try decoded.verifySignature(with: key.verifyingKey)
        #expect(try decoded.decodePayload() == Fixture.payload)
    }

    /// Flipping any single bit of any header or payload byte makes the frame fail: either the parser refuses the
    /// header, or the signature no longer verifies. Nothing slips through.
    @Test func tamperingWithAnyByteFailsVerification() throws {
        let key = Fixture.key()
        let bytes = Fixture.bytes(of: try Fixture.signedFrame(key: key))
        var signatureFailures = 0
        for index in bytes.indices {
            for bit in 0..<8 {
                var tampered = bytes
                tampered[index] ^= 1 << UInt8(bit)
                do {
                    let frame = try Frame(decoding: ByteBuffer(bytes: tampered))
                    try frame.verifySignature(with: key.verifyingKey)
                    Issue.record("flipping bit \(bit) of byte \(index) went unnoticed")
                } catch .badSignature {
                    signatureFailures += 1
                } catch {
                    // A parse error is a detection too; payload length changes show up as short/trailing bytes.
                    #expect(index < 64, "byte \(index) was rejected by the parser, not the signature: \(error)")
                }
            }
        }
        // Every payload and signature bit, and every header field bit the parser accepts, hit the signature check.
        #expect(signatureFailures >= (bytes.count - 64) * 8)
    }

    @Test func anotherKeyDoesNotVerify() throws {
        let frame = try Fixture.signedFrame(key: Fixture.key(seed: 1))
        #expect(throws: FrameError.badSignature) { try frame.verifySignature(with: Fixture.key(seed: 2).verifyingKey) }
    }

    @Test func signedMessageIsContextHeaderPrefixAndPayload() throws {
        let frame = try Fixture.signedFrame()
        let message = Frame.signedMessage(header: frame.header, payload: frame.payload)
        let bytes = Fixture.bytes(of: frame)
        #expect(Array(message.prefix(16)) == Array("KalandraFrameV1\0".utf8))
        #expect(Array(message[16..<80]) == Array(bytes[0..<64]))
        #expect(Array(message[80...]) == Array(bytes[128...]))
        #expect(Fixture.key().verifyingKey.isValidSignature(frame.header.signature, for: message))
    }

    @Test func decodedPayloadSharesTheReceivedBytes() throws {
        let buffer = ByteBuffer(bytes: Fixture.bytes(of: try Fixture.signedFrame()))
        let frame = try Frame(decoding: buffer)
        let payloadAddress = frame.payload.withUnsafeReadableBytes { $0.baseAddress }
        let bufferAddress = buffer.withUnsafeReadableBytes { $0.baseAddress }
        #expect(payloadAddress == bufferAddress.map { $0 + 128 })
    }

    @Test func truncatedPayloadSaysHowManyBytesAreMissing() throws {
        let bytes = Fixture.bytes(of: try Fixture.signedFrame())
        #expect(throws: FrameError.shortBuffer(missing: 10)) {
            try Frame(decoding: ByteBuffer(bytes: bytes.dropLast(10)))
        }
        #expect(throws: FrameError.shortBuffer(missing: 28)) {
            try Frame(decoding: ByteBuffer(bytes: bytes.prefix(100)))
        }
    }

    @Test func trailingBytesAreRejected() throws {
        let bytes = Fixture.bytes(of: try Fixture.signedFrame())
        #expect(throws: FrameError.trailingBytes(count: 3)) {
            try Frame(decoding: ByteBuffer(bytes: bytes + [1, 2, 3]))
        }
    }

    @Test func headerAndPayloadLengthsMustAgree() {
        var header = Fixture.header()
        header.payloadLength = 5
        #expect(throws: FrameError.payloadLengthMismatch(declared: 5, actual: 4)) {
            try Frame(header: header, payload: ByteBuffer(bytes: [1, 2, 3, 4]))
        }
        header.payloadLength = 4
        #expect(throws: Never.self) { try Frame(header: header, payload: ByteBuffer(bytes: [1, 2, 3, 4])) }
    }

    @Test func malformedPayloadIsATypedError() throws {
        let key = Fixture.key()
        let truncatedCBOR = try Frame.signed(
            header: Fixture.header(),
            payload: ByteBuffer(bytes: [0x82, 0x01]),
            key: key
        )
        do {
            _ = try truncatedCBOR.decodePayload()
            Issue.record("truncated CBOR was accepted")
        } catch .invalidPayload(let cborError) {
            #expect(cborError.kind == .truncated(needed: 1))
        }
        // Non-deterministic encodings are refused: a payload has exactly one encoding, so signatures are unambiguous.
        let nonShortest = try Frame.signed(
            header: Fixture.header(),
            payload: ByteBuffer(bytes: [0x18, 0x01]),
            key: key
        )
        #expect(throws: FrameError.self) { try nonShortest.decodePayload() }
    }

    @Test func streamDecodingWaitsForWholeFramesAndKeepsOrder() throws {
        let key = Fixture.key()
        var stream: [UInt8] = []
        var expected: [FrameHeader] = []
        for index in 0..<5 {
            var header = Fixture.header()
            header.messageID = UInt32(index)
            let frame = try Frame.signed(header: header, payload: .array(Array(repeating: 1, count: index)), key: key)
            expected.append(frame.header)
            stream += Fixture.bytes(of: frame)
        }
        var buffer = ByteBuffer()
        var decoded: [FrameHeader] = []
        for byte in stream {
            buffer.writeInteger(byte)
            while let frame = try Frame.decodeNext(from: &buffer) {
                try frame.verifySignature(with: key.verifyingKey)
                decoded.append(frame.header)
            }
        }
        #expect(decoded == expected)
        #expect(buffer.readableBytes == 0)
    }

    @Test func streamDecodingRefusesABadHeaderBeforeItsPayloadArrives() throws {
        var bytes = Fixture.bytes(of: try Fixture.signedFrame())
        bytes[60...63] = [0x7F, 0xFF, 0xFF, 0xFF]
        var buffer = ByteBuffer(bytes: bytes.prefix(128))
        #expect(throws: FrameError.payloadTooLarge(length: 0x7FFF_FFFF, limit: Limits.maximumFramePayloadBytes)) {
            try Frame.decodeNext(from: &buffer)
        }
    }

    @Test func errorsDescribeTheProblem() {
        let cases: [(FrameError, String)] = [
            (.shortBuffer(missing: 3), "3 more bytes"),
            (.wrongMagic(found: 0x1234), "0x1234"),
            (.unknownVersion(9), "version 9"),
            (.unknownOpcode(0xBEEF), "0xbeef"),
            (.reservedFlagsSet(0x80), "0x80"),
            (.nonZeroReserved(offset: 54), "offset 54"),
            (.payloadTooLarge(length: 9, limit: 8), "limit of 8"),
            (.payloadLengthMismatch(declared: 5, actual: 4), "5-byte"),
            (.trailingBytes(count: 2), "2 bytes follow"),
            (.badSignature, "signature"),
            (.payloadSchemaMismatch(opcode: .ping, reason: "x"), "ping"),
        ]
        for (error, fragment) in cases {
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }
}
