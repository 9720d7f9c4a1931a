import Synchronization

/// An open RocksDB database with its column families.
///
/// Thread safety: RocksDB's database handle is safe to use from many threads at once, and so is this class; reads,
/// writes, scans, flushes and compactions may run concurrently. `close()` turns new operations away with `.closed`
/// at once, waits for those in flight to finish, then frees the handle. Do not call `close()` from inside a `scan`
/// body: the scan holds the database open and the call would wait for itself.
///
/// Durability: `write(_:sync:)` with `sync: true` returns after the write-ahead log is fsynced. Concurrent writers
/// are grouped by RocksDB into one log write and one fsync, which is what makes many small durable writes fast.
public final class RocksDatabase: @unchecked Sendable {
    /// The directory holding the database files.
    public let path: String
    /// Guards `handles`: operations hold it shared, `close()` alone.
    private let lock = RocksReadWriteLock()
    /// Set first by `close()`, so that new operations stop taking the shared lock. Without it a steady stream of
    /// overlapping operations could keep the (reader-preferring) lock from ever being free for `close()`.
    private let isClosing = Atomic<Bool>(false)
    /// The C objects of the open database; nil once closed. Read only under the shared lock, replaced only under the
    /// exclusive one; that discipline is why the class can be `@unchecked Sendable`.
    private var handles: RocksHandles?

    /// Opens the database at `path`, creating it and any missing column family as `options` allow.
    ///
    /// Every column family already on disk is opened too, even when `options` does not list it, because RocksDB
    /// refuses to open a database otherwise.
    public init(path: String, options: Options) throws(RocksDBError) {
        self.path = path
        self.handles = try RocksHandles.open(path: path, options: options)
    }

    deinit {
        handles?.destroy()
    }

    /// Closes the database: waits for operations in flight, then frees every RocksDB object. Calling it again does
    /// nothing. Writes made with `sync: false` are in the operating system's cache and survive a process crash, but
    /// not a power loss, unless `syncWAL()` ran after them.
    public func close() {
        isClosing.store(true, ordering: .releasing)
        lock.withExclusive {
            handles?.destroy()
            handles = nil
        }
    }

    /// Runs `body` with the handles of the open database, keeping it open until `body` returns; throws `.closed`
    /// after `close()`.
    func withHandles<Result>(_ body: (RocksHandles) throws(RocksDBError) -> Result) throws(RocksDBError) -> Result {
        guard !isClosing.load(ordering: .acquiring) else { throw .closed(path: path) }
        return try lock.withShared { () throws(RocksDBError) -> Result in
            guard let handles else { throw .closed(path: path) }
            return try body(handles)
        }
    }
}
