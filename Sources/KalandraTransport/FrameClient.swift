import KalandraCore
import KalandraCrypto
import NIOCore
import NIOPosix
import NIOSSL

/// A client's connection to its home server, authenticated both ways: the client proves its device key with
/// `hello`, the server its key with a `helloAccepted` that echoes the hello's nonce.
public final class FrameClient: Sendable {
    /// The server's sender ID (derived from the server key the client expected).
    public let server: SenderID
    /// The session parameters from `helloAccepted`.
    public let parameters: HelloAcceptedPayload
    /// What the server sends.
    public let inbound: InboundFrames
    /// What to send to the server.
    public let outbound: FrameWriter

    private init(server: SenderID, parameters: HelloAcceptedPayload, inbound: InboundFrames, outbound: FrameWriter) {
        self.server = server
        self.parameters = parameters
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Connects, runs the hello exchange and returns the open session. Throws `.connectFailed` when the server
    /// cannot be reached, `.tlsFailed` when its certificate is not trusted, `.goodbye` with the server's reason when
    /// it refuses the hello, `.refused` when its answer is not a `helloAccepted` signed by `serverKey` for this hello.
    public static func connect(
        host: String,
        port: Int,
        deviceKey: SigningKey,
        serverKey: VerifyingKey,
        tls: ClientTLS? = nil,
        limits: TransportLimits = .default,
        clock: TransportClock = .system,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(TransportError) -> FrameClient {
        limits.validate()
        let tlsContext = try tls?.makeContext()
        // An IP address is not a valid SNI name; NIOSSL then checks the certificate against the connected address.
        let serverHostname = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<HelloPayload.nonceLengths.upperBound).map { _ in
            UInt8.random(in: .min ... .max, using: &generator)
        }

        let pending: PendingConnection
        do {
            pending = try await ClientBootstrap(group: group)
                .connectTimeout(limits.handshakeTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let session = SessionHandler(
                            role: .client(serverKey: serverKey, nonce: nonce),
                            ownKey: deviceKey,
                            limits: limits,
                            clock: clock,
                            eventLoop: channel.eventLoop
                        )
                        let tlsHandler = try tlsContext.map {
                            try NIOSSLClientHandler(context: $0, serverHostname: serverHostname)
                        }
                        let wrapped = try Pipeline.configure(channel, tls: tlsHandler, session: session, limits: limits)
                        return PendingConnection(
                            channel: wrapped,
                            established: session.established.futureResult,
                            session: NIOLoopBound(session, eventLoop: channel.eventLoop)
                        )
                    }
                }
        } catch {
            throw .connectFailed(host: host, port: port, reason: String(describing: error))
        }

        let channel = pending.channel.channel
        // NIOAsyncChannel hands out its inbound stream only inside executeThenClose; this task holds that scope open
        // for the connection's lifetime and ends when the channel closes.
        let streamPromise = channel.eventLoop.makePromise(of: NIOAsyncChannelInboundStream<ReceivedFrame>.self)
        Task {
            do {
                try await pending.channel.executeThenClose { inbound in
                    streamPromise.succeed(inbound)
                    try? await channel.closeFuture.get()
                }
            } catch {
                streamPromise.fail(error)
            }
        }

        let established: SessionEstablished
        let stream: NIOAsyncChannelInboundStream<ReceivedFrame>
        do {
            established = try await pending.established.get()
            stream = try await streamPromise.futureResult.get()
        } catch let error as TransportError {
            try? await channel.closeFuture.get()
            throw error
        } catch {
            channel.close(promise: nil)
            throw .connectionFailed(String(describing: error))
        }
        return FrameClient(
            server: established.peer,
            parameters: established.parameters,
            inbound: InboundFrames(stream),
            outbound: FrameWriter(channel: channel, session: pending.session)
        )
    }

    /// Says `goodbye` and closes; returns when the connection is closed.
    public func close() async {
        await outbound.close(reason: .closing)
    }
}
