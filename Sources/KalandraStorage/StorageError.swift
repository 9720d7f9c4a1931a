import KalandraCore

/// Why a storage operation failed. Input mistakes (a gap in a log, a limit) are distinct from the medium failing
/// (I/O, corruption), because the caller's response differs: fix the request, or stop and alert an operator.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An append does not continue the room's log: the next sequence is `expected`.
    case nonContiguousAppend(room: RoomID, expected: LogSequence, found: LogSequence)
    /// A request is over one of the storage limits (`StorageLimits`).
    case limitExceeded(what: String, limit: Int, found: Int)
    /// Stored bytes failed their checksum or authentication: the medium or a file was damaged.
    case corruption(String)
    /// The underlying store reported an I/O failure.
    case io(String)
    /// The store has been closed.
    case closed
    /// The room's log has no entry at this position.
    case noSuchEntry(room: RoomID, sequence: LogSequence)
    /// A shredded entry's key could still be read after deletion.
    case shredNotVerified(room: RoomID, sequence: LogSequence)
    /// The backend reported an error of another kind.
    case backend(String)

    public var description: String {
        switch self {
        case .nonContiguousAppend(let room, let expected, let found):
            "append to room \(room) at sequence \(found) leaves a gap or overlaps: the next sequence is \(expected)"
        case .limitExceeded(let what, let limit, let found): "\(what) is \(found), over the limit of \(limit)"
        case .corruption(let detail): "stored data is corrupt: \(detail)"
        case .io(let detail): "I/O error: \(detail)"
        case .closed: "the store is closed"
        case .noSuchEntry(let room, let sequence): "room \(room) has no log entry at sequence \(sequence)"
        case .shredNotVerified(let room, let sequence):
            "the key of entry \(sequence) in room \(room) was still readable after shredding"
        case .backend(let detail): "storage backend error: \(detail)"
        }
    }
}
