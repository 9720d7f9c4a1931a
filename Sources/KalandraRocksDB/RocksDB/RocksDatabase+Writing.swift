import CRocksDB

extension RocksDatabase {
    /// Applies every operation of `batch` atomically: after a crash either all of them are visible or none is.
    ///
    /// With `sync: true` the write-ahead log is fsynced before this returns, so the batch survives a power loss.
    /// Concurrent callers are grouped into one log write and fsync by RocksDB. The whole batch is rejected, and
    /// nothing written, when an operation names an unknown column family or is over `Limits`.
    public func write(_ batch: RocksWriteBatch, sync: Bool) throws(RocksDBError) {
        guard batch.count <= Limits.maximumBatchOperations else {
            throw .invalidArgument(
                "the batch has \(batch.count) operations; the limit is \(Limits.maximumBatchOperations)"
            )
        }
        guard batch.byteCount <= Limits.maximumBatchBytes else {
            throw .invalidArgument(
                "the batch holds \(batch.byteCount) bytes of keys and values; the limit is \(Limits.maximumBatchBytes)"
            )
        }
        try withHandles { handles throws(RocksDBError) in
            let cBatch: OpaquePointer = rocksdb_writebatch_create()
            defer { rocksdb_writebatch_destroy(cBatch) }
            // Batches usually name one or two column families over and over; skip the dictionary lookup for repeats.
            var previous: (name: String, family: OpaquePointer)?
            for (index, operation) in batch.operations.enumerated() {
                let family: OpaquePointer
                if let previous, previous.name == operation.columnFamily {
                    family = previous.family
                } else {
                    family = try handles.columnFamily(operation.columnFamily)
                    previous = (operation.columnFamily, family)
                }
                try Self.append(operation, at: index, family: family, to: cBatch)
            }
            var error: UnsafeMutablePointer<CChar>?
            rocksdb_write(handles.database, sync ? handles.syncWriteOptions : handles.writeOptions, cBatch, &error)
            try RocksDBError.check(error)
        }
    }

    /// Adds one recorded operation to the C batch, after checking its sizes.
    private static func append(
        _ operation: RocksWriteBatch.Operation,
        at index: Int,
        family: OpaquePointer,
        to cBatch: OpaquePointer
    ) throws(RocksDBError) {
        let key = operation.key
        guard key.count <= Limits.maximumKeyBytes else {
            throw .invalidArgument(
                "operation \(index) of the batch has a key of \(key.count) bytes; "
                    + "the limit is \(Limits.maximumKeyBytes)"
            )
        }
        switch operation.kind {
        case .put(let value):
            guard value.count <= Limits.maximumValueBytes else {
                throw .invalidArgument(
                    "operation \(index) of the batch has a value of \(value.count) bytes; "
                        + "the limit is \(Limits.maximumValueBytes)"
                )
            }
            withRocksBytes(key) { keyPointer, keyCount in
                withRocksBytes(value) { valuePointer, valueCount in
                    rocksdb_writebatch_put_cf(cBatch, family, keyPointer, keyCount, valuePointer, valueCount)
                }
            }
        case .delete:
            withRocksBytes(key) { keyPointer, keyCount in
                rocksdb_writebatch_delete_cf(cBatch, family, keyPointer, keyCount)
            }
        }
    }
}
