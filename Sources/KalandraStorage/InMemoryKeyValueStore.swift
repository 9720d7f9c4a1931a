import Synchronization

/// A `KeyValueStore` in memory, for tests and the simulator. It models a disk with a volatile write cache: unsynced
/// writes are visible at once but `simulateCrash()` loses them, while synced writes (and every write before a synced
/// one, as with a write-ahead log) survive. Deterministic: no clock, no randomness, sorted iteration.
public final class InMemoryKeyValueStore: KeyValueStore {
    private struct Contents {
        var visible: [ColumnFamily: [[UInt8]: [UInt8]]] = [:]
        var durable: [ColumnFamily: [[UInt8]: [UInt8]]] = [:]
        var unsynced: [KeyValueBatch] = []
        var syncCount = 0
    }

    private let contents = Mutex(Contents())

    /// An empty store.
    public init() {}

    public func write(_ batch: KeyValueBatch, sync: Bool) throws(StorageError) {
        contents.withLock { contents in
            Self.apply(batch, to: &contents.visible)
            contents.unsynced.append(batch)
            if sync { Self.makeDurable(&contents) }
        }
    }

    public func get(_ key: [UInt8], in family: ColumnFamily) throws(StorageError) -> [UInt8]? {
        contents.withLock { $0.visible[family]?[key] }
    }

    public func scan(
        _ family: ColumnFamily,
        from: [UInt8],
        upperBound: [UInt8],
        limit: Int
    ) throws(StorageError)
        -> [(key: [UInt8], value: [UInt8])]
    {
        contents.withLock { contents in
            let matching = (contents.visible[family] ?? [:]).filter { entry in
                !entry.key.lexicographicallyPrecedes(from) && entry.key.lexicographicallyPrecedes(upperBound)
            }
            return matching.sorted { $0.key.lexicographicallyPrecedes($1.key) }.prefix(max(limit, 0))
                .map { (key: $0.key, value: $0.value) }
        }
    }

    public func sync() throws(StorageError) {
        contents.withLock { Self.makeDurable(&$0) }
    }

    /// Nothing to purge: a deleted entry is gone from memory at once.
    public func purgeDeleted() throws(StorageError) {}

    /// Loses every write since the last sync, as a power cut would.
    public func simulateCrash() {
        contents.withLock { contents in
            contents.visible = contents.durable
            contents.unsynced = []
        }
    }

    /// How many times writes were made durable (a synced write or `sync()` with something to sync).
    public var syncCount: Int { contents.withLock { $0.syncCount } }

    /// Flips bits of the stored value of `key` in `family` (in the durable copy too), to test corruption handling.
    /// Returns false when there is no such value.
    @discardableResult
    public func damage(_ key: [UInt8], in family: ColumnFamily, at offset: Int, mask: UInt8 = 0x01) -> Bool {
        contents.withLock { contents in
            guard var value = contents.visible[family]?[key], offset < value.count else { return false }
            value[offset] ^= mask
            contents.visible[family]?[key] = value
            if contents.durable[family]?[key] != nil { contents.durable[family]?[key] = value }
            return true
        }
    }

    private static func makeDurable(_ contents: inout Contents) {
        guard !contents.unsynced.isEmpty else { return }
        for batch in contents.unsynced { apply(batch, to: &contents.durable) }
        contents.unsynced = []
        contents.syncCount += 1
    }

    private static func apply(_ batch: KeyValueBatch, to families: inout [ColumnFamily: [[UInt8]: [UInt8]]]) {
        for operation in batch.operations {
            families[operation.family, default: [:]][operation.key] = operation.value
        }
    }
}
