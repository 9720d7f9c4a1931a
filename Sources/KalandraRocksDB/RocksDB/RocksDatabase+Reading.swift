import CRocksDB

extension RocksDatabase {
    /// The value stored under `key` in `columnFamily`, or nil when there is none.
    ///
    /// Block checksums are verified: damaged data on disk throws `.corruption` rather than returning wrong bytes.
    public func get(_ key: [UInt8], columnFamily: String) throws(RocksDBError) -> [UInt8]? {
        try Self.checkKey(key, role: "key")
        return try withHandles { handles throws(RocksDBError) -> [UInt8]? in
            let family = try handles.columnFamily(columnFamily)
            var error: UnsafeMutablePointer<CChar>?
            // The pinned variant hands back the value in place (often straight from the block cache), so the only
            // copy is the one into the returned array.
            let pinned = withRocksBytes(key) { keyPointer, keyCount in
                rocksdb_get_pinned_cf(handles.database, handles.readOptions, family, keyPointer, keyCount, &error)
            }
            defer { if let pinned { rocksdb_pinnableslice_destroy(pinned) } }
            try RocksDBError.check(error)
            guard let pinned else { return nil }
            var count = 0
            guard let value = rocksdb_pinnableslice_value(pinned, &count), count > 0 else { return [] }
            return [UInt8](UnsafeRawBufferPointer(start: value, count: count))
        }
    }

    /// Calls `body` for each entry of `columnFamily` with `from <= key < upperBound` (`upperBound` nil: to the end),
    /// in key order (bytewise, shorter first), until `body` returns false.
    ///
    /// The buffers passed to `body` are valid only during the call; copy what must outlive it. Checksums are
    /// verified, and damaged data stops the scan with `.corruption`. A scan sees one consistent snapshot of the
    /// database, and does not fill the block cache, so a long scan does not evict the hot blocks of point reads.
    /// An error thrown by `body` ends the scan and is rethrown.
    public func scan(
        columnFamily: String,
        from: [UInt8],
        upperBound: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws(RocksDBError) -> Bool
    ) throws(RocksDBError) {
        try Self.checkKey(from, role: "scan start")
        if let upperBound { try Self.checkKey(upperBound, role: "scan upper bound") }
        try withHandles { handles throws(RocksDBError) in
            let family = try handles.columnFamily(columnFamily)
            if let upperBound, !from.lexicographicallyPrecedes(upperBound) { return }
            try Self.iterate(handles: handles, family: family, from: from, upperBound: upperBound, body)
        }
    }

    private static func iterate(
        handles: RocksHandles,
        family: OpaquePointer,
        from: [UInt8],
        upperBound: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws(RocksDBError) -> Bool
    ) throws(RocksDBError) {
        let readOptions: OpaquePointer = rocksdb_readoptions_create()
        defer { rocksdb_readoptions_destroy(readOptions) }
        rocksdb_readoptions_set_verify_checksums(readOptions, 1)
        rocksdb_readoptions_set_fill_cache(readOptions, 0)
        // The C API keeps the bound's pointer, not a copy, for as long as the iterator lives.
        let bound = upperBound.map { RocksPinnedBytes(copying: $0) }
        defer { bound?.deallocate() }
        if let bound { rocksdb_readoptions_set_iterate_upper_bound(readOptions, bound.pointer, bound.count) }

        guard let iterator = rocksdb_create_iterator_cf(handles.database, readOptions, family) else {
            fatalError("rocksdb_create_iterator_cf returned nil")
        }
        // Declared after the bound and read options, so it is destroyed before them.
        defer { rocksdb_iter_destroy(iterator) }
        withRocksBytes(from) { pointer, count in rocksdb_iter_seek(iterator, pointer, count) }
        // Bounded by the entries in range; the caller ends it early by returning false.
        while rocksdb_iter_valid(iterator) != 0 {
            var keyCount = 0
            var valueCount = 0
            let key = rocksdb_iter_key(iterator, &keyCount)
            let value = rocksdb_iter_value(iterator, &valueCount)
            let wantsMore = try body(
                UnsafeRawBufferPointer(start: key, count: keyCount),
                UnsafeRawBufferPointer(start: value, count: valueCount)
            )
            guard wantsMore else { return }
            rocksdb_iter_next(iterator)
        }
        // An iterator that hits damaged data becomes invalid; only its status tells that apart from the end.
        var error: UnsafeMutablePointer<CChar>?
        rocksdb_iter_get_error(iterator, &error)
        try RocksDBError.check(error)
    }
}
