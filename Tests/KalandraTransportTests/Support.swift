import Foundation
import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraTransport
import KalandraWire
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let state: Mutex<(wall: UInt64, monotonic: UInt64)>

    init(wallMilliseconds: UInt64 = 1_750_000_000_000) {
        state = Mutex((wallMilliseconds, 1_000_000_000))
    }

    var transportClock: TransportClock {
        TransportClock(
            wallMilliseconds: { self.state.withLock { $0.wall } },
            monotonicNanoseconds: { self.state.withLock { $0.monotonic } }
        )
    }

    var wallMilliseconds: UInt64 { state.withLock { $0.wall } }

    func advance(milliseconds: UInt64) {
        state.withLock { state in
            state.wall += milliseconds
            state.monotonic += milliseconds * 1_000_000
        }
    }
}

/// Keys and a directory: device keys 0 and 1 are registered, 2 is not.
struct Keys {
    let server: SigningKey
    let devices: [SigningKey]
    let directory: StaticDeviceKeyDirectory

    init(seed: UInt64 = 1) {
        var generator = DeterministicGenerator(seed: seed)
        server = SigningKey.generate(using: &generator)
        devices = (0..<3).map { _ in SigningKey.generate(using: &generator) }
        directory = StaticDeviceKeyDirectory([devices[0].verifyingKey, devices[1].verifyingKey])
    }

    func sender(_ key: SigningKey) -> SenderID { SenderID(signatureKey: key.verifyingKey.bytes) }
}

/// Generous rate limits for tests that are not about the rate.
let fastLimits = TransportLimits(inboundFramesPerSecond: 1_000_000, inboundBurstFrames: 1_000_000)

func startServer(
    _ keys: Keys,
    limits: TransportLimits = fastLimits,
    clock: TransportClock = .system,
    tls: ServerTLS? = nil
) async throws -> FrameServer {
    try await FrameServer.start(
        .init(serverKey: keys.server, directory: keys.directory, tls: tls, limits: limits, clock: clock)
    )
}

func connect(
    _ server: FrameServer,
    _ keys: Keys,
    device: Int = 0,
    limits: TransportLimits = fastLimits,
    clock: TransportClock = .system,
    tls: ClientTLS? = nil,
    serverKey: VerifyingKey? = nil
) async throws(TransportError) -> FrameClient {
    try await FrameClient.connect(
        host: "127.0.0.1",
        port: server.port,
        deviceKey: keys.devices[device],
        serverKey: serverKey ?? keys.server.verifyingKey,
        tls: tls,
        limits: limits,
        clock: clock
    )
}

/// A signed application frame whose payload is a byte string of `length` content bytes (its CBOR encoding is a
/// few bytes longer), or raw `payloadBytes` when given.
func testFrame(
    key: SigningKey,
    opcode: Opcode = .applicationMessage,
    messageID: UInt32,
    contentLength: Int = 8,
    fill: UInt8 = 0xA5,
    timestamp: UInt64 = 1_750_000_000_000,
    flags: FrameFlags = []
) throws -> Frame {
    let header = FrameHeader(
        flags: flags,
        opcode: opcode,
        roomID: RoomID(high: 7, low: 9),
        senderID: SenderID(signatureKey: key.verifyingKey.bytes),
        timestamp: Timestamp(milliseconds: timestamp)!,
        messageID: messageID
    )
    return try Frame.signed(
        header: header,
        payload: .byteString([UInt8](repeating: fill, count: contentLength)),
        key: key
    )
}

/// Content length whose byte-string CBOR encoding is exactly `payloadBytes` (for lengths ≥ 65,541).
func contentLength(forPayloadBytes payloadBytes: Int) -> Int { payloadBytes - 5 }

/// A signed hello with the given fields.
func helloFrame(
    key: SigningKey,
    nonce: [UInt8],
    timestamp: UInt64,
    sender: SenderID? = nil
) throws -> Frame {
    let header = FrameHeader(
        opcode: .hello,
        roomID: RoomID(high: 0, low: 0),
        senderID: sender ?? SenderID(signatureKey: key.verifyingKey.bytes),
        timestamp: Timestamp(milliseconds: timestamp)!,
        messageID: 1
    )
    return try Frame.signed(
        header: header,
        payload: HelloPayload(nonce: nonce, timestampMilliseconds: timestamp).cbor,
        key: key
    )
}

func bytes(of frames: [Frame]) -> ByteBuffer {
    var buffer = ByteBuffer()
    for frame in frames { frame.encode(into: &buffer) }
    return buffer
}

/// What a raw TCP peer saw.
struct RawExchange {
    var frames: [Frame]
    /// True when the server closed the connection (as opposed to the peer stopping after `untilFrames`).
    var closedByServer: Bool
}

/// Connects without the client library, writes `bytes`, and reads frames until the server closes or `untilFrames`
/// frames arrived.
func rawExchange(port: Int, sending bytes: ByteBuffer, untilFrames: Int? = nil) async throws -> RawExchange {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    // A watchdog closes the connection if the server neither answers nor closes, so a regression fails the test
    // instead of hanging it.
    let timedOut = Mutex(false)
    let watchdog = channel.channel.eventLoop.scheduleTask(in: .seconds(20)) {
        timedOut.withLock { $0 = true }
        channel.channel.close(promise: nil)
    }
    defer { watchdog.cancel() }
    let exchange = try await channel.executeThenClose { inbound, outbound in
        if bytes.readableBytes > 0 { try? await outbound.write(bytes) }
        var received = ByteBuffer()
        var frames: [Frame] = []
        do {
            for try await chunk in inbound {
                received.writeImmutableBuffer(chunk)
                while let frame = try Frame.decodeNext(from: &received) { frames.append(frame) }
                if let untilFrames, frames.count >= untilFrames {
                    return RawExchange(frames: frames, closedByServer: false)
                }
            }
        } catch is FrameError {
            throw TestFailure("the server sent bytes that are not frames")
        } catch {
            // A reset after the server's close still counts as closed.
        }
        return RawExchange(frames: frames, closedByServer: true)
    }
    if timedOut.withLock({ $0 }) { throw TestFailure("the server neither answered nor closed within 20 s") }
    return exchange
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The reason of a goodbye frame, after checking it is signed by `key`.
func goodbyeReason(_ frame: Frame, signedBy key: VerifyingKey) throws -> String {
    #expect(frame.header.opcode == .goodbye)
    try frame.verifySignature(with: key)
    return try GoodbyePayload(decoding: frame).reason
}

/// All frames of `inbound` until it ends (or `limit` frames), and the error it ended with. A watchdog closes the
/// connection through `writer` after `seconds`, so a regression fails the test instead of hanging it.
func drain(
    _ inbound: InboundFrames,
    closing writer: FrameWriter,
    upTo limit: Int = .max,
    within seconds: Int = 20
) async -> (frames: [Frame], error: TransportError?) {
    let watchdog = Task {
        try await Task.sleep(for: .seconds(seconds))
        Issue.record("the inbound sequence did not end within \(seconds) s")
        await writer.close()
    }
    defer { watchdog.cancel() }
    var frames: [Frame] = []
    do {
        for try await received in inbound {
            frames.append(received.frame)
            if frames.count >= limit { return (frames, nil) }
        }
        return (frames, nil)
    } catch {
        return (frames, error)
    }
}

func drain(_ client: FrameClient, upTo limit: Int = .max) async -> (frames: [Frame], error: TransportError?) {
    await drain(client.inbound, closing: client.outbound, upTo: limit)
}

func drain(
    _ connection: AuthenticatedConnection,
    upTo limit: Int = .max
) async -> (frames: [Frame], error: TransportError?) {
    await drain(connection.inbound, closing: connection.outbound, upTo: limit)
}

/// The next authenticated connection of `server`.
func nextConnection(_ server: FrameServer) async throws -> AuthenticatedConnection {
    var iterator = server.connections.makeAsyncIterator()
    guard let connection = await iterator.next() else { throw TestFailure("the server stopped yielding connections") }
    return connection
}

/// The bytes of a frame's payload.
func payloadBytes(_ frame: Frame) -> [UInt8] { Array(buffer: frame.payload) }

extension TransportError {
    /// The goodbye reason text, if this is a goodbye.
    var goodbyeText: String? {
        if case .goodbye(let reason) = self { return reason }
        return nil
    }
}
