import KalandraCore
import KalandraWire

/// One entry of a room log as the sequencer stores it (the payload `Storage` encrypts at rest):
///
///     format (1) = 1 ‖ chain hash (32) ‖ author length (u16) ‖ author ‖ frame
///
/// The author is the TLS encoding of the sender's MLS credential for application messages (what a redaction is
/// checked against) and empty otherwise. The frame is the client's signed frame, byte for byte.
public struct StoredEntry: Sendable, Equatable {
    public static let format: UInt8 = 1
    /// The largest author field (a credential): 4 KiB.
    public static let maximumAuthorBytes = 4_096

    /// The log's chain hash at this entry.
    public let chainHash: [UInt8]
    /// The author's credential for application messages; empty for other entries.
    public let author: [UInt8]
    /// The client's signed frame.
    public let frame: [UInt8]

    public init(chainHash: [UInt8], author: [UInt8], frame: [UInt8]) {
        precondition(chainHash.count == 32 && author.count <= Self.maximumAuthorBytes)
        self.chainHash = chainHash
        self.author = author
        self.frame = frame
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [Self.format]
        bytes.reserveCapacity(35 + author.count + frame.count)
        bytes.append(contentsOf: chainHash)
        bytes.append(UInt8(author.count >> 8))
        bytes.append(UInt8(author.count & 0xff))
        bytes.append(contentsOf: author)
        bytes.append(contentsOf: frame)
        return bytes
    }

    /// Decodes a stored entry; damage is `StoredEntryError`, never a trap.
    public init(decoding bytes: [UInt8]) throws(StoredEntryError) {
        guard bytes.count >= 35 else { throw .truncated(length: bytes.count) }
        guard bytes[0] == Self.format else { throw .unknownFormat(bytes[0]) }
        chainHash = Array(bytes[1..<33])
        let authorCount = Int(bytes[33]) << 8 | Int(bytes[34])
        guard authorCount <= Self.maximumAuthorBytes, bytes.count >= 35 + authorCount else {
            throw .truncated(length: bytes.count)
        }
        author = Array(bytes[35..<(35 + authorCount)])
        frame = Array(bytes[(35 + authorCount)...])
    }
}

/// A stored entry that does not decode.
public enum StoredEntryError: Error, Sendable, Equatable {
    case truncated(length: Int)
    case unknownFormat(UInt8)
}

/// The audit record of a redaction, kept in the `audit` state namespace under room ‖ target sequence: what was
/// erased (its position and chain hash, which reveals nothing of the erased bytes once their key is gone), by whom
/// (the requester's credential and the position of its signed `redact` frame in the log) and when (server time).
/// Catch-up delivers a redacted position with this chain hash, so the chain stays checkable past it.
public struct RedactionRecord: Sendable, Equatable {
    public static let format: UInt8 = 1

    public let target: LogSequence
    public let targetChainHash: [UInt8]
    /// The position of the `redact` frame, which is the signed request.
    public let recordedAt: LogSequence
    public let requester: [UInt8]
    public let time: Timestamp
    /// The erased frame's sender ID, message ID and SHA-256, so that after a restart a retry of it is still answered
    /// with its position instead of being appended again (the frame itself is gone).
    public let targetSender: SenderID
    public let targetMessageID: UInt32
    public let targetDigest: [UInt8]

    public init(
        target: LogSequence,
        targetChainHash: [UInt8],
        recordedAt: LogSequence,
        requester: [UInt8],
        time: Timestamp,
        targetSender: SenderID,
        targetMessageID: UInt32,
        targetDigest: [UInt8]
    ) {
        precondition(targetChainHash.count == 32 && requester.count <= StoredEntry.maximumAuthorBytes)
        precondition(targetDigest.count == 32)
        self.targetSender = targetSender
        self.targetMessageID = targetMessageID
        self.targetDigest = targetDigest
        self.target = target
        self.targetChainHash = targetChainHash
        self.recordedAt = recordedAt
        self.requester = requester
        self.time = time
    }

    /// The state key: room (16) ‖ target (8), big-endian.
    public static func stateName(room: RoomID, target: LogSequence) -> [UInt8] {
        bigEndian(room.high) + bigEndian(room.low) + bigEndian(target.rawValue)
    }

    /// format (1) ‖ target (8) ‖ chain hash (32) ‖ recorded at (8) ‖ time ms (8) ‖ target sender ID (8) ‖ target
    /// message ID (4) ‖ target digest (32) ‖ requester.
    public func encoded() -> [UInt8] {
        let messageID = (0..<4).map { UInt8(truncatingIfNeeded: targetMessageID >> (24 - 8 * $0)) }
        return [Self.format] + bigEndian(target.rawValue) + targetChainHash + bigEndian(recordedAt.rawValue)
            + bigEndian(time.milliseconds) + bigEndian(targetSender.rawValue) + messageID + targetDigest + requester
    }

    static let fixedByteCount = 101

    public init(decoding bytes: [UInt8]) throws(StoredEntryError) {
        guard bytes.count >= Self.fixedByteCount else { throw .truncated(length: bytes.count) }
        guard bytes[0] == Self.format else { throw .unknownFormat(bytes[0]) }
        guard bytes.count - Self.fixedByteCount <= StoredEntry.maximumAuthorBytes else {
            throw .truncated(length: bytes.count)
        }
        target = LogSequence(readBigEndian(bytes, at: 1))
        targetChainHash = Array(bytes[9..<41])
        recordedAt = LogSequence(readBigEndian(bytes, at: 41))
        guard let time = Timestamp(milliseconds: readBigEndian(bytes, at: 49)) else {
            throw .truncated(length: bytes.count)
        }
        self.time = time
        targetSender = SenderID(readBigEndian(bytes, at: 57))
        targetMessageID = bytes[65..<69].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        targetDigest = Array(bytes[69..<101])
        requester = Array(bytes[101...])
    }
}

func bigEndian(_ value: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
}

func readBigEndian(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    bytes[offset..<(offset + 8)].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
}

/// The Welcome of a commit, kept once under `RoomSequencer.welcomeKey(room:sequence:)` and found through
/// `invitationKey(room:keyPackage:)` for each member it adds, so a joiner who was offline (or a server that crashed
/// before sending it) still gets it: room (16) ‖ commit sequence (8) ‖ chain hash at the commit (32) ‖ Welcome.
public struct WelcomeRecord: Sendable, Equatable {
    public let room: RoomID
    public let sequence: LogSequence
    public let chainHash: [UInt8]
    public let welcome: [UInt8]

    public init(room: RoomID, sequence: LogSequence, chainHash: [UInt8], welcome: [UInt8]) {
        precondition(chainHash.count == 32)
        self.room = room
        self.sequence = sequence
        self.chainHash = chainHash
        self.welcome = welcome
    }

    public func encoded() -> [UInt8] {
        bigEndian(room.high) + bigEndian(room.low) + bigEndian(sequence.rawValue) + chainHash + welcome
    }

    public init(decoding bytes: [UInt8]) throws(StoredEntryError) {
        guard bytes.count >= 56 else { throw .truncated(length: bytes.count) }
        room = RoomID(high: readBigEndian(bytes, at: 0), low: readBigEndian(bytes, at: 8))
        sequence = LogSequence(readBigEndian(bytes, at: 16))
        chainHash = Array(bytes[24..<56])
        welcome = Array(bytes[56...])
    }
}
