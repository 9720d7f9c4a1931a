import KalandraWire

/// Why a connection failed or ended. Each case says what was wrong, so a log line is enough to find the cause.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The peer sent bytes that are not a frame (bad header, payload over the limit, truncated at end of stream).
    case malformedFrame(FrameError)
    /// This side refused the peer and closed the connection after sending a `goodbye` with this reason.
    case refused(GoodbyeReason, detail: String)
    /// The peer closed the session with a `goodbye` frame carrying this reason text.
    case goodbye(reason: String)
    /// A frame could not be queued: the peer does not read fast enough; the connection was closed.
    case outboundQueueFull(queuedFrames: Int, queuedBytes: Int)
    /// The connection is closed (or closing); nothing more can be sent.
    case connectionClosed
    /// The connection failed below the frame layer (reset, TLS alert, ...).
    case connectionFailed(String)
    /// The TLS handshake or session failed (certificate not trusted, wrong name, protocol error).
    case tlsFailed(String)
    /// The server could not listen on the address.
    case bindFailed(host: String, port: Int, reason: String)
    /// The client could not reach the server.
    case connectFailed(host: String, port: Int, reason: String)
    /// The TLS configuration could not be built (unreadable or invalid certificate or key).
    case tlsConfiguration(String)

    public var description: String {
        switch self {
        case .malformedFrame(let error): "malformed frame: \(error)"
        case .refused(let reason, let detail):
            detail.isEmpty ? "refused the peer: \(reason.rawValue)" : "refused the peer: \(reason.rawValue): \(detail)"
        case .goodbye(let reason): "the peer closed the session: \(reason)"
        case .outboundQueueFull(let frames, let bytes):
            "outbound queue full (\(frames) frames, \(bytes) bytes not yet written to the socket): the peer is not reading"
        case .connectionClosed: "the connection is closed"
        case .connectionFailed(let reason): "the connection failed: \(reason)"
        case .tlsFailed(let reason): "TLS failed: \(reason)"
        case .bindFailed(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        case .connectFailed(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
        case .tlsConfiguration(let reason): "invalid TLS configuration: \(reason)"
        }
    }
}

/// Why a session was closed: the text of a `goodbye` frame starts with one of these, optionally followed by
/// ": " and a detail.
public enum GoodbyeReason: String, Sendable, CaseIterable {
    /// Server: the first frame of a connection was not `hello`.
    case expectedHello = "expected hello"
    /// Server: the `hello` payload is not `{0: nonce (16...32 bytes), 1: timestamp ms}` or the frame's flags are wrong.
    case malformedHello = "malformed hello"
    /// Server: the `hello`'s sender ID names no registered device key.
    case unknownDeviceKey = "unknown device key"
    /// A handshake or goodbye frame's signature does not verify under the key it claims.
    case badSignature = "bad signature"
    /// Server: the `hello` timestamp is outside the accepted clock skew.
    case staleTimestamp = "stale timestamp"
    /// Server: the `hello` nonce was already used by this sender within the skew window.
    case replayedNonce = "replayed nonce"
    /// The handshake did not complete within the handshake timeout.
    case handshakeTimeout = "handshake timeout"
    /// A `hello` or `helloAccepted` arrived after the handshake, or in the wrong direction.
    case unexpectedHandshake = "unexpected handshake frame"
    /// Client: the server's first frame was neither `helloAccepted` nor `goodbye`.
    case expectedHelloAccepted = "expected helloAccepted"
    /// Client: `helloAccepted` is not the expected schema, or does not echo the hello's nonce.
    case malformedHelloAccepted = "malformed helloAccepted"
    /// Client: `helloAccepted` does not come from the server key the client expects.
    case wrongServerKey = "wrong server key"
    /// The peer sent bytes that are not a valid frame.
    case malformedFrame = "malformed frame"
    /// The peer sent more frames per second than the inbound rate limit allows.
    case rate = "rate"
    /// The peer does not read: more frames or bytes wait to be written to its socket than the limit.
    case outboundQueueFull = "outbound queue full"
    /// No frame arrived within the idle timeout.
    case idle = "idle"
    /// Server: the connection limit is reached.
    case tooManyConnections = "too many connections"
    /// Server: the server is shutting down.
    case shutdown = "server shutting down"
    /// The application closed the session.
    case closing = "closing"

    /// The goodbye text: the reason, then ": " and the detail when there is one.
    func text(detail: String) -> String {
        detail.isEmpty ? rawValue : rawValue + ": " + detail
    }
}
