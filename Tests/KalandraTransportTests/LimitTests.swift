import KalandraCore
import KalandraCrypto
import KalandraTransport
import KalandraWire
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(1)))
struct LimitTests {
    let keys = Keys()

    @Test func exceedingTheInboundRateEndsTheSessionWithGoodbyeRate() async throws {
        // The clock does not move: no token comes back, so the burst is all the peer gets.
        let clock = TestClock()
        let limits = TransportLimits(inboundFramesPerSecond: 10, inboundBurstFrames: 5)
        let server = try await startServer(keys, limits: limits, clock: clock.transportClock)
        let serverSide = Task {
            let connection = try await nextConnection(server)
            return await drain(connection)
        }
        let client = try await connect(server, keys, clock: clock.transportClock)
        // The hello took one token; four frames pass, the fifth is over.
        for index in 1...5 {
            try? await client.outbound.send(try testFrame(key: keys.devices[0], messageID: UInt32(index)))
        }
        let seenByServer = try await serverSide.value
        #expect(seenByServer.frames.map(\.header.messageID) == [1, 2, 3, 4])
        #expect(seenByServer.error == .refused(.rate, detail: "over 10 frames/s, burst 5"))
        #expect(await drain(client).error == .goodbye(reason: "rate: over 10 frames/s, burst 5"))
        await server.shutdown()
    }

    @Test func tokensComeBackWithTime() async throws {
        let clock = TestClock()
        let limits = TransportLimits(inboundFramesPerSecond: 10, inboundBurstFrames: 5)
        let server = try await startServer(keys, limits: limits, clock: clock.transportClock)
        let client = try await connect(server, keys, clock: clock.transportClock)
        let connection = try await nextConnection(server)
        var inbound = connection.inbound.makeAsyncIterator()
        var messageID: UInt32 = 0
        var received: [UInt32] = []
        // Sends `count` frames and waits until the server has taken them, so each refill is measured from there.
        func exchange(_ count: Int) async throws {
            for _ in 0..<count {
                messageID += 1
                try await client.outbound.send(try testFrame(key: keys.devices[0], messageID: messageID))
            }
            for _ in 0..<count {
                guard let frame = try await inbound.next() else { throw TestFailure("the session ended") }
                received.append(frame.frame.header.messageID)
            }
        }
        try await exchange(4)  // the hello took the fifth token
        clock.advance(milliseconds: 1000)  // 10 tokens, capped at the burst of 5
        try await exchange(5)
        clock.advance(milliseconds: 500)  // 5 tokens
        try await exchange(5)
        clock.advance(milliseconds: 100)  // 1 token: the second frame is over
        messageID += 1
        try await client.outbound.send(try testFrame(key: keys.devices[0], messageID: messageID))
        messageID += 1
        try? await client.outbound.send(try testFrame(key: keys.devices[0], messageID: messageID))
        #expect(try await inbound.next()?.frame.header.messageID == 15)
        await #expect(throws: TransportError.refused(.rate, detail: "over 10 frames/s, burst 5")) {
            try await inbound.next()
        }
        #expect(received == Array(1...14))
        await client.close()
        await server.shutdown()
    }

    @Test func aClientDoesNotRateLimitItsServer() async throws {
        // A clock that does not move: a client applying the limit would refuse the sixth frame.
        let clock = TestClock()
        let server = try await startServer(keys, clock: clock.transportClock)
        let serverSide = Task {
            let connection = try await nextConnection(server)
            for index in 1...300 {
                try await connection.outbound.send(try testFrame(key: keys.server, messageID: UInt32(index)))
            }
            return connection
        }
        let strict = TransportLimits(inboundFramesPerSecond: 10, inboundBurstFrames: 5)
        let client = try await connect(server, keys, limits: strict, clock: clock.transportClock)
        let received = await drain(client, upTo: 300)
        #expect(received.error == nil)
        #expect(received.frames.map(\.header.messageID) == Array(1...300))
        _ = try await serverSide.value
        await client.close()
        await server.shutdown()
    }

    @Test func aClientThatNeverReadsIsDisconnectedAtTheOutboundLimitAndTheServerStaysUp() async throws {
        let serverLimits = TransportLimits(
            inboundFramesPerSecond: 1000,
            inboundBurstFrames: 1000,
            maximumOutboundQueueFrames: 8,
            maximumOutboundQueueBytes: 1 << 20
        )
        let server = try await startServer(keys, limits: serverLimits)
        // The client buffers two frames and then stops reading its socket: it never iterates its inbound.
        let clientLimits = TransportLimits(inboundBufferFrames: 2)
        let serverSide = Task { () throws -> (sent: Int, error: TransportError?, inbound: TransportError?) in
            let connection = try await nextConnection(server)
            let big = try testFrame(key: keys.server, messageID: 1, contentLength: 64 << 10)
            var sent = 0
            do throws(TransportError) {
                // 64 KiB × 4096 = 256 MiB: far more than any socket buffer.
                for _ in 0..<4096 {
                    try await connection.outbound.send(big)
                    sent += 1
                }
            } catch {
                let after = await drain(connection).error
                return (sent, error, after)
            }
            return (sent, nil, nil)
        }
        let sleeper = try await connect(server, keys, device: 0, limits: clientLimits)
        let outcome = try await serverSide.value
        #expect(outcome.sent < 4096)
        guard case .outboundQueueFull(let frames, let bytes) = outcome.error else {
            Issue.record("expected outboundQueueFull, got \(String(describing: outcome.error))")
            return
        }
        #expect(frames == 8)
        #expect(outcome.inbound == .refused(.outboundQueueFull, detail: "\(frames) frames, \(bytes) bytes unwritten"))

        // The server still serves others.
        let serverSide2 = Task {
            let connection = try await nextConnection(server)
            return await drain(connection, upTo: 1)
        }
        let reader = try await connect(server, keys, device: 1)
        try await reader.outbound.send(try testFrame(key: keys.devices[1], messageID: 3))
        #expect(try await serverSide2.value.frames.map(\.header.messageID) == [3])
        await reader.close()
        await sleeper.close()
        await server.shutdown()
    }

    @Test func anIdleConnectionIsClosedWithGoodbyeIdle() async throws {
        let idle = TimeAmount.seconds(1)
        let limits = TransportLimits(idleTimeout: idle)
        let server = try await startServer(keys, limits: limits)
        let client = try await connect(server, keys)
        #expect(client.parameters.idleTimeoutMilliseconds == 1000)
        #expect(await drain(client).error == .goodbye(reason: "idle: no frame for \(idle)"))
        await server.shutdown()
    }

    @Test func aPeerTricklingBytesIsStillIdle() async throws {
        let limits = TransportLimits(handshakeTimeout: .seconds(30), idleTimeout: .milliseconds(300))
        let server = try await startServer(keys, limits: limits)
        // Half a header, then nothing: no whole frame arrives, so the idle timer fires, not the handshake one.
        var partial = ByteBuffer()
        partial.writeBytes([0x53, 0x55, 0x4E, 0x44, 0x01])
        let exchange = try await rawExchange(port: server.port, sending: partial)
        let goodbye = try #require(exchange.frames.first)
        #expect(try goodbyeReason(goodbye, signedBy: keys.server.verifyingKey) == "idle: no frame for 300 ms")
        await server.shutdown()
    }
}
