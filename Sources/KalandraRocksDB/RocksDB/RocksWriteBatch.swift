/// Puts and deletes, in any column families, that `RocksDatabase.write(_:sync:)` applies atomically: after a crash
/// either all of them are visible or none is.
///
/// A value type that only records the operations; the RocksDB batch is built inside `write`, so a batch can be built
/// on any thread, copied, and written more than once. Sizes are checked against `RocksDatabase.Limits` by `write`.
public struct RocksWriteBatch: Sendable {
    /// One recorded operation.
    struct Operation: Sendable {
        enum Kind: Sendable {
            case put(value: [UInt8])
            case delete
        }

        var columnFamily: String
        var key: [UInt8]
        var kind: Kind
    }

    /// The operations in the order they were recorded; a later operation on the same key wins.
    private(set) var operations: [Operation] = []
    /// The key and value bytes of all operations, for the batch size limit.
    private(set) var byteCount = 0

    /// An empty batch.
    public init() {}

    /// Records that `key` in `columnFamily` is to hold `value`.
    public mutating func put(_ key: [UInt8], _ value: [UInt8], columnFamily: String) {
        operations.append(Operation(columnFamily: columnFamily, key: key, kind: .put(value: value)))
        byteCount += key.count + value.count
    }

    /// Records that `key` in `columnFamily` is to be removed; deleting a missing key is not an error.
    public mutating func delete(_ key: [UInt8], columnFamily: String) {
        operations.append(Operation(columnFamily: columnFamily, key: key, kind: .delete))
        byteCount += key.count
    }

    /// The number of recorded operations.
    public var count: Int { operations.count }

    /// Whether no operation has been recorded.
    public var isEmpty: Bool { operations.isEmpty }
}
