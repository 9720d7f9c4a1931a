extension RocksDatabase {
    /// How to open a database. Every column family gets the same options.
    public struct Options: Sendable {
        /// Create the database directory and files when they do not exist; when false, opening a missing database
        /// throws `.invalidArgument`.
        public var createIfMissing: Bool = true
        /// Column families to open besides "default"; those that do not exist yet are created. Column families that
        /// exist on disk but are not listed are opened too, because RocksDB refuses to open a database otherwise.
        public var columnFamilies: [String]
        /// The memtable size of each column family, in bytes: how much is written before a flush to an SST file.
        public var writeBufferBytes: Int = 64 << 20
        /// Check files aggressively and stop writes on the first background error, rather than carry on with
        /// possibly damaged data.
        public var paranoidChecks: Bool = true

        /// Options that open (or create) the given column families besides "default".
        public init(columnFamilies: [String]) {
            self.columnFamilies = columnFamilies
        }
    }
}

extension RocksDatabase.Options {
    /// Rejects options over `RocksDatabase.Limits` and names RocksDB cannot store, before any C object exists.
    func validate() throws(RocksDBError) {
        let limits = RocksDatabase.Limits.self
        guard columnFamilies.count <= limits.maximumColumnFamilies else {
            throw .invalidArgument(
                "\(columnFamilies.count) column families requested; the limit is \(limits.maximumColumnFamilies)"
            )
        }
        for name in columnFamilies {
            guard !name.isEmpty else { throw .invalidArgument("a column family name is empty") }
            guard name.utf8.count <= limits.maximumColumnFamilyNameBytes else {
                throw .invalidArgument(
                    "column family name \"\(name.prefix(32))...\" has \(name.utf8.count) bytes; "
                        + "the limit is \(limits.maximumColumnFamilyNameBytes)"
                )
            }
            // RocksDB takes names as C strings; a NUL would silently cut the name short.
            guard !name.utf8.contains(0) else {
                throw .invalidArgument("column family name \"\(name)\" contains a NUL byte")
            }
        }
        guard (limits.minimumWriteBufferBytes...limits.maximumWriteBufferBytes).contains(writeBufferBytes) else {
            throw .invalidArgument(
                "writeBufferBytes is \(writeBufferBytes); it must be between \(limits.minimumWriteBufferBytes) "
                    + "and \(limits.maximumWriteBufferBytes)"
            )
        }
    }
}
