import KalandraCore

/// Where a state record lives: a namespace (one per kind of record) and a name within it.
public struct StateKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Kinds of state records. The raw value is the first byte of the stored key, so it never changes.
    public enum Namespace: UInt8, Sendable, CaseIterable {
        /// Room metadata (name, creation, settings).
        case roomMetadata = 1
        /// Serialised MLS group state.
        case groupState = 2
        /// A room's authority record (federation).
        case authorityRecord = 3
        /// A peer server's keys (federation).
        case peerKey = 4
        /// Sequencer bookkeeping (e.g. retry tables).
        case sequencer = 5
        /// Audit records (moderation, redaction).
        case audit = 6
    }

    /// The kind of record.
    public var namespace: Namespace
    /// The record's name within its namespace.
    public var name: [UInt8]

    /// A key from its namespace and name.
    public init(_ namespace: Namespace, _ name: [UInt8]) {
        self.namespace = namespace
        self.name = name
    }

    /// A key whose name is a room's identifier (the common case: one record per room).
    public init(_ namespace: Namespace, room: RoomID) {
        self.init(namespace, KeyEncoding.room(room))
    }

    public var description: String { "\(namespace)/\(Hex.encode(name))" }

    public static func < (lhs: StateKey, rhs: StateKey) -> Bool {
        if lhs.namespace != rhs.namespace { return lhs.namespace.rawValue < rhs.namespace.rawValue }
        return lhs.name.lexicographicallyPrecedes(rhs.name)
    }
}

/// One position of a room's log, as read back.
public struct LogRecord: Sendable, Equatable {
    /// What is stored at a position.
    public enum Content: Sendable, Equatable {
        /// The payload as it was appended.
        case payload([UInt8])
        /// The entry was shredded: its key is deleted and its payload unrecoverable. The position stays taken.
        case shredded
    }

    /// The position in the room's log.
    public var sequence: LogSequence
    /// The payload, or the fact that it was shredded.
    public var content: Content

    /// A record.
    public init(sequence: LogSequence, content: Content) {
        self.sequence = sequence
        self.content = content
    }
}

/// A contiguous run of a room's log. A segment is sealed once its payloads reach `StorageLimits.segmentBytes`;
/// sealed segments never change again (except by shredding), so they can be archived or dropped whole.
public struct LogSegment: Sendable, Equatable {
    /// 0 for a room's first segment, then 1, 2, ...
    public var index: UInt32
    /// The first position in the segment.
    public var firstSequence: LogSequence
    /// The last position in the segment.
    public var lastSequence: LogSequence
    /// Payload bytes appended to the segment.
    public var payloadBytes: UInt64
    /// Whether the segment is closed to appends.
    public var isSealed: Bool

    /// A segment record.
    public init(
        index: UInt32,
        firstSequence: LogSequence,
        lastSequence: LogSequence,
        payloadBytes: UInt64,
        isSealed: Bool
    ) {
        self.index = index
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.payloadBytes = payloadBytes
        self.isSealed = isSealed
    }
}

/// Whether a write returns before or after it is durable.
public enum Durability: Sendable {
    /// Synced to stable storage before the write returns: survives a crash. Acknowledgements wait for this.
    case synced
    /// Visible to reads at once, durable only after a later `sync()` or synced write; a crash may lose it.
    case buffered
}

/// Changes applied atomically: after a crash, either all of them are visible or none.
public struct WriteBatch: Sendable {
    /// One change.
    public enum Operation: Sendable, Equatable {
        /// Append `payload` to `room`'s log at `sequence`.
        case append(room: RoomID, sequence: LogSequence, payload: [UInt8])
        /// Set a state record.
        case putState(StateKey, [UInt8])
        /// Remove a state record.
        case deleteState(StateKey)
    }

    /// The changes, in order.
    public private(set) var operations: [Operation] = []

    /// An empty batch.
    public init() {}

    /// Appends `payload` to `room`'s log at `sequence`, which must be the room's next position.
    public mutating func append(_ payload: [UInt8], to room: RoomID, at sequence: LogSequence) {
        operations.append(.append(room: room, sequence: sequence, payload: payload))
    }

    /// Sets the state record `key` to `value`.
    public mutating func putState(_ value: [UInt8], for key: StateKey) {
        operations.append(.putState(key, value))
    }

    /// Removes the state record `key`.
    public mutating func deleteState(_ key: StateKey) {
        operations.append(.deleteState(key))
    }

    /// Whether the batch has no changes.
    public var isEmpty: Bool { operations.isEmpty }

    /// Payload and state bytes in the batch (what `StorageLimits.maximumBatchBytes` bounds).
    public var byteCount: Int {
        operations.reduce(0) { total, operation in
            switch operation {
            case .append(_, _, let payload): total + payload.count
            case .putState(let key, let value): total + key.name.count + value.count
            case .deleteState(let key): total + key.name.count
            }
        }
    }
}
