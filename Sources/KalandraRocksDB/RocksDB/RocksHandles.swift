import CRocksDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every C object an open database owns, created together at open and destroyed together by `destroy()`.
///
/// The C API's `*_create()` functions allocate with C++ `new`, which aborts rather than return NULL; they are
/// assigned to non-optional `OpaquePointer`s, which would trap on a NULL all the same.
///
/// The option objects are made once here rather than per call because they are read-only after creation, RocksDB
/// takes them by const reference (so threads may share them), and the write path is hot: ≥50,000 appends/s.
struct RocksHandles {
    /// The `rocksdb_t*`.
    let database: OpaquePointer
    /// Column family name → `rocksdb_column_family_handle_t*`, for every column family the database has.
    let columnFamilies: [String: OpaquePointer]
    /// Write options without and with `sync` (fsync the WAL before the write returns).
    let writeOptions: OpaquePointer
    let syncWriteOptions: OpaquePointer
    /// Read options for point lookups: checksums verified, blocks cached.
    let readOptions: OpaquePointer
    /// Flush options that wait for the flush to finish.
    let flushOptions: OpaquePointer
    /// Compaction options that rewrite the bottommost level too, so deleted values leave the SST files.
    let compactOptions: OpaquePointer

    /// The handle for `name`, or `.unknownColumnFamily`.
    func columnFamily(_ name: String) throws(RocksDBError) -> OpaquePointer {
        guard let handle = columnFamilies[name] else {
            throw .unknownColumnFamily(name, known: columnFamilies.keys)
        }
        return handle
    }

    /// Destroys every object; the handles must not be used afterwards. RocksDB wants the column family handles
    /// destroyed before the database is closed.
    func destroy() {
        for handle in columnFamilies.values {
            rocksdb_column_family_handle_destroy(handle)
        }
        rocksdb_close(database)
        rocksdb_writeoptions_destroy(writeOptions)
        rocksdb_writeoptions_destroy(syncWriteOptions)
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_flushoptions_destroy(flushOptions)
        rocksdb_compactoptions_destroy(compactOptions)
    }
}

extension RocksHandles {
    /// The name RocksDB gives the column family every database has.
    static let defaultColumnFamily = "default"

    /// Opens (or creates) the database at `path` with every column family it has plus those `options` asks for.
    static func open(path: String, options: RocksDatabase.Options) throws(RocksDBError) -> RocksHandles {
        try checkPath(path)
        try options.validate()

        let databaseOptions: OpaquePointer = rocksdb_options_create()
        defer { rocksdb_options_destroy(databaseOptions) }
        configure(databaseOptions, from: options)

        // RocksDB refuses to open a database unless every column family on disk is opened, so list them first.
        var names = [defaultColumnFamily]
        var seen: Set<String> = [defaultColumnFamily]
        for name in try existingColumnFamilies(path: path, options: databaseOptions) + options.columnFamilies
        where seen.insert(name).inserted {
            names.append(name)
        }
        guard names.count <= RocksDatabase.Limits.maximumColumnFamilies + 1 else {
            throw .invalidArgument(
                "the database at \(path) would have \(names.count - 1) column families besides \"default\", "
                    + "counting those on disk; the limit is \(RocksDatabase.Limits.maximumColumnFamilies)"
            )
        }

        let familyHandles = try openColumnFamilies(path: path, names: names, options: databaseOptions)
        let database = familyHandles.database
        var columnFamilies: [String: OpaquePointer] = [:]
        for (name, handle) in zip(names, familyHandles.handles) {
            columnFamilies[name] = handle
        }
        return RocksHandles(
            database: database,
            columnFamilies: columnFamilies,
            writeOptions: makeWriteOptions(sync: false),
            syncWriteOptions: makeWriteOptions(sync: true),
            readOptions: makePointReadOptions(),
            flushOptions: makeFlushOptions(),
            compactOptions: makeCompactOptions()
        )
    }

    private static func checkPath(_ path: String) throws(RocksDBError) {
        guard !path.isEmpty else { throw .invalidArgument("the database path is empty") }
        guard path.utf8.count <= RocksDatabase.Limits.maximumPathBytes else {
            throw .invalidArgument(
                "the database path has \(path.utf8.count) bytes; the limit is \(RocksDatabase.Limits.maximumPathBytes)"
            )
        }
        guard !path.utf8.contains(0) else { throw .invalidArgument("the database path contains a NUL byte") }
    }

    private static func configure(_ databaseOptions: OpaquePointer, from options: RocksDatabase.Options) {
        rocksdb_options_set_create_if_missing(databaseOptions, options.createIfMissing ? 1 : 0)
        rocksdb_options_set_create_missing_column_families(databaseOptions, 1)
        rocksdb_options_set_paranoid_checks(databaseOptions, options.paranoidChecks ? 1 : 0)
        rocksdb_options_set_write_buffer_size(databaseOptions, options.writeBufferBytes)
        // Secure deletion: obsolete WAL files are deleted at once, never archived, never reused in place, so deleted
        // values do not linger in old logs.
        rocksdb_options_set_WAL_ttl_seconds(databaseOptions, 0)
        rocksdb_options_set_WAL_size_limit_MB(databaseOptions, 0)
        rocksdb_options_set_recycle_log_file_num(databaseOptions, 0)
        // The info LOG rolls on every open; without a limit a long-lived, often-restarted server collects thousands.
        rocksdb_options_set_keep_log_file_num(databaseOptions, RocksDatabase.Limits.keptInfoLogFiles)
    }

    /// The column families on disk, or none when there is no database at `path` yet.
    private static func existingColumnFamilies(
        path: String,
        options databaseOptions: OpaquePointer
    ) throws(RocksDBError) -> [String] {
        // CURRENT names the live manifest; without it there is no database to list, and listing would fail with an
        // IO error that must not be confused with a real one.
        guard access(path + "/CURRENT", F_OK) == 0 else { return [] }
        var count = 0
        var error: UnsafeMutablePointer<CChar>?
        let list = rocksdb_list_column_families(databaseOptions, path, &count, &error)
        try RocksDBError.check(error)
        guard let list else { return [] }
        defer { rocksdb_list_column_families_destroy(list, count) }
        return (0..<count).compactMap { index in list[index].map { String(cString: $0) } }
    }

    private static func openColumnFamilies(
        path: String,
        names: [String],
        options databaseOptions: OpaquePointer
    ) throws(RocksDBError) -> (database: OpaquePointer, handles: [OpaquePointer]) {
        let cNames = names.map { name -> UnsafeMutablePointer<CChar> in
            guard let copy = strdup(name) else { fatalError("strdup: out of memory") }
            return copy
        }
        defer { cNames.forEach { free($0) } }
        let constNames: [UnsafePointer<CChar>?] = cNames.map { UnsafePointer($0) }
        let familyOptions = [OpaquePointer?](repeating: databaseOptions, count: names.count)
        var handles = [OpaquePointer?](repeating: nil, count: names.count)
        var error: UnsafeMutablePointer<CChar>?
        let database = rocksdb_open_column_families(
            databaseOptions,
            path,
            Int32(names.count),
            constNames,
            familyOptions,
            &handles,
            &error
        )
        try RocksDBError.check(error)
        guard let database else {
            throw RocksDBError(code: .other, message: "RocksDB opened \(path) without error but returned no handle")
        }
        return (
            database,
            handles.map { handle in
                guard let handle else { fatalError("RocksDB opened \(path) but returned no column family handle") }
                return handle
            }
        )
    }

    private static func makeWriteOptions(sync: Bool) -> OpaquePointer {
        let options: OpaquePointer = rocksdb_writeoptions_create()
        rocksdb_writeoptions_set_sync(options, sync ? 1 : 0)
        return options
    }

    private static func makePointReadOptions() -> OpaquePointer {
        let options: OpaquePointer = rocksdb_readoptions_create()
        rocksdb_readoptions_set_verify_checksums(options, 1)
        return options
    }

    private static func makeFlushOptions() -> OpaquePointer {
        let options: OpaquePointer = rocksdb_flushoptions_create()
        rocksdb_flushoptions_set_wait(options, 1)
        return options
    }

    private static func makeCompactOptions() -> OpaquePointer {
        let options: OpaquePointer = rocksdb_compactoptions_create()
        // 2 is BottommostLevelCompaction::kForce: rewrite the last level even when nothing would be merged into it,
        // which is what drops deleted values from the SST files.
        rocksdb_compactoptions_set_bottommost_level_compaction(options, 2)
        rocksdb_compactoptions_set_exclusive_manual_compaction(options, 1)
        return options
    }
}
