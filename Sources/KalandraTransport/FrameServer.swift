import KalandraCore
import KalandraCrypto
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A client connection whose hello was accepted.
public struct AuthenticatedConnection: Sendable {
    /// The device that proved its key in the hello.
    public let peer: SenderID
    /// The peer's address, for logs.
    public let remoteAddress: String
    /// What the peer sends from now on.
    public let inbound: InboundFrames
    /// What to send to the peer.
    public let outbound: FrameWriter
}

/// Listens for clients, authenticates each with the hello exchange (docs/PROTOCOL.md, "Sessions") and yields the
/// connections that pass on `connections`. Connections refused in the handshake are closed with a `goodbye` and
/// logged, never yielded.
public final class FrameServer: Sendable {
    /// What the server needs to run.
    public struct Configuration: Sendable {
        public var host: String
        /// 0: any free port (see `FrameServer.port`).
        public var port: Int
        /// Signs `helloAccepted` and `goodbye`; clients verify it.
        public var serverKey: SigningKey
        /// The registered device keys.
        public var directory: any DeviceKeyDirectory
        /// nil: plain TCP.
        public var tls: ServerTLS?
        public var limits: TransportLimits
        public var clock: TransportClock
        public var logger: Logger

        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            serverKey: SigningKey,
            directory: any DeviceKeyDirectory,
            tls: ServerTLS? = nil,
            limits: TransportLimits = .default,
            clock: TransportClock = .system,
            logger: Logger = Logger(label: "kalandra.transport.server")
        ) {
            self.host = host
            self.port = port
            self.serverKey = serverKey
            self.directory = directory
            self.tls = tls
            self.limits = limits
            self.clock = clock
            self.logger = logger
        }
    }

    /// The port the server listens on (the one chosen by the system when the configuration said 0).
    public let port: Int
    /// The authenticated connections, in the order their handshakes completed; finishes after `shutdown()`.
    /// Buffers at most `maximumConnections`; the server stays up whether or not anyone reads it.
    public let connections: AsyncStream<AuthenticatedConnection>
    /// The nonces of accepted hellos.
    public let replayGuard: ReplayGuard

    private let listener: any Channel
    private let registry: ConnectionRegistry
    private let serving: Task<Void, Never>

    private init(
        port: Int,
        connections: AsyncStream<AuthenticatedConnection>,
        replayGuard: ReplayGuard,
        listener: any Channel,
        registry: ConnectionRegistry,
        serving: Task<Void, Never>
    ) {
        self.port = port
        self.connections = connections
        self.replayGuard = replayGuard
        self.listener = listener
        self.registry = registry
        self.serving = serving
    }

    /// Starts listening. Throws `.tlsConfiguration` for unusable certificate files, `.bindFailed` when the address
    /// cannot be bound.
    public static func start(
        _ configuration: Configuration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(TransportError) -> FrameServer {
        configuration.limits.validate()
        let tlsContext = try configuration.tls?.makeContext()
        let limits = configuration.limits
        let replayGuard = ReplayGuard(
            capacity: limits.maximumRememberedNonces,
            skewMilliseconds: limits.maximumClockSkewMilliseconds
        )
        let registry = ConnectionRegistry(capacity: limits.maximumConnections)
        let serverKey = configuration.serverKey
        let directory = configuration.directory
        let clock = configuration.clock

        let listener: NIOAsyncChannel<PendingConnection, Never>
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let session = SessionHandler(
                            role: .server(
                                directory: directory,
                                replayGuard: replayGuard,
                                refusal: registry.admit(channel)
                            ),
                            ownKey: serverKey,
                            limits: limits,
                            clock: clock,
                            eventLoop: channel.eventLoop
                        )
                        let tls = tlsContext.map { NIOSSLServerHandler(context: $0) }
                        let wrapped = try Pipeline.configure(channel, tls: tls, session: session, limits: limits)
                        let bound = NIOLoopBound(session, eventLoop: channel.eventLoop)
                        registry.attach(channel, session: bound)
                        return PendingConnection(
                            channel: wrapped,
                            established: session.established.futureResult,
                            session: bound
                        )
                    }
                }
        } catch {
            throw .bindFailed(host: configuration.host, port: configuration.port, reason: String(describing: error))
        }
        guard let port = listener.channel.localAddress?.port else {
            listener.channel.close(promise: nil)
            throw .bindFailed(host: configuration.host, port: configuration.port, reason: "no local port")
        }

        let (connections, continuation) = AsyncStream.makeStream(
            of: AuthenticatedConnection.self,
            bufferingPolicy: .bufferingOldest(limits.maximumConnections)
        )
        let logger = configuration.logger
        let serving = Task {
            await withDiscardingTaskGroup { group in
                do {
                    try await listener.executeThenClose { pendings in
                        for try await pending in pendings {
                            group.addTask { await serve(pending, continuation: continuation, logger: logger) }
                        }
                    }
                } catch {
                    logger.error("listener failed", metadata: ["error": "\(error)"])
                }
            }
            continuation.finish()
        }
        return FrameServer(
            port: port,
            connections: connections,
            replayGuard: replayGuard,
            listener: listener.channel,
            registry: registry,
            serving: serving
        )
    }

    /// One connection: wait for its handshake, hand it to the application, hold it until it closes.
    private static func serve(
        _ pending: PendingConnection,
        continuation: AsyncStream<AuthenticatedConnection>.Continuation,
        logger: Logger
    ) async {
        let channel = pending.channel.channel
        let address = channel.remoteAddress.map { "\($0)" } ?? "unknown"
        do {
            try await pending.channel.executeThenClose { inbound in
                let established: SessionEstablished
                do {
                    established = try await pending.established.get()
                } catch {
                    logger.info("connection refused", metadata: ["peer": "\(address)", "error": "\(error)"])
                    // The session closes the channel after its goodbye; closing here could cut the goodbye off.
                    try? await channel.closeFuture.get()
                    return
                }
                let connection = AuthenticatedConnection(
                    peer: established.peer,
                    remoteAddress: address,
                    inbound: InboundFrames(inbound),
                    outbound: FrameWriter(channel: channel, session: pending.session)
                )
                logger.debug(
                    "connection authenticated",
                    metadata: ["peer": "\(address)", "sender": "\(established.peer)"]
                )
                switch continuation.yield(connection) {
                case .enqueued:
                    try? await channel.closeFuture.get()
                case .dropped:
                    // The application has not taken the connections buffered before this one.
                    await connection.outbound.close(reason: .tooManyConnections)
                case .terminated:
                    await connection.outbound.close(reason: .shutdown)
                @unknown default:
                    await connection.outbound.close(reason: .shutdown)
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["peer": "\(address)", "error": "\(error)"])
        }
    }

    /// Stops accepting, says `goodbye` ("server shutting down") on every open connection, and returns once all are
    /// closed and `connections` has finished.
    public func shutdown() async {
        registry.beginShutdown()
        try? await listener.close()
        for (channel, session) in registry.all() {
            channel.eventLoop.execute { session.value.close(reason: .shutdown) }
        }
        await serving.value
    }
}

/// The open connections, for the connection limit and for shutdown.
final class ConnectionRegistry: Sendable {
    private struct Entry: Sendable {
        var channel: any Channel
        var session: NIOLoopBound<SessionHandler>?
    }

    private struct State: Sendable {
        var entries: [ObjectIdentifier: Entry] = [:]
        var shuttingDown = false
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// Counts `channel` in until it closes and returns nil, or returns why it cannot be taken; a refused channel is
    /// not counted, and its session closes it within the goodbye timeout.
    func admit(_ channel: any Channel) -> GoodbyeReason? {
        let key = ObjectIdentifier(channel)
        let refusal: GoodbyeReason? = state.withLock { state in
            if state.shuttingDown { return .shutdown }
            guard state.entries.count < capacity else { return .tooManyConnections }
            state.entries[key] = Entry(channel: channel, session: nil)
            return nil
        }
        if refusal == nil {
            channel.closeFuture.whenComplete { _ in _ = self.state.withLock { $0.entries.removeValue(forKey: key) } }
        }
        return refusal
    }

    /// Records the session of an admitted channel, so shutdown can say goodbye through it.
    func attach(_ channel: any Channel, session: NIOLoopBound<SessionHandler>) {
        state.withLock { state in state.entries[ObjectIdentifier(channel)]?.session = session }
    }

    func beginShutdown() { state.withLock { $0.shuttingDown = true } }

    func all() -> [(any Channel, NIOLoopBound<SessionHandler>)] {
        state.withLock { state in state.entries.values.compactMap { entry in entry.session.map { (entry.channel, $0) } }
        }
    }
}
