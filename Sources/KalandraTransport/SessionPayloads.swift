import KalandraCBOR
import KalandraWire

// Payloads of the session frames (docs/PROTOCOL.md, "Sessions"): CBOR maps with small unsigned-integer keys, exactly
// the keys listed, in core deterministic encoding; anything else is `FrameError.payloadSchemaMismatch`.

/// `hello` (client → server): `{0: nonce (bstr, 16...32 bytes), 1: timestamp ms (uint)}`, signed with the device key.
public struct HelloPayload: Sendable, Equatable {
    /// Nonce lengths accepted: at least 128 bits so that honest clients never collide.
    public static let nonceLengths = 16...32

    /// Fresh random bytes; the server refuses a nonce it has seen from this sender within the skew window.
    public var nonce: [UInt8]
    /// The client's clock in milliseconds since the Unix epoch; the server refuses one outside its skew.
    public var timestampMilliseconds: UInt64

    public init(nonce: [UInt8], timestampMilliseconds: UInt64) {
        self.nonce = nonce
        self.timestampMilliseconds = timestampMilliseconds
    }

    public var cbor: CBOR {
        .map([.init(key: 0, value: .byteString(nonce)), .init(key: 1, value: .unsignedInteger(timestampMilliseconds))])
    }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try SessionPayloadMap(frame, keys: [0, 1])
        nonce = try map.bytes(0)
        guard Self.nonceLengths.contains(nonce.count) else {
            throw .payloadSchemaMismatch(opcode: .hello, reason: "nonce has \(nonce.count) bytes, not 16...32")
        }
        timestampMilliseconds = try map.unsigned(1)
    }
}

/// `helloAccepted` (server → client): `{0: the hello's nonce, 1: server time ms, 2: maximum frame payload bytes,
/// 3: idle timeout ms}`, signed with the server key. Echoing the nonce binds the answer to this hello, so a recorded
/// `helloAccepted` cannot open another session.
public struct HelloAcceptedPayload: Sendable, Equatable {
    /// The nonce of the `hello` this answers.
    public var nonce: [UInt8]
    /// The server's clock when it accepted.
    public var serverTimeMilliseconds: UInt64
    /// The largest payload the server accepts.
    public var maximumFramePayloadBytes: UInt64
    /// How long the server keeps a connection on which no frame arrives.
    public var idleTimeoutMilliseconds: UInt64

    public init(
        nonce: [UInt8],
        serverTimeMilliseconds: UInt64,
        maximumFramePayloadBytes: UInt64,
        idleTimeoutMilliseconds: UInt64
    ) {
        self.nonce = nonce
        self.serverTimeMilliseconds = serverTimeMilliseconds
        self.maximumFramePayloadBytes = maximumFramePayloadBytes
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
    }

    public var cbor: CBOR {
        .map([
            .init(key: 0, value: .byteString(nonce)),
            .init(key: 1, value: .unsignedInteger(serverTimeMilliseconds)),
            .init(key: 2, value: .unsignedInteger(maximumFramePayloadBytes)),
            .init(key: 3, value: .unsignedInteger(idleTimeoutMilliseconds)),
        ])
    }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try SessionPayloadMap(frame, keys: [0, 1, 2, 3])
        nonce = try map.bytes(0)
        serverTimeMilliseconds = try map.unsigned(1)
        maximumFramePayloadBytes = try map.unsigned(2)
        idleTimeoutMilliseconds = try map.unsigned(3)
    }
}

/// `goodbye` (either direction): `{0: reason (tstr, at most 512 bytes)}`, signed by the side that closes.
public struct GoodbyePayload: Sendable, Equatable {
    /// The longest reason text sent or accepted, in UTF-8 bytes.
    public static let maximumReasonBytes = 512

    /// Why the session ends: a `GoodbyeReason` raw value, optionally followed by ": " and a detail.
    public var reason: String

    /// A goodbye; a reason over 512 bytes is cut at a character boundary.
    public init(reason: String) {
        var text = reason
        while text.utf8.count > Self.maximumReasonBytes { text.removeLast() }
        self.reason = text
    }

    public var cbor: CBOR { .map([.init(key: 0, value: .textString(reason))]) }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try SessionPayloadMap(frame, keys: [0])
        guard let text = map.entries[0]?.textStringValue, text.utf8.count <= Self.maximumReasonBytes else {
            throw .payloadSchemaMismatch(opcode: .goodbye, reason: "key 0 is not a text of at most 512 bytes")
        }
        reason = text
    }
}

/// A session payload map with exactly `keys`.
struct SessionPayloadMap {
    let entries: [UInt64: CBOR]
    let opcode: Opcode

    init(_ frame: Frame, keys: Set<UInt64>) throws(FrameError) {
        opcode = frame.header.opcode
        guard let map = try frame.decodePayload().mapValue else {
            throw .payloadSchemaMismatch(opcode: opcode, reason: "not a map")
        }
        var entries: [UInt64: CBOR] = [:]
        for entry in map {
            guard let key = entry.key.unsignedIntegerValue, keys.contains(key) else {
                throw .payloadSchemaMismatch(opcode: opcode, reason: "unexpected key \(entry.key)")
            }
            entries[key] = entry.value
        }
        for key in keys.sorted() where entries[key] == nil {
            throw .payloadSchemaMismatch(opcode: opcode, reason: "key \(key) missing")
        }
        self.entries = entries
    }

    func bytes(_ key: UInt64) throws(FrameError) -> [UInt8] {
        guard let bytes = entries[key]?.byteStringValue else {
            throw .payloadSchemaMismatch(opcode: opcode, reason: "key \(key) is not a byte string")
        }
        return bytes
    }

    func unsigned(_ key: UInt64) throws(FrameError) -> UInt64 {
        guard let value = entries[key]?.unsignedIntegerValue else {
            throw .payloadSchemaMismatch(opcode: opcode, reason: "key \(key) is not an unsigned integer")
        }
        return value
    }
}
