import KalandraCBOR
import KalandraCore

// Payloads of the room exchange between a client and its room's sequencer (docs/PROTOCOL.md, "Room sequencing").
// Each is a CBOR map with small unsigned-integer keys, exactly the keys listed (optional ones may be absent), in core
// deterministic encoding; anything else is `FrameError.payloadSchemaMismatch` naming what was wrong.

/// `createRoom`, `proposal` and `commit` (client → server): an MLS message and what travels with it.
public struct HandshakePayload: Sendable, Equatable {
    /// `createRoom`: the group's GroupInfo (with its `ratchet_tree` extension); `proposal`, `commit`: the
    /// MLSMessage (a PublicMessage).
    public var message: [UInt8]
    /// `commit`: the Welcome for the members it adds, if any.
    public var welcome: [UInt8]?

    public init(message: [UInt8], welcome: [UInt8]? = nil) {
        self.message = message
        self.welcome = welcome
    }

    /// `{0: bstr, ?1: bstr}`.
    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [.init(key: 0, value: .byteString(message))]
        if let welcome { entries.append(.init(key: 1, value: .byteString(welcome))) }
        return .map(entries)
    }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try RoomPayloadMap(frame, required: [0], optional: [1])
        message = try map.bytes(0)
        welcome = try map.optionalBytes(1)
    }
}

/// `accepted` (server → client): the frame with the header's message ID is durable at the header's log sequence.
public struct AcceptedPayload: Sendable, Equatable {
    /// The log's chain hash at that sequence (see `LogChain`), so the client can check later deliveries.
    public var chainHash: [UInt8]

    public init(chainHash: [UInt8]) { self.chainHash = chainHash }

    /// `{0: bstr .size 32}`.
    public var cbor: CBOR { .map([.init(key: 0, value: .byteString(chainHash))]) }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try RoomPayloadMap(frame, required: [0], optional: [])
        chainHash = try map.bytes(0, exactCount: 32)
    }
}

/// `deliver` (server → client): a sequenced entry of the room log, at the header's sequence.
public struct DeliverPayload: Sendable, Equatable {
    /// The original signed frame as its author sent it; nil when the entry was redacted.
    public var frame: [UInt8]?
    /// The log's chain hash at this sequence.
    public var chainHash: [UInt8]

    public init(frame: [UInt8]?, chainHash: [UInt8]) {
        self.frame = frame
        self.chainHash = chainHash
    }

    /// `{?0: bstr, 1: bstr .size 32}`.
    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = []
        if let frame { entries.append(.init(key: 0, value: .byteString(frame))) }
        entries.append(.init(key: 1, value: .byteString(chainHash)))
        return .map(entries)
    }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try RoomPayloadMap(frame, required: [1], optional: [0])
        self.frame = try map.optionalBytes(0)
        chainHash = try map.bytes(1, exactCount: 32)
    }
}

/// `welcome` (server → client): a Welcome from the commit at the header's log sequence; the joiner reads the log
/// after it, and checks the chain from `chainHash`, the chain hash at that sequence.
public struct WelcomePayload: Sendable, Equatable {
    /// The MLS Welcome.
    public var welcome: [UInt8]
    /// The log's chain hash at the commit, when the server knows it.
    public var chainHash: [UInt8]?

    public init(welcome: [UInt8], chainHash: [UInt8]? = nil) {
        self.welcome = welcome
        self.chainHash = chainHash
    }

    /// `{0: bstr, ?1: bstr .size 32}`.
    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [.init(key: 0, value: .byteString(welcome))]
        if let chainHash { entries.append(.init(key: 1, value: .byteString(chainHash))) }
        return .map(entries)
    }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try RoomPayloadMap(frame, required: [0], optional: [1])
        welcome = try map.bytes(0)
        chainHash = map.entries[1] == nil ? nil : try map.bytes(1, exactCount: 32)
    }
}

/// `redact` (client → server): erase the application message at `target`, which the requester wrote.
public struct RedactPayload: Sendable, Equatable {
    /// The log sequence of the message to erase.
    public var target: LogSequence
    /// The requester's leaf in the current epoch, whose signature key signs the frame.
    public var leaf: UInt32

    public init(target: LogSequence, leaf: UInt32) {
        self.target = target
        self.leaf = leaf
    }

    /// `{0: uint, 1: uint}`.
    public var cbor: CBOR {
        .map([
            .init(key: 0, value: .unsignedInteger(target.rawValue)),
            .init(key: 1, value: .unsignedInteger(UInt64(leaf))),
        ])
    }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try RoomPayloadMap(frame, required: [0, 1], optional: [])
        target = LogSequence(try map.unsigned(0, maximum: UInt64.max))
        leaf = UInt32(try map.unsigned(1, maximum: UInt64(UInt32.max >> 1)))
    }
}

/// `error` (server → client): a frame was refused.
public struct RejectionPayload: Sendable, Equatable {
    /// The reason, as a code a program acts on.
    public var code: RejectionCode
    /// The reason in words, for logs (at most 512 bytes).
    public var detail: String
    /// The refused frame's message ID.
    public var messageID: UInt32
    /// The room's current epoch, when the reason is about epochs, so the client can catch up and retry.
    public var currentEpoch: Epoch?

    public static let maximumDetailBytes = 512

    public init(code: RejectionCode, detail: String, messageID: UInt32, currentEpoch: Epoch? = nil) {
        self.code = code
        var detail = detail
        while detail.utf8.count > Self.maximumDetailBytes { detail.removeLast() }
        self.detail = detail
        self.messageID = messageID
        self.currentEpoch = currentEpoch
    }

    /// `{0: uint code, 1: tstr, 2: uint, ?3: uint}`.
    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [
            .init(key: 0, value: .unsignedInteger(UInt64(code.rawValue))),
            .init(key: 1, value: .textString(detail)),
            .init(key: 2, value: .unsignedInteger(UInt64(messageID))),
        ]
        if let currentEpoch { entries.append(.init(key: 3, value: .unsignedInteger(currentEpoch.rawValue))) }
        return .map(entries)
    }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try RoomPayloadMap(frame, required: [0, 1, 2], optional: [3])
        let raw = try map.unsigned(0, maximum: UInt64(UInt16.max))
        guard let code = RejectionCode(rawValue: UInt16(raw)) else {
            throw .payloadSchemaMismatch(opcode: frame.header.opcode, reason: "unknown rejection code \(raw)")
        }
        self.code = code
        guard let detail = map.entries[1]?.textStringValue, detail.utf8.count <= Self.maximumDetailBytes else {
            throw .payloadSchemaMismatch(opcode: frame.header.opcode, reason: "key 1 is not text of ≤ 512 bytes")
        }
        self.detail = detail
        messageID = UInt32(try map.unsigned(2, maximum: UInt64(UInt32.max)))
        currentEpoch = map.entries[3] == nil ? nil : Epoch(try map.unsigned(3, maximum: UInt64.max))
    }
}

/// Why the sequencer refused a frame. The numbers are on the wire (`RejectionPayload`); never reuse one.
public enum RejectionCode: UInt16, Sendable, CaseIterable {
    /// The payload does not follow its opcode's schema, or the MLS message in it does not decode.
    case malformed = 1
    /// The frame's signature does not verify under the key it names.
    case badSignature = 2
    /// The signer is not a member of the room's current epoch.
    case notAMember = 3
    /// The header's sender ID is not the one derived from the signing key.
    case senderMismatch = 4
    /// The frame is for an epoch before the current one (`currentEpoch` says which is current).
    case staleEpoch = 5
    /// The frame is for an epoch after the current one.
    case futureEpoch = 6
    /// The MLS proposal or commit breaks a rule of RFC 9420 (the detail names it).
    case invalidHandshake = 7
    /// The frame's opcode is not one a room takes from a client.
    case unsupportedOpcode = 8
    /// A queue or count limit was reached (the detail names it): the server is busy; send the same frame again later.
    case overLimit = 9
    /// The message ID was used before for a different frame.
    case messageIDReused = 10
    /// A retry of a message older than the window the sequencer remembers.
    case retryTooOld = 11
    /// A redaction of an entry the requester did not write, or that is not an application message.
    case redactionNotAllowed = 12
    /// The entry to redact does not exist (or is already redacted).
    case noSuchEntry = 13
    /// The frame names another room than the one it was sent to.
    case wrongRoom = 14
    /// The room already exists.
    case roomExists = 15
    /// A size limit: the frame's payload or the sender's credential is too large. Sending it again does not help.
    case tooLarge = 16
}

/// A payload map with unsigned-integer keys, checked against the keys its schema allows.
struct RoomPayloadMap {
    let entries: [UInt64: CBOR]
    let opcode: Opcode

    init(_ frame: Frame, required: Set<UInt64>, optional: Set<UInt64>) throws(FrameError) {
        opcode = frame.header.opcode
        guard let map = try frame.decodePayload().mapValue else {
            throw .payloadSchemaMismatch(opcode: opcode, reason: "not a map")
        }
        var entries: [UInt64: CBOR] = [:]
        for entry in map {
            guard let key = entry.key.unsignedIntegerValue, required.contains(key) || optional.contains(key) else {
                throw .payloadSchemaMismatch(opcode: opcode, reason: "unexpected key \(entry.key)")
            }
            entries[key] = entry.value
        }
        for key in required.sorted() where entries[key] == nil {
            throw .payloadSchemaMismatch(opcode: opcode, reason: "key \(key) missing")
        }
        self.entries = entries
    }

    func bytes(_ key: UInt64, exactCount: Int? = nil) throws(FrameError) -> [UInt8] {
        guard let bytes = entries[key]?.byteStringValue else {
            throw .payloadSchemaMismatch(opcode: opcode, reason: "key \(key) is not a byte string")
        }
        if let exactCount, bytes.count != exactCount {
            throw .payloadSchemaMismatch(
                opcode: opcode,
                reason: "key \(key) has \(bytes.count) bytes, not \(exactCount)"
            )
        }
        return bytes
    }

    func optionalBytes(_ key: UInt64) throws(FrameError) -> [UInt8]? {
        entries[key] == nil ? nil : try bytes(key)
    }

    func unsigned(_ key: UInt64, maximum: UInt64) throws(FrameError) -> UInt64 {
        guard let value = entries[key]?.unsignedIntegerValue, value <= maximum else {
            throw .payloadSchemaMismatch(opcode: opcode, reason: "key \(key) is not an unsigned integer ≤ \(maximum)")
        }
        return value
    }
}

/// `catchUpRequest` (client → server): send the room's entries after the header's sequence. Only members may read
/// the log: the frame is signed with the key of `leaf` in the current epoch.
public struct CatchUpPayload: Sendable, Equatable {
    /// The requester's leaf.
    public var leaf: UInt32

    public init(leaf: UInt32) { self.leaf = leaf }

    /// `{0: uint}`.
    public var cbor: CBOR { .map([.init(key: 0, value: .unsignedInteger(UInt64(leaf)))]) }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try RoomPayloadMap(frame, required: [0], optional: [])
        leaf = UInt32(try map.unsigned(0, maximum: UInt64(UInt32.max >> 1)))
    }
}

/// `keyPackageUpload` (client → server): an invitee publishes its KeyPackage for a room it waits to join; the
/// server answers with the Welcome kept for it, if the commit adding it was already made. Signed with the
/// KeyPackage's signature key.
public struct KeyPackageUploadPayload: Sendable, Equatable {
    /// The MLS KeyPackage.
    public var keyPackage: [UInt8]

    public init(keyPackage: [UInt8]) { self.keyPackage = keyPackage }

    /// `{0: bstr}`.
    public var cbor: CBOR { .map([.init(key: 0, value: .byteString(keyPackage))]) }

    public init(decoding frame: Frame) throws(FrameError) {
        let map = try RoomPayloadMap(frame, required: [0], optional: [])
        keyPackage = try map.bytes(0)
    }
}
