extension RocksDatabase {
    /// The largest sizes the wrapper accepts. RocksDB's own limits are far higher (4 GiB values); these keep one
    /// careless call from building gigabyte batches or pinning huge keys in every index block.
    public enum Limits {
        /// The longest key, in bytes (64 KiB). Keys are copied into every index block that points at them.
        public static let maximumKeyBytes = 1 << 16
        /// The longest value, in bytes (64 MiB).
        public static let maximumValueBytes = 1 << 26
        /// The most operations in one `RocksWriteBatch` (1,048,576).
        public static let maximumBatchOperations = 1 << 20
        /// The most key and value bytes in one `RocksWriteBatch` (512 MiB); RocksDB keeps the whole batch in memory
        /// twice (the batch, then the memtable) before the write returns.
        public static let maximumBatchBytes = 1 << 29
        /// The most column families besides "default" (64); each has its own memtable of `writeBufferBytes`.
        public static let maximumColumnFamilies = 64
        /// The longest column family name, in UTF-8 bytes (255).
        public static let maximumColumnFamilyNameBytes = 255
        /// The longest database path, in UTF-8 bytes (Linux's PATH_MAX, 4096, less the file names RocksDB appends).
        public static let maximumPathBytes = 3_840
        /// The smallest memtable size RocksDB uses without raising it silently, in bytes (64 KiB).
        public static let minimumWriteBufferBytes = 1 << 16
        /// The largest memtable size, in bytes (4 GiB); memtables of every column family live in memory at once.
        public static let maximumWriteBufferBytes = 1 << 32
        /// How many old info LOG files RocksDB keeps in the database directory.
        static let keptInfoLogFiles = 8
    }
}
