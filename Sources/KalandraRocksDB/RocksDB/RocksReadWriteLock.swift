#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A readers–writer lock over a pthread rwlock: database operations share it, `close()` takes it alone, so closing
/// never frees the RocksDB handle under an operation that is still running.
///
/// glibc's default rwlock prefers readers, so an operation run from inside a scan's body (a nested shared lock) cannot
/// deadlock behind a waiting `close()`. The price is that readers could starve `close()`, which is why `RocksDatabase`
/// turns new operations away before it takes the lock.
final class RocksReadWriteLock: @unchecked Sendable {
    /// Heap-allocated because a pthread lock must not move once initialised, and Swift may move stored properties.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        let result = pthread_rwlock_init(lock, nil)
        precondition(result == 0, "pthread_rwlock_init failed with error \(result)")
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    /// Runs `body` while holding the lock shared with other readers.
    func withShared<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        let result = pthread_rwlock_rdlock(lock)
        // EAGAIN (too many readers) or EDEADLK would mean a broken invariant, not a condition to recover from.
        precondition(result == 0, "pthread_rwlock_rdlock failed with error \(result)")
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Runs `body` while holding the lock alone.
    func withExclusive<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        let result = pthread_rwlock_wrlock(lock)
        precondition(result == 0, "pthread_rwlock_wrlock failed with error \(result)")
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
