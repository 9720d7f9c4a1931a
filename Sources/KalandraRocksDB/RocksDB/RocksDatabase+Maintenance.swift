import CRocksDB

extension RocksDatabase {
    /// Writes the memtable of `columnFamily` to an SST file and waits until it is done.
    public func flush(columnFamily: String) throws(RocksDBError) {
        try withHandles { handles throws(RocksDBError) in
            try Self.flush(handles.columnFamily(columnFamily), handles: handles)
        }
    }

    /// Flushes every column family, one after another, waiting for each.
    public func flushAll() throws(RocksDBError) {
        try withHandles { handles throws(RocksDBError) in
            for name in handles.columnFamilies.keys.sorted() {
                try Self.flush(handles.columnFamily(name), handles: handles)
            }
        }
    }

    private static func flush(_ family: OpaquePointer, handles: RocksHandles) throws(RocksDBError) {
        var error: UnsafeMutablePointer<CChar>?
        rocksdb_flush_cf(handles.database, handles.flushOptions, family, &error)
        try RocksDBError.check(error)
    }

    /// Compacts the keys of `columnFamily` from `from` through `to` (both inclusive; nil: open-ended) down to the
    /// bottommost level, rewriting that level too, so deleted and overwritten values are dropped from the SST files.
    /// Waits until done, and runs alone: other compactions wait for it.
    ///
    /// Flush first: compaction only rewrites SST files, not the memtable.
    ///
    /// RocksDB's C API (7.8) discards the status of a manual compaction, so a failure is detected by RocksDB's count
    /// of background errors, which a failed compaction raises (a concurrent failed background flush or compaction
    /// raises it too, and is reported the same way). RocksDB then stops writes, with `paranoidChecks`, and reports
    /// the failure's own text on every later write and flush, so this flushes the column family to fetch that text
    /// (for damaged files: `.corruption`). After such a failure, writes keep failing until the database is reopened.
    public func compactRange(columnFamily: String, from: [UInt8]?, to: [UInt8]?) throws(RocksDBError) {
        if let from { try Self.checkKey(from, role: "compaction start") }
        if let to { try Self.checkKey(to, role: "compaction end") }
        try withHandles { handles throws(RocksDBError) in
            let family = try handles.columnFamily(columnFamily)
            let errorsBefore = Self.backgroundErrorCount(handles)
            Self.withOptionalRocksBytes(from) { fromPointer, fromCount in
                Self.withOptionalRocksBytes(to) { toPointer, toCount in
                    rocksdb_compact_range_cf_opt(
                        handles.database,
                        family,
                        handles.compactOptions,
                        fromPointer,
                        fromCount,
                        toPointer,
                        toCount
                    )
                }
            }
            guard Self.backgroundErrorCount(handles) > errorsBefore else { return }
            try Self.flush(family, handles: handles)
            throw RocksDBError(
                code: .other,
                message: "the compaction of column family \"\(columnFamily)\" in \(path) failed; RocksDB's LOG file "
                    + "in that directory has the reason"
            )
        }
    }

    /// Fsyncs the write-ahead log, making every write so far durable, including those made with `sync: false`.
    public func syncWAL() throws(RocksDBError) {
        try withHandles { handles throws(RocksDBError) in
            var error: UnsafeMutablePointer<CChar>?
            rocksdb_flush_wal(handles.database, 1, &error)
            try RocksDBError.check(error)
        }
    }

    /// RocksDB's running count of failed flushes and compactions ("rocksdb.background-errors").
    private static func backgroundErrorCount(_ handles: RocksHandles) -> UInt64 {
        var count: UInt64 = 0
        guard rocksdb_property_int(handles.database, "rocksdb.background-errors", &count) == 0 else { return 0 }
        return count
    }

    /// Like `withRocksBytes`, but nil stays a nil pointer, which the compaction call reads as an open end.
    private static func withOptionalRocksBytes<Result>(
        _ bytes: [UInt8]?,
        _ body: (UnsafePointer<CChar>?, Int) -> Result
    ) -> Result {
        guard let bytes else { return body(nil, 0) }
        return withRocksBytes(bytes) { body($0, $1) }
    }
}
