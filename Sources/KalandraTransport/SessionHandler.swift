import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraWire
import NIOCore
import NIOSSL

/// A frame from the peer of an authenticated connection, with the sender ID that connection proved in its handshake
/// (the device key for a server, the server key for a client). The frame's own header sender may differ: room frames
/// are signed with MLS keys and checked by the sequencer, not here.
public struct ReceivedFrame: Sendable {
    /// The frame as received.
    public var frame: Frame
    /// Who authenticated this connection.
    public var peer: SenderID

    public init(frame: Frame, peer: SenderID) {
        self.frame = frame
        self.peer = peer
    }
}

/// What the handshake established.
struct SessionEstablished: Sendable {
    var peer: SenderID
    var parameters: HelloAcceptedPayload
}

/// The part of a session that differs between the two ends.
enum SessionRole {
    /// Server end: waits for `hello`, checks it, answers `helloAccepted`.
    /// `refusal`: why the server cannot take this connection at all (full, shutting down), or nil.
    case server(directory: any DeviceKeyDirectory, replayGuard: ReplayGuard, refusal: GoodbyeReason?)
    /// Client end: sends `hello` with `nonce`, waits for a `helloAccepted` signed by `serverKey` echoing it.
    case client(serverKey: VerifyingKey, nonce: [UInt8])
}

/// One connection's session, between the frame codec and the application: the hello handshake, the inbound rate
/// limit, the outbound queue bound, the handshake and idle timeouts, and closing with a signed `goodbye`. Lives on
/// the channel's event loop; the application reaches it through `FrameWriter` and `InboundFrames`.
final class SessionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias InboundOut = ReceivedFrame
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    private enum State {
        case handshaking
        case open(peer: SenderID, peerKey: VerifyingKey)
        case closing
    }

    private let role: SessionRole
    private let ownKey: SigningKey
    private let ownSender: SenderID
    private let limits: TransportLimits
    private let clock: TransportClock
    /// Completed once: with the peer when the handshake succeeds, with the reason otherwise.
    let established: EventLoopPromise<SessionEstablished>
    private var establishedCompleted = false

    private var state = State.handshaking
    private var context: ChannelHandlerContext?
    private var started = false
    private var bucket: TokenBucket
    private var queuedFrames = 0
    private var queuedBytes = 0
    private var nextMessageID: UInt32 = 0
    private var handshakeTimer: Scheduled<Void>?

    init(
        role: SessionRole,
        ownKey: SigningKey,
        limits: TransportLimits,
        clock: TransportClock,
        eventLoop: any EventLoop
    ) {
        self.role = role
        self.ownKey = ownKey
        self.ownSender = SenderID(signatureKey: ownKey.verifyingKey.bytes)
        self.limits = limits
        self.clock = clock
        self.established = eventLoop.makePromise()
        self.bucket = TokenBucket(
            ratePerSecond: limits.inboundFramesPerSecond,
            burst: limits.inboundBurstFrames,
            now: clock.monotonicNanoseconds()
        )
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        completeEstablished(.failure(TransportError.connectionClosed))
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: limits.handshakeTimeout) {
            self.refuse(.handshakeTimeout, detail: "no handshake within \(self.limits.handshakeTimeout)")
        }
        switch role {
        case .server(_, _, let refusal):
            if let refusal { refuse(refusal, detail: "") }
        case .client(_, let nonce):
            let hello = HelloPayload(nonce: nonce, timestampMilliseconds: clock.wallMilliseconds())
            writeSigned(.hello, payload: hello.cbor, context: context, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        state = .closing
        completeEstablished(.failure(TransportError.connectionClosed))
        context.fireChannelInactive()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if case .closing = state { return }
        // Only a server limits its peer's rate: a client trusts its own server, whose catch-up comes in bursts.
        guard !role.isServer || bucket.take(now: clock.monotonicNanoseconds()) else {
            refuse(.rate, detail: "over \(limits.inboundFramesPerSecond) frames/s, burst \(limits.inboundBurstFrames)")
            return
        }
        switch state {
        case .handshaking:
            switch role {
            case .server(let directory, let replayGuard, _):
                acceptHello(frame, directory: directory, replayGuard: replayGuard, context: context)
            case .client(let serverKey, let nonce):
                acceptHelloAccepted(frame, serverKey: serverKey, nonce: nonce)
            }
        case .open(let peer, let peerKey):
            switch frame.header.opcode {
            case .goodbye:
                peerSaidGoodbye(frame, peerKey: peerKey, context: context)
            case .hello, .helloAccepted:
                refuse(.unexpectedHandshake, detail: "\(frame.header.opcode) after the handshake")
            default:
                context.fireChannelRead(wrapInboundOut(ReceivedFrame(frame: frame, peer: peer)))
            }
        case .closing:
            return
        }
    }

    /// Server: the checks, in the order docs/PROTOCOL.md gives them.
    private func acceptHello(
        _ frame: Frame,
        directory: any DeviceKeyDirectory,
        replayGuard: ReplayGuard,
        context: ChannelHandlerContext
    ) {
        let header = frame.header
        guard header.opcode == .hello else {
            refuse(.expectedHello, detail: "the first frame was \(header.opcode)")
            return
        }
        guard !header.flags.contains(.serverOrigin) else {
            refuse(.malformedHello, detail: "a hello must not carry the serverOrigin flag")
            return
        }
        guard let deviceKey = directory.verifyingKey(for: header.senderID) else {
            refuse(.unknownDeviceKey, detail: "sender \(header.senderID)")
            return
        }
        do {
            try frame.verifySignature(with: deviceKey)
        } catch {
            refuse(.badSignature, detail: "hello from sender \(header.senderID)")
            return
        }
        let hello: HelloPayload
        do {
            hello = try HelloPayload(decoding: frame)
        } catch {
            refuse(.malformedHello, detail: error.description)
            return
        }
        let now = clock.wallMilliseconds()
        let skew = limits.maximumClockSkewMilliseconds
        let distance =
            hello.timestampMilliseconds > now ? hello.timestampMilliseconds - now : now - hello.timestampMilliseconds
        guard distance <= skew else {
            refuse(.staleTimestamp, detail: "\(distance) ms from the server clock, over \(skew) ms")
            return
        }
        guard
            replayGuard.admit(
                sender: header.senderID,
                nonce: hello.nonce,
                timestamp: hello.timestampMilliseconds,
                now: now
            )
        else {
            refuse(.replayedNonce, detail: "sender \(header.senderID)")
            return
        }
        let accepted = HelloAcceptedPayload(
            nonce: hello.nonce,
            serverTimeMilliseconds: now,
            maximumFramePayloadBytes: UInt64(limits.maximumFramePayloadBytes),
            idleTimeoutMilliseconds: UInt64(max(0, limits.idleTimeout.nanoseconds / 1_000_000))
        )
        handshakeTimer?.cancel()
        state = .open(peer: header.senderID, peerKey: deviceKey)
        writeSigned(.helloAccepted, payload: accepted.cbor, context: context, promise: nil)
        completeEstablished(.success(SessionEstablished(peer: header.senderID, parameters: accepted)))
    }

    /// Client: the server's answer must be a `helloAccepted` from the expected key, echoing our nonce.
    private func acceptHelloAccepted(_ frame: Frame, serverKey: VerifyingKey, nonce: [UInt8]) {
        let header = frame.header
        let serverSender = SenderID(signatureKey: serverKey.bytes)
        if header.opcode == .goodbye, header.senderID == serverSender, let reason = verifiedGoodbye(frame, serverKey) {
            state = .closing
            let error = TransportError.goodbye(reason: reason)
            completeEstablished(.failure(error))
            context?.fireErrorCaught(error)
            context?.close(promise: nil)
            return
        }
        guard header.opcode == .helloAccepted else {
            refuse(.expectedHelloAccepted, detail: "the first frame was \(header.opcode)")
            return
        }
        guard header.flags.contains(.serverOrigin), header.senderID == serverSender else {
            refuse(.wrongServerKey, detail: "sender \(header.senderID), expected \(serverSender)")
            return
        }
        do {
            try frame.verifySignature(with: serverKey)
        } catch {
            refuse(.badSignature, detail: "helloAccepted")
            return
        }
        let accepted: HelloAcceptedPayload
        do {
            accepted = try HelloAcceptedPayload(decoding: frame)
        } catch {
            refuse(.malformedHelloAccepted, detail: error.description)
            return
        }
        guard accepted.nonce == nonce else {
            refuse(.malformedHelloAccepted, detail: "the nonce is not the hello's")
            return
        }
        handshakeTimer?.cancel()
        state = .open(peer: serverSender, peerKey: serverKey)
        completeEstablished(.success(SessionEstablished(peer: serverSender, parameters: accepted)))
    }

    /// The reason of a goodbye whose signature verifies under `key`, or nil.
    private func verifiedGoodbye(_ frame: Frame, _ key: VerifyingKey) -> String? {
        do {
            try frame.verifySignature(with: key)
            return try GoodbyePayload(decoding: frame).reason
        } catch {
            return nil
        }
    }

    private func peerSaidGoodbye(_ frame: Frame, peerKey: VerifyingKey, context: ChannelHandlerContext) {
        state = .closing
        // An unverifiable goodbye still ends the session (the peer is leaving either way), but says so.
        let reason = verifiedGoodbye(frame, peerKey) ?? "unverified goodbye from sender \(frame.header.senderID)"
        context.fireErrorCaught(TransportError.goodbye(reason: reason))
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            refuse(.idle, detail: "no frame for \(limits.idleTimeout)")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .closing = state { return }
        if let transport = error as? TransportError, case .malformedFrame(let frameError) = transport {
            refuse(.malformedFrame, detail: frameError.description, surfacing: transport)
            return
        }
        // Below the frame layer (reset, TLS): nothing can be sent, so no goodbye.
        state = .closing
        handshakeTimer?.cancel()
        let isTLS = error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
        let failure: TransportError =
            isTLS ? .tlsFailed(String(describing: error)) : .connectionFailed(String(describing: error))
        completeEstablished(.failure(failure))
        context.fireErrorCaught(failure)
        context.close(promise: nil)
    }

    // MARK: Outbound

    /// Queues `frame` for the peer and returns without waiting for the socket. Throws when the session is not open,
    /// or when the queue is full, in which case the session is closed.
    func enqueue(_ frame: Frame) throws(TransportError) {
        guard let context, case .open = state else { throw .connectionClosed }
        let bytes = frame.byteCount
        guard queuedFrames < limits.maximumOutboundQueueFrames, queuedBytes + bytes <= limits.maximumOutboundQueueBytes
        else {
            let error = TransportError.outboundQueueFull(queuedFrames: queuedFrames, queuedBytes: queuedBytes)
            refuse(.outboundQueueFull, detail: "\(queuedFrames) frames, \(queuedBytes) bytes unwritten")
            throw error
        }
        queuedFrames += 1
        queuedBytes += bytes
        // NIO completes a write's promise once its bytes are handed to the socket (or the write failed), so the
        // counters hold exactly the frames still waiting for the peer to read.
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { _ in
            self.queuedFrames -= 1
            self.queuedBytes -= bytes
        }
        context.writeAndFlush(wrapOutboundOut(frame), promise: promise)
    }

    /// Closes the session from this side: `goodbye` with `reason`, then close. The application's inbound sequence
    /// ends without an error.
    func close(reason: GoodbyeReason) {
        refuse(reason, detail: "", surfacing: nil)
    }

    /// Ends the session: sends a signed `goodbye` saying why, closes once it is written (or after the goodbye timeout
    /// if the peer does not read), fails a pending handshake, and ends the application's inbound sequence with
    /// `surfacing` (by default `.refused(reason, detail:)`).
    private func refuse(_ reason: GoodbyeReason, detail: String) {
        refuse(reason, detail: detail, surfacing: .refused(reason, detail: detail))
    }

    private func refuse(_ reason: GoodbyeReason, detail: String, surfacing error: TransportError?) {
        guard let context else { return }
        if case .closing = state { return }
        state = .closing
        handshakeTimer?.cancel()
        // Tell the application first: writing the goodbye can close the channel at once, and once it is inactive
        // the inbound sequence has ended and the reason could no longer reach it.
        completeEstablished(.failure(error ?? .connectionClosed))
        if let error { context.fireErrorCaught(error) }
        let goodbye = GoodbyePayload(reason: reason.text(detail: detail))
        if reason == .outboundQueueFull {
            // The peer is not reading: the goodbye would wait behind everything else. Send it and close at once.
            writeSigned(.goodbye, payload: goodbye.cbor, context: context, promise: nil)
            context.close(promise: nil)
        } else {
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            writeSigned(.goodbye, payload: goodbye.cbor, context: context, promise: written)
            context.eventLoop.assumeIsolated().scheduleTask(in: limits.goodbyeTimeout) {
                context.close(promise: nil)
            }
        }
    }

    /// Signs and writes a session frame originated by this side.
    private func writeSigned(
        _ opcode: Opcode,
        payload: CBOR,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?
    ) {
        nextMessageID &+= 1
        let header = FrameHeader(
            flags: role.isServer ? [.serverOrigin] : [],
            opcode: opcode,
            roomID: RoomID(high: 0, low: 0),
            senderID: ownSender,
            timestamp: clock.timestamp(),
            messageID: nextMessageID
        )
        do {
            let frame = try Frame.signed(header: header, payload: payload, key: ownKey)
            context.writeAndFlush(wrapOutboundOut(frame), promise: promise)
        } catch {
            // Session payloads are a few hundred bytes; signing refuses only payloads over 4 GiB.
            preconditionFailure("signing a session frame failed: \(error)")
        }
    }

    private func completeEstablished(_ result: Result<SessionEstablished, TransportError>) {
        guard !establishedCompleted else { return }
        establishedCompleted = true
        switch result {
        case .success(let value): established.succeed(value)
        case .failure(let error): established.fail(error)
        }
    }
}

extension SessionRole {
    var isServer: Bool {
        if case .server = self { return true }
        return false
    }
}
