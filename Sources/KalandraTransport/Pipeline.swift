import NIOCore
import NIOSSL

/// The handlers of a connection, socket side first: TLS (optional), frame decoder, idle timer (after the decoder,
/// so only whole frames count as activity: a peer trickling bytes is still idle), frame encoder, session.
enum Pipeline {
    static func configure(
        _ channel: any Channel,
        tls: (any ChannelHandler)?,
        session: SessionHandler,
        limits: TransportLimits
    ) throws -> NIOAsyncChannel<ReceivedFrame, Never> {
        let operations = channel.pipeline.syncOperations
        if let tls { try operations.addHandler(tls) }
        try operations.addHandler(
            ByteToMessageHandler(FrameDecoder(maximumPayloadLength: limits.maximumFramePayloadBytes))
        )
        try operations.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
        try operations.addHandler(MessageToByteHandler(FrameEncoder()))
        try operations.addHandler(session)
        let strategy = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
            lowWatermark: limits.inboundBufferFrames / 2,
            highWatermark: limits.inboundBufferFrames
        )
        return try NIOAsyncChannel(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: strategy)
        )
    }
}

/// A connection between accept (or connect) and the end of its handshake.
struct PendingConnection: Sendable {
    var channel: NIOAsyncChannel<ReceivedFrame, Never>
    var established: EventLoopFuture<SessionEstablished>
    var session: NIOLoopBound<SessionHandler>
}
