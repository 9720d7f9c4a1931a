import KalandraWire
import NIOCore

/// The frames the peer sends, in order, after the handshake. Ends (nil) when the connection closes normally and
/// throws a `TransportError` saying why otherwise (`.goodbye` from the peer, `.refused` by this side,
/// `.malformedFrame`, ...). Single-pass: only one iterator may be made. While nobody iterates, at most
/// `TransportLimits.inboundBufferFrames` frames are buffered and then the socket is no longer read.
public struct InboundFrames: AsyncSequence, Sendable {
    public typealias Element = ReceivedFrame
    public typealias Failure = TransportError

    private let stream: NIOAsyncChannelInboundStream<ReceivedFrame>

    init(_ stream: NIOAsyncChannelInboundStream<ReceivedFrame>) { self.stream = stream }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator()) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Element = ReceivedFrame
        public typealias Failure = TransportError

        private var base: NIOAsyncChannelInboundStream<ReceivedFrame>.AsyncIterator

        init(base: NIOAsyncChannelInboundStream<ReceivedFrame>.AsyncIterator) { self.base = base }

        public mutating func next() async throws(TransportError) -> ReceivedFrame? {
            do {
                return try await base.next()
            } catch let error as TransportError {
                throw error
            } catch {
                throw .connectionFailed(String(describing: error))
            }
        }
    }
}

/// Sends frames to the peer. `send` returns once the frame is queued (it does not wait for the peer to read), so a
/// slow peer cannot stall the sender; a peer that lets more than the outbound limit pile up is disconnected.
public struct FrameWriter: Sendable {
    private let channel: any Channel
    private let session: NIOLoopBound<SessionHandler>

    init(channel: any Channel, session: NIOLoopBound<SessionHandler>) {
        self.channel = channel
        self.session = session
    }

    /// Queues `frame`. Throws `.outboundQueueFull` (and closes the connection) when the peer is too far behind,
    /// `.connectionClosed` when the session is not open.
    public func send(_ frame: Frame) async throws(TransportError) {
        let session = self.session
        let outcome: Result<Void, TransportError>
        do {
            outcome = try await channel.eventLoop.submit {
                Result { () throws(TransportError) in try session.value.enqueue(frame) }
            }.get()
        } catch {
            // The event loop is gone: so is the connection.
            throw .connectionClosed
        }
        try outcome.get()
    }

    /// Says `goodbye` with `reason` and closes; returns when the connection is closed.
    public func close(reason: GoodbyeReason = .closing) async {
        let session = self.session
        channel.eventLoop.execute { session.value.close(reason: reason) }
        try? await channel.closeFuture.get()
    }
}
