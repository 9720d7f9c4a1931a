import KalandraCore
import KalandraCrypto
import KalandraTransport
import KalandraWire
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(1)))
struct HandshakeTests {
    let keys = Keys()
    let nonce = [UInt8](repeating: 0x42, count: 16)

    /// Sends `frames` on a raw connection and returns the reason of the goodbye that must end it.
    func refusal(_ server: FrameServer, sending frames: [Frame]) async throws -> String {
        let exchange = try await rawExchange(port: server.port, sending: bytes(of: frames))
        #expect(exchange.closedByServer)
        #expect(exchange.frames.count == 1)
        let goodbye = try #require(exchange.frames.first)
        return try goodbyeReason(goodbye, signedBy: keys.server.verifyingKey)
    }

    @Test func aValidHelloIsAcceptedWithASignedAnswerEchoingTheNonce() async throws {
        let clock = TestClock()
        let server = try await startServer(keys, clock: clock.transportClock)
        let hello = try helloFrame(key: keys.devices[0], nonce: nonce, timestamp: clock.wallMilliseconds)
        let exchange = try await rawExchange(port: server.port, sending: bytes(of: [hello]), untilFrames: 1)
        let accepted = try #require(exchange.frames.first)
        #expect(accepted.header.opcode == .helloAccepted)
        #expect(accepted.header.flags.contains(.serverOrigin))
        #expect(accepted.header.senderID == keys.sender(keys.server))
        try accepted.verifySignature(with: keys.server.verifyingKey)
        let payload = try HelloAcceptedPayload(decoding: accepted)
        #expect(payload.nonce == nonce)
        #expect(payload.serverTimeMilliseconds == clock.wallMilliseconds)
        await server.shutdown()
    }

    @Test func anUnknownDeviceKeyIsRefused() async throws {
        let server = try await startServer(keys)
        await #expect(
            throws: TransportError.goodbye(reason: "unknown device key: sender \(keys.sender(keys.devices[2]))")
        ) {
            try await connect(server, keys, device: 2)
        }
        await server.shutdown()
    }

    @Test func aHelloWithABadSignatureIsRefused() async throws {
        let clock = TestClock()
        let server = try await startServer(keys, clock: clock.transportClock)
        // Device 1 signs, but the header claims device 0: the signature does not verify under device 0's key.
        let forged = try helloFrame(
            key: keys.devices[1],
            nonce: nonce,
            timestamp: clock.wallMilliseconds,
            sender: keys.sender(keys.devices[0])
        )
        let reason = try await refusal(server, sending: [forged])
        #expect(reason == "bad signature: hello from sender \(keys.sender(keys.devices[0]))")
        await server.shutdown()
    }

    @Test(arguments: [-1, 1]) func aTimestampOutsideTheSkewIsRefused(direction: Int) async throws {
        let serverClock = TestClock()
        let server = try await startServer(keys, clock: serverClock.transportClock)
        let skew = TransportLimits.default.maximumClockSkewMilliseconds
        let clientClock = TestClock(
            wallMilliseconds: direction < 0
                ? serverClock.wallMilliseconds - skew - 1 : serverClock.wallMilliseconds + skew + 1
        )
        await #expect(
            throws: TransportError.goodbye(
                reason: "stale timestamp: \(skew + 1) ms from the server clock, over \(skew) ms"
            )
        ) {
            try await connect(server, keys, clock: clientClock.transportClock)
        }
        // At the edge of the window it is accepted.
        let edgeClock = TestClock(
            wallMilliseconds: direction < 0 ? serverClock.wallMilliseconds - skew : serverClock.wallMilliseconds + skew
        )
        let client = try await connect(server, keys, clock: edgeClock.transportClock)
        await client.close()
        await server.shutdown()
    }

    @Test func aReplayedHelloIsRefused() async throws {
        let clock = TestClock()
        let server = try await startServer(keys, clock: clock.transportClock)
        let hello = try helloFrame(key: keys.devices[0], nonce: nonce, timestamp: clock.wallMilliseconds)
        let first = try await rawExchange(port: server.port, sending: bytes(of: [hello]), untilFrames: 1)
        #expect(first.frames.first?.header.opcode == .helloAccepted)
        let reason = try await refusal(server, sending: [hello])
        #expect(reason == "replayed nonce: sender \(keys.sender(keys.devices[0]))")
        // The same nonce from another device is a different hello.
        let other = try helloFrame(key: keys.devices[1], nonce: nonce, timestamp: clock.wallMilliseconds)
        let third = try await rawExchange(port: server.port, sending: bytes(of: [other]), untilFrames: 1)
        #expect(third.frames.first?.header.opcode == .helloAccepted)
        #expect(server.replayGuard.count == 2)
        await server.shutdown()
    }

    @Test func framesBeforeHelloAreRefused() async throws {
        let server = try await startServer(keys)
        let ping = try testFrame(key: keys.devices[0], opcode: .ping, messageID: 1)
        let reason = try await refusal(server, sending: [ping])
        #expect(reason == "expected hello: the first frame was ping")
        await server.shutdown()
    }

    @Test func aMalformedHelloPayloadIsRefused() async throws {
        let clock = TestClock()
        let server = try await startServer(keys, clock: clock.transportClock)
        let shortNonce = try helloFrame(key: keys.devices[0], nonce: [1, 2, 3], timestamp: clock.wallMilliseconds)
        let reason = try await refusal(server, sending: [shortNonce])
        #expect(reason == "malformed hello: payload of a hello frame is malformed: nonce has 3 bytes, not 16...32")
        await server.shutdown()
    }

    @Test func aSecondHelloAfterTheHandshakeIsRefused() async throws {
        let clock = TestClock()
        let server = try await startServer(keys, clock: clock.transportClock)
        let serverSide = Task {
            let connection = try await nextConnection(server)
            return await drain(connection)
        }
        let first = try helloFrame(key: keys.devices[0], nonce: nonce, timestamp: clock.wallMilliseconds)
        let second = try helloFrame(
            key: keys.devices[0],
            nonce: [UInt8](repeating: 7, count: 16),
            timestamp: clock.wallMilliseconds
        )
        let exchange = try await rawExchange(port: server.port, sending: bytes(of: [first, second]))
        #expect(exchange.frames.map(\.header.opcode) == [.helloAccepted, .goodbye])
        #expect(
            try goodbyeReason(exchange.frames[1], signedBy: keys.server.verifyingKey)
                == "unexpected handshake frame: hello after the handshake"
        )
        #expect(try await serverSide.value.error == .refused(.unexpectedHandshake, detail: "hello after the handshake"))
        await server.shutdown()
    }

    @Test func aClientThatNeverSaysHelloTimesOut() async throws {
        let limits = TransportLimits(handshakeTimeout: .milliseconds(200))
        let server = try await startServer(keys, limits: limits)
        let reason = try await refusal(server, sending: [])
        #expect(reason == "handshake timeout: no handshake within 200 ms")
        await server.shutdown()
    }

    @Test func aClientExpectingAnotherServerKeyRefusesTheServer() async throws {
        let server = try await startServer(keys)
        var generator = DeterministicGenerator(seed: 99)
        let impostorExpected = SigningKey.generate(using: &generator).verifyingKey
        let expected = SenderID(signatureKey: impostorExpected.bytes)
        await #expect(
            throws: TransportError.refused(
                .wrongServerKey,
                detail: "sender \(keys.sender(keys.server)), expected \(expected)"
            )
        ) {
            try await connect(server, keys, serverKey: impostorExpected)
        }
        await server.shutdown()
    }

    @Test func nothingListeningIsAConnectFailure() async throws {
        let server = try await startServer(keys)
        let port = server.port
        await server.shutdown()
        await #expect {
            try await FrameClient.connect(
                host: "127.0.0.1",
                port: port,
                deviceKey: keys.devices[0],
                serverKey: keys.server.verifyingKey
            )
        } throws: { error in
            guard case .connectFailed(let host, let failedPort, _) = error as? TransportError else { return false }
            return host == "127.0.0.1" && failedPort == port
        }
    }
}
