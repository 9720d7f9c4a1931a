import KalandraStorage

/// The production `KeyValueStore`: one RocksDB database with a column family per `ColumnFamily`, so payloads and
/// their keys live in different files. Durable writes fsync the write-ahead log before returning; RocksDB's block
/// checksums and our record checksums both report damage as `StorageError.corruption`.
public final class RocksDBKeyValueStore: KeyValueStore {
    /// The database (exposed for maintenance and tests).
    public let database: RocksDatabase

    /// Opens (or creates) the database in the folder `path`.
    public init(path: String) throws(StorageError) {
        do {
            database = try RocksDatabase(
                path: path,
                options: RocksDatabase.Options(columnFamilies: ColumnFamily.allCases.map(\.rawValue))
            )
        } catch {
            throw Self.storageError(error)
        }
    }

    /// A `LogStore` on a RocksDB database in `path`: the usual way to open a server's storage.
    public static func openStorage(
        path: String,
        limits: StorageLimits = StorageLimits()
    ) throws(StorageError)
        -> LogStore
    {
        LogStore(backend: try RocksDBKeyValueStore(path: path), limits: limits, keySource: .system)
    }

    public func write(_ batch: KeyValueBatch, sync: Bool) throws(StorageError) {
        var rocksBatch = RocksWriteBatch()
        for operation in batch.operations {
            if let value = operation.value {
                rocksBatch.put(operation.key, value, columnFamily: operation.family.rawValue)
            } else {
                rocksBatch.delete(operation.key, columnFamily: operation.family.rawValue)
            }
        }
        do {
            try database.write(rocksBatch, sync: sync)
        } catch {
            throw Self.storageError(error)
        }
    }

    public func get(_ key: [UInt8], in family: ColumnFamily) throws(StorageError) -> [UInt8]? {
        do {
            return try database.get(key, columnFamily: family.rawValue)
        } catch {
            throw Self.storageError(error)
        }
    }

    public func scan(
        _ family: ColumnFamily,
        from: [UInt8],
        upperBound: [UInt8],
        limit: Int
    ) throws(StorageError)
        -> [(key: [UInt8], value: [UInt8])]
    {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        guard limit > 0 else { return entries }
        do {
            try database.scan(columnFamily: family.rawValue, from: from, upperBound: upperBound) { key, value in
                entries.append((key: Array(key), value: Array(value)))
                return entries.count < limit
            }
        } catch {
            throw Self.storageError(error)
        }
        return entries
    }

    public func sync() throws(StorageError) {
        do {
            try database.syncWAL()
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Flushes every column family (which also retires the write-ahead log that held the deleted values), then
    /// compacts each family to the bottommost level, which drops deleted values from the SST files.
    public func purgeDeleted() throws(StorageError) {
        do {
            try database.flushAll()
            for family in ColumnFamily.allCases {
                try database.compactRange(columnFamily: family.rawValue, from: nil, to: nil)
            }
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Closes the database; later calls fail with `StorageError.closed`.
    public func close() {
        database.close()
    }

    static func storageError(_ error: RocksDBError) -> StorageError {
        switch error.code {
        case .corruption: .corruption(error.message)
        case .ioError: .io(error.message)
        case .closed: .closed
        default: .backend(error.message)
        }
    }
}
