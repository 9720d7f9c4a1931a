import KalandraCrypto

/// Column families: separate key spaces. Payloads and the keys that encrypt them live in different families (in
/// RocksDB, different files), so deleting a key never needs to rewrite payload files before it takes effect.
public enum ColumnFamily: String, Sendable, CaseIterable {
    /// Encrypted log payloads: room ‖ sequence → record.
    case log
    /// Per-entry encryption keys: room ‖ sequence → key record.
    case logKeys = "log_keys"
    /// Segment descriptors: room ‖ segment index → descriptor.
    case segments
    /// State records: namespace ‖ name → record.
    case state
}

/// Changes to a key-value store, applied atomically.
public struct KeyValueBatch: Sendable {
    /// One change: a put (value non-nil) or a delete.
    public struct Operation: Sendable, Equatable {
        /// The family.
        public var family: ColumnFamily
        /// The key.
        public var key: [UInt8]
        /// The new value, or nil to delete.
        public var value: [UInt8]?
    }

    /// The changes in order.
    public private(set) var operations: [Operation] = []

    /// An empty batch.
    public init() {}

    /// Sets `key` to `value` in `family`.
    public mutating func put(_ key: [UInt8], _ value: [UInt8], in family: ColumnFamily) {
        operations.append(Operation(family: family, key: key, value: value))
    }

    /// Deletes `key` from `family`.
    public mutating func delete(_ key: [UInt8], in family: ColumnFamily) {
        operations.append(Operation(family: family, key: key, value: nil))
    }

    /// Whether there are no changes.
    public var isEmpty: Bool { operations.isEmpty }

    /// Appends the operations of `other`.
    public mutating func append(contentsOf other: KeyValueBatch) {
        operations.append(contentsOf: other.operations)
    }

    /// Overwrites with zeros the values this batch holds for `family` (key material, once written).
    public mutating func zeroizeValues(in family: ColumnFamily) {
        for index in operations.indices where operations[index].family == family {
            if var value = operations[index].value {
                operations[index].value = nil
                Zeroize.bytes(&value)
            }
        }
    }
}

/// The small interface a storage backend implements (RocksDB, or memory); `LogStore` builds the `Storage` contract
/// (logs, segments, encryption at rest, checksums, shredding, group commit) on top of it once, for every backend.
public protocol KeyValueStore: AnyObject, Sendable {
    /// Applies `batch` atomically; with `sync`, durable before returning.
    func write(_ batch: KeyValueBatch, sync: Bool) throws(StorageError)
    /// The value of `key`, or nil.
    func get(_ key: [UInt8], in family: ColumnFamily) throws(StorageError) -> [UInt8]?
    /// Entries with `from <= key < upperBound` in key order, at most `limit`.
    func scan(
        _ family: ColumnFamily,
        from: [UInt8],
        upperBound: [UInt8],
        limit: Int
    ) throws(StorageError) -> [(
        key: [UInt8], value: [UInt8]
    )]
    /// Makes all earlier writes durable.
    func sync() throws(StorageError)
    /// Removes deleted data from every file (see `Storage.purgeDeleted`).
    func purgeDeleted() throws(StorageError)
}
