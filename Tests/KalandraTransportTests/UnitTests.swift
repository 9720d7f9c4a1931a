import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore
import NIOEmbedded
import Testing

@testable import KalandraTransport

struct TokenBucketTests {
    /// Takes one token at each time in `times`, and says which takes succeeded.
    func takes(_ bucket: inout TokenBucket, at times: [UInt64]) -> [Bool] {
        times.map { bucket.take(now: $0) }
    }

    @Test func theBurstIsAvailableAtOnceAndThenTheRate() {
        var bucket = TokenBucket(ratePerSecond: 10, burst: 3, now: 0)
        // 3 at once, none left, 0.0999… s is not yet a whole token, 0.1 s is one.
        let outcome = takes(&bucket, at: [0, 0, 0, 0, 99_999_999, 100_000_000, 100_000_000])
        #expect(outcome == [true, true, true, false, false, true, false])
    }

    @Test func refillsAreCappedAtTheBurst() {
        var bucket = TokenBucket(ratePerSecond: 10, burst: 3, now: 0)
        let later: UInt64 = 3_600_000_000_000
        let outcome = takes(&bucket, at: [0, 0, 0, later, later, later, later])
        #expect(outcome == [true, true, true, true, true, true, false])
    }

    @Test func hugeElapsedTimesAndBackwardClocksDoNotOverflowOrRefill() {
        let maximum = TokenBucket.maximumSetting
        var bucket = TokenBucket(ratePerSecond: maximum, burst: maximum, now: 0)
        let drained = takes(&bucket, at: Array(repeating: 0, count: maximum + 1))
        #expect(drained.filter { $0 }.count == maximum)
        #expect(takes(&bucket, at: [.max]) == [true])
        var backwards = TokenBucket(ratePerSecond: 1, burst: 1, now: 1_000_000_000)
        let outcome = takes(&backwards, at: [1_000_000_000, 0, 1_999_999_999, 2_000_000_000])
        #expect(outcome == [true, false, false, true])
    }
}

struct ReplayGuardTests {
    let alice = SenderID(1)
    let bob = SenderID(2)

    @Test func aNonceIsRefusedUntilItExpires() {
        let guardian = ReplayGuard(capacity: 10, skewMilliseconds: 1000)
        #expect(guardian.admit(sender: alice, nonce: [1], timestamp: 5000, now: 5000))
        #expect(!guardian.admit(sender: alice, nonce: [1], timestamp: 5000, now: 5500))
        #expect(guardian.admit(sender: bob, nonce: [1], timestamp: 5000, now: 5500))
        #expect(!guardian.admit(sender: alice, nonce: [1], timestamp: 5000, now: 6000))
        // Past timestamp + skew the timestamp check refuses a replay, so the nonce is forgotten.
        #expect(guardian.admit(sender: alice, nonce: [1], timestamp: 6001, now: 6001))
    }

    @Test func theOldestNonceIsForgottenWhenFull() {
        let guardian = ReplayGuard(capacity: 3, skewMilliseconds: 1_000_000)
        for nonce: UInt8 in 1...3 { #expect(guardian.admit(sender: alice, nonce: [nonce], timestamp: 0, now: 0)) }
        #expect(guardian.count == 3)
        #expect(guardian.admit(sender: alice, nonce: [4], timestamp: 0, now: 0))
        #expect(guardian.count == 3)
        #expect(!guardian.admit(sender: alice, nonce: [2], timestamp: 0, now: 0))
        #expect(!guardian.admit(sender: alice, nonce: [4], timestamp: 0, now: 0))
        #expect(guardian.admit(sender: alice, nonce: [1], timestamp: 0, now: 0))  // evicted, so accepted again
    }

    @Test func manyNoncesStayWithinTheBound() {
        let guardian = ReplayGuard(capacity: 100, skewMilliseconds: 10)
        for index in 0..<10_000 {
            let now = UInt64(index)
            #expect(
                guardian.admit(sender: alice, nonce: withUnsafeBytes(of: index) { Array($0) }, timestamp: now, now: now)
            )
            #expect(guardian.count <= 100)
        }
        #expect(guardian.count <= 11)
    }
}

struct FrameCodecTests {
    let key: SigningKey = {
        var generator = DeterministicGenerator(seed: 5)
        return SigningKey.generate(using: &generator)
    }()

    @Test func framesSplitAtEveryByteBoundaryDecodeInOrder() throws {
        let frames = try (1...3).map { try testFrame(key: key, messageID: UInt32($0), contentLength: $0 * 50) }
        let stream = bytes(of: frames)
        for chunkSize in [1, 7, 128, 129, 1000] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
            var remaining = stream
            while remaining.readableBytes > 0 {
                let chunk = remaining.readSlice(length: min(chunkSize, remaining.readableBytes))!
                try channel.writeInbound(chunk)
            }
            var decoded: [Frame] = []
            while let frame = try channel.readInbound(as: Frame.self) { decoded.append(frame) }
            #expect(decoded.map(\.header) == frames.map(\.header))
            #expect(try channel.finish().isClean)
        }
    }

    @Test func aBadHeaderIsAMalformedFrameBeforeItsPayloadArrives() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maximumPayloadLength: 100)))
        var header = ByteBuffer()
        try testFrame(key: key, messageID: 1, contentLength: 200).encode(into: &header)
        let headerOnly = header.getSlice(at: 0, length: FrameHeader.byteCount)!
        #expect(throws: TransportError.malformedFrame(.payloadTooLarge(length: 202, limit: 100))) {
            try channel.writeInbound(headerOnly)
        }
        _ = try? channel.finish()
    }

    @Test func aStreamEndingInsideAFrameSaysHowMuchWasMissing() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var buffer = ByteBuffer()
        try testFrame(key: key, messageID: 1, contentLength: 20).encode(into: &buffer)
        try channel.writeInbound(buffer.getSlice(at: 0, length: 140)!)
        #expect(throws: TransportError.malformedFrame(.shortBuffer(missing: 9))) {
            _ = try channel.finish()
        }
    }

    @Test func theEncoderWritesHeaderThenPayload() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(FrameEncoder()))
        let frame = try testFrame(key: key, messageID: 9, contentLength: 30)
        try channel.writeOutbound(frame)
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try Frame(decoding: written).header == frame.header)
        #expect(try channel.finish().isClean)
    }
}

struct SessionPayloadTests {
    func frame(_ opcode: Opcode, _ payload: CBOR) throws -> Frame {
        var generator = DeterministicGenerator(seed: 6)
        let key = SigningKey.generate(using: &generator)
        let header = FrameHeader(
            opcode: opcode,
            roomID: RoomID(high: 0, low: 0),
            senderID: SenderID(1),
            timestamp: .zero,
            messageID: 1
        )
        return try Frame.signed(header: header, payload: payload, key: key)
    }

    @Test func payloadsRoundTrip() throws {
        let hello = HelloPayload(nonce: Array(repeating: 3, count: 32), timestampMilliseconds: 77)
        #expect(try HelloPayload(decoding: frame(.hello, hello.cbor)) == hello)
        let accepted = HelloAcceptedPayload(
            nonce: [1, 2],
            serverTimeMilliseconds: 5,
            maximumFramePayloadBytes: 6,
            idleTimeoutMilliseconds: 7
        )
        #expect(try HelloAcceptedPayload(decoding: frame(.helloAccepted, accepted.cbor)) == accepted)
        let goodbye = GoodbyePayload(reason: "rate: fast")
        #expect(try GoodbyePayload(decoding: frame(.goodbye, goodbye.cbor)) == goodbye)
    }

    @Test func schemaViolationsAreNamed() throws {
        #expect(throws: FrameError.payloadSchemaMismatch(opcode: .hello, reason: "key 1 missing")) {
            try HelloPayload(
                decoding: frame(.hello, .map([.init(key: 0, value: .byteString(Array(repeating: 0, count: 16)))]))
            )
        }
        #expect(throws: FrameError.payloadSchemaMismatch(opcode: .hello, reason: "nonce has 33 bytes, not 16...32")) {
            try HelloPayload(
                decoding: frame(
                    .hello,
                    HelloPayload(nonce: Array(repeating: 0, count: 33), timestampMilliseconds: 1).cbor
                )
            )
        }
        #expect(throws: FrameError.payloadSchemaMismatch(opcode: .hello, reason: "unexpected key 2")) {
            try HelloPayload(
                decoding: frame(
                    .hello,
                    .map([
                        .init(key: 0, value: .byteString(Array(repeating: 0, count: 16))),
                        .init(key: 1, value: 1), .init(key: 2, value: 1),
                    ])
                )
            )
        }
        #expect(throws: FrameError.payloadSchemaMismatch(opcode: .goodbye, reason: "not a map")) {
            try GoodbyePayload(decoding: frame(.goodbye, .textString("bye")))
        }
    }

    @Test func longGoodbyeReasonsAreCutAtACharacterBoundary() {
        let reason = String(repeating: "é", count: 400)  // 800 bytes
        let goodbye = GoodbyePayload(reason: reason)
        #expect(goodbye.reason.utf8.count == 512)
        #expect(goodbye.reason.allSatisfy { $0 == "é" })
    }
}
