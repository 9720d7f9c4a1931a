import KalandraCore
import KalandraWire
import NIOCore

/// The bounds one connection lives within. Every count, size, queue and wait of the transport has one here.
public struct TransportLimits: Sendable {
    /// The largest frame payload accepted from the peer; a larger declared length closes the connection
    /// (`FrameError.payloadTooLarge`) before the payload is read.
    public var maximumFramePayloadBytes: Int
    /// Server: a client's sustained rate, in frames per second, the hello included (token bucket refill).
    public var inboundFramesPerSecond: Int
    /// Server: frames a client may send back to back above the sustained rate (token bucket size).
    public var inboundBurstFrames: Int
    /// Frames the application may queue for the peer that are not yet written to the socket.
    public var maximumOutboundQueueFrames: Int
    /// Bytes the application may queue for the peer that are not yet written to the socket.
    public var maximumOutboundQueueBytes: Int
    /// Received frames buffered for the application before the transport stops reading the socket.
    public var inboundBufferFrames: Int
    /// Time from connection to a completed hello exchange.
    public var handshakeTimeout: TimeAmount
    /// Time without a whole frame from the peer before the connection is closed.
    public var idleTimeout: TimeAmount
    /// How long a refused peer is given to receive its `goodbye` before the connection is closed anyway.
    public var goodbyeTimeout: TimeAmount
    /// Server: how far a `hello` timestamp may be from the server's clock, either way, in milliseconds.
    public var maximumClockSkewMilliseconds: UInt64
    /// Server: `hello` nonces remembered for replay protection; the oldest is forgotten first.
    public var maximumRememberedNonces: Int
    /// Server: connections open at once (authenticated or not).
    public var maximumConnections: Int

    /// Limits with the defaults; each argument overrides one.
    public init(
        maximumFramePayloadBytes: Int = Limits.maximumFramePayloadBytes,
        inboundFramesPerSecond: Int = 200,
        inboundBurstFrames: Int = 400,
        maximumOutboundQueueFrames: Int = 1024,
        maximumOutboundQueueBytes: Int = 16 << 20,
        inboundBufferFrames: Int = 64,
        handshakeTimeout: TimeAmount = .seconds(10),
        idleTimeout: TimeAmount = .seconds(300),
        goodbyeTimeout: TimeAmount = .seconds(2),
        maximumClockSkewMilliseconds: UInt64 = 120_000,
        maximumRememberedNonces: Int = 100_000,
        maximumConnections: Int = 10_000
    ) {
        self.maximumFramePayloadBytes = maximumFramePayloadBytes
        self.inboundFramesPerSecond = inboundFramesPerSecond
        self.inboundBurstFrames = inboundBurstFrames
        self.maximumOutboundQueueFrames = maximumOutboundQueueFrames
        self.maximumOutboundQueueBytes = maximumOutboundQueueBytes
        self.inboundBufferFrames = inboundBufferFrames
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.goodbyeTimeout = goodbyeTimeout
        self.maximumClockSkewMilliseconds = maximumClockSkewMilliseconds
        self.maximumRememberedNonces = maximumRememberedNonces
        self.maximumConnections = maximumConnections
    }

    /// The defaults: 1 MiB payloads, 200 frames/s with bursts of 400, 1024 frames or 16 MiB queued outbound, 64
    /// frames buffered inbound, 10 s handshake, 300 s idle, 2 s goodbye, ±120 s skew, 100,000 nonces, 10,000
    /// connections.
    public static let `default` = TransportLimits()

    /// Traps on limits that cannot work together: a configuration error, not input.
    func validate() {
        precondition(
            (0...Int(UInt32.max)).contains(maximumFramePayloadBytes),
            "maximumFramePayloadBytes must fit the header's 32-bit length"
        )
        precondition(
            (1...TokenBucket.maximumSetting).contains(inboundFramesPerSecond)
                && (1...TokenBucket.maximumSetting).contains(inboundBurstFrames),
            "the inbound rate and burst must be in 1...\(TokenBucket.maximumSetting)"
        )
        precondition(maximumOutboundQueueFrames >= 1, "the outbound queue must hold at least one frame")
        precondition(maximumOutboundQueueBytes >= FrameHeader.byteCount, "the outbound queue must hold a frame")
        precondition(inboundBufferFrames >= 2, "the inbound buffer must hold at least two frames")
        precondition(maximumRememberedNonces >= 1 && maximumConnections >= 1, "counts must be positive")
        precondition(
            maximumClockSkewMilliseconds <= Timestamp.maximumMilliseconds,
            "the skew must fit a timestamp"
        )
    }
}

/// Where the transport reads time. Injected so that tests control the rate limiter and the hello skew check.
public struct TransportClock: Sendable {
    /// Wall-clock milliseconds since the Unix epoch: hello timestamps and the timestamps of frames this side signs.
    public var wallMilliseconds: @Sendable () -> UInt64
    /// A monotonic nanosecond count (any origin): the inbound rate limiter.
    public var monotonicNanoseconds: @Sendable () -> UInt64

    public init(
        wallMilliseconds: @escaping @Sendable () -> UInt64,
        monotonicNanoseconds: @escaping @Sendable () -> UInt64
    ) {
        self.wallMilliseconds = wallMilliseconds
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    /// The system's real-time and monotonic clocks.
    public static let system = TransportClock(
        wallMilliseconds: { SystemWallClock.milliseconds() },
        monotonicNanoseconds: { NIODeadline.now().uptimeNanoseconds }
    )

    /// The wall clock as a frame timestamp (clamped to 48 bits).
    func timestamp() -> Timestamp {
        Timestamp(milliseconds: min(wallMilliseconds(), Timestamp.maximumMilliseconds))!
    }
}
