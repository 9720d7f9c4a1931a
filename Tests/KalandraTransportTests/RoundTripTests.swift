import KalandraCore
import KalandraCrypto
import KalandraTransport
import KalandraWire
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(1)))
struct RoundTripTests {
    let keys = Keys()

    @Test func manyFramesBothWaysIncludingOneAtThePayloadLimit() async throws {
        let server = try await startServer(keys)
        let limit = fastLimits.maximumFramePayloadBytes
        let count = 300
        // The last frame each way has a payload of exactly the limit.
        func frames(_ key: SigningKey) throws -> [Frame] {
            try (1...count).map { index in
                let length = index == count ? contentLength(forPayloadBytes: limit) : index % 97
                return try testFrame(
                    key: key,
                    messageID: UInt32(index),
                    contentLength: length,
                    fill: UInt8(index & 0xFF)
                )
            }
        }
        let fromClient = try frames(keys.devices[0])
        let fromServer = try frames(keys.server)
        #expect(fromClient.last?.payload.readableBytes == limit)

        let serverSide = Task {
            let connection = try await nextConnection(server)
            #expect(connection.peer == keys.sender(keys.devices[0]))
            for frame in fromServer { try await connection.outbound.send(frame) }
            return await drain(connection, upTo: count)
        }
        let client = try await connect(server, keys)
        #expect(client.server == keys.sender(keys.server))
        #expect(client.parameters.maximumFramePayloadBytes == UInt64(limit))
        for frame in fromClient { try await client.outbound.send(frame) }
        let receivedByClient = await drain(client, upTo: count)
        let receivedByServer = try await serverSide.value

        #expect(receivedByClient.error == nil)
        #expect(receivedByServer.error == nil)
        #expect(receivedByClient.frames.map(\.header) == fromServer.map(\.header))
        #expect(receivedByServer.frames.map(\.header) == fromClient.map(\.header))
        #expect(receivedByClient.frames.map(payloadBytes) == fromServer.map(payloadBytes))
        #expect(receivedByServer.frames.map(payloadBytes) == fromClient.map(payloadBytes))
        for frame in receivedByServer.frames { try frame.verifySignature(with: keys.devices[0].verifyingKey) }

        await client.close()
        await server.shutdown()
    }

    @Test func aPayloadOneByteOverTheLimitFromTheClientClosesTheConnection() async throws {
        let limits = TransportLimits(
            maximumFramePayloadBytes: 4096,
            inboundFramesPerSecond: 1000,
            inboundBurstFrames: 1000
        )
        let server = try await startServer(keys, limits: limits)
        let serverSide = Task {
            let connection = try await nextConnection(server)
            return await drain(connection)
        }
        let client = try await connect(server, keys, limits: limits)
        let atLimit = try testFrame(key: keys.devices[0], messageID: 1, contentLength: 4096 - 3)
        let overLimit = try testFrame(key: keys.devices[0], messageID: 2, contentLength: 4097 - 3)
        #expect(atLimit.payload.readableBytes == 4096)
        #expect(overLimit.payload.readableBytes == 4097)
        try await client.outbound.send(atLimit)
        try await client.outbound.send(overLimit)

        let seenByServer = try await serverSide.value
        #expect(seenByServer.frames.map(\.header) == [atLimit.header])
        #expect(seenByServer.error == .malformedFrame(.payloadTooLarge(length: 4097, limit: 4096)))
        let seenByClient = await drain(client)
        #expect(seenByClient.frames.isEmpty)
        let reason = try #require(seenByClient.error?.goodbyeText)
        #expect(reason.hasPrefix("malformed frame: payload of 4097 bytes is over the limit of 4096 bytes"))
        await server.shutdown()
    }

    @Test func aPayloadOverTheClientsLimitFromTheServerClosesTheConnection() async throws {
        let server = try await startServer(keys)
        let clientLimits = TransportLimits(maximumFramePayloadBytes: 1000)
        let serverSide = Task {
            let connection = try await nextConnection(server)
            try await connection.outbound.send(try testFrame(key: keys.server, messageID: 1, contentLength: 997))
            try await connection.outbound.send(try testFrame(key: keys.server, messageID: 2, contentLength: 998))
            return await drain(connection)
        }
        let client = try await connect(server, keys, limits: clientLimits)
        let seenByClient = await drain(client)
        #expect(seenByClient.frames.map(\.header.messageID) == [1])
        #expect(seenByClient.error == .malformedFrame(.payloadTooLarge(length: 1001, limit: 1000)))
        let seenByServer = try await serverSide.value
        #expect(seenByServer.error?.goodbyeText?.hasPrefix("malformed frame") == true)
        await server.shutdown()
    }

    @Test func garbageBytesCloseThatConnectionAndTheServerKeepsServing() async throws {
        let server = try await startServer(keys)
        var garbage = ByteBuffer()
        garbage.writeBytes((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        let exchange = try await rawExchange(port: server.port, sending: garbage)
        #expect(exchange.closedByServer)
        let goodbye = try #require(exchange.frames.first)
        let reason = try goodbyeReason(goodbye, signedBy: keys.server.verifyingKey)
        #expect(reason.hasPrefix("malformed frame: not a Kalandra frame"))
        #expect(goodbye.header.flags.contains(.serverOrigin))

        // Other connections are unaffected.
        let serverSide = Task {
            let connection = try await nextConnection(server)
            return await drain(connection, upTo: 1)
        }
        let client = try await connect(server, keys, device: 1)
        let frame = try testFrame(key: keys.devices[1], messageID: 5)
        try await client.outbound.send(frame)
        #expect(try await serverSide.value.frames.map(\.header) == [frame.header])
        await client.close()
        await server.shutdown()
    }

    @Test func theApplicationClosingEndsThePeersInboundWithItsGoodbye() async throws {
        let server = try await startServer(keys)
        let serverSide = Task {
            let connection = try await nextConnection(server)
            return await drain(connection)
        }
        let client = try await connect(server, keys)
        await client.close()
        let seenByServer = try await serverSide.value
        #expect(seenByServer.error == .goodbye(reason: "closing"))
        await #expect(throws: TransportError.connectionClosed) {
            try await client.outbound.send(try testFrame(key: keys.devices[0], messageID: 1))
        }
        await server.shutdown()
    }

    @Test func shutdownSaysGoodbyeToEveryConnectionAndFinishesTheStream() async throws {
        let server = try await startServer(keys)
        let first = try await connect(server, keys, device: 0)
        let second = try await connect(server, keys, device: 1)
        // Both are authenticated before shutdown begins.
        var iterator = server.connections.makeAsyncIterator()
        _ = await iterator.next()
        _ = await iterator.next()
        await server.shutdown()
        #expect(await drain(first).error == .goodbye(reason: "server shutting down"))
        #expect(await drain(second).error == .goodbye(reason: "server shutting down"))
        let end = await iterator.next()
        #expect(end == nil)
        await #expect(throws: TransportError.self) { try await connect(server, keys) }
    }

    @Test func theConnectionLimitRefusesTheNextConnection() async throws {
        let limits = TransportLimits(inboundFramesPerSecond: 1000, inboundBurstFrames: 1000, maximumConnections: 1)
        let server = try await startServer(keys, limits: limits)
        let first = try await connect(server, keys, device: 0)
        await #expect(throws: TransportError.goodbye(reason: "too many connections")) {
            try await connect(server, keys, device: 1)
        }
        await first.close()
        // The slot is free again once the first connection is gone.
        var admitted: FrameClient?
        for _ in 0..<50 where admitted == nil {
            admitted = try? await connect(server, keys, device: 1)
            if admitted == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(admitted != nil)
        await admitted?.close()
        await server.shutdown()
    }
}
