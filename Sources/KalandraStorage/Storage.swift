import KalandraCore

/// Everything a home server keeps goes through this protocol: per-room append-only logs, state records, and secure
/// deletion of log entries. Implementations are thread-safe. Writes are atomic per batch; a write made with
/// `.synced` durability has been synced to stable storage when it returns, and acknowledgements rely on that.
public protocol Storage: AnyObject, Sendable {
    /// The bounds this store enforces.
    var limits: StorageLimits { get }

    /// Applies `batch` atomically. Appends must continue each room's log without a gap (the first append to a room
    /// is sequence 1). Concurrent synced writers share syncs (group commit).
    func write(_ batch: WriteBatch, durability: Durability) throws(StorageError)

    /// The same as `write(_:durability:)`, suspending the task instead of blocking its thread.
    func write(_ batch: WriteBatch, durability: Durability) async throws(StorageError)

    /// Makes every buffered write durable.
    func sync() throws(StorageError)

    /// The last position of `room`'s log, `.unsequenced` when the log is empty.
    func lastSequence(of room: RoomID) throws(StorageError) -> LogSequence

    /// Up to `maximumCount` records of `room`'s log from position `first` on, in order.
    func readLog(of room: RoomID, from first: LogSequence, maximumCount: Int) throws(StorageError) -> [LogRecord]

    /// The state record `key`, or nil.
    func readState(_ key: StateKey) throws(StorageError) -> [UInt8]?

    /// The segments of `room`'s log, in order.
    func segments(of room: RoomID) throws(StorageError) -> [LogSegment]

    /// Secure deletion of one log entry: deletes its key (synced), then its payload, and verifies the key can no
    /// longer be read. The position stays taken and reads as `.shredded`.
    func shred(room: RoomID, sequence: LogSequence) throws(StorageError)

    /// Makes deletions physical: afterwards no file of the store holds the deleted keys or payloads (RocksDB: flush,
    /// forced bottommost compaction, WAL rotation). Expensive; run after shredding, not per entry.
    func purgeDeleted() throws(StorageError)
}
