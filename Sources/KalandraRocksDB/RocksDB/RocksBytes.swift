/// Calls `body` with `bytes` as the `(const char*, size_t)` pair RocksDB's C API takes.
///
/// The pointer is never nil, even for an empty array: several C functions read a nil pointer as "no key" (an open
/// end of a range) rather than "the empty key". The pointer is valid only during `body`.
func withRocksBytes<Result>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>, Int) -> Result) -> Result {
    bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else {
            let empty: CChar = 0
            return withUnsafePointer(to: empty) { body($0, 0) }
        }
        return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { body($0, buffer.count) }
    }
}

/// A copy of a key in memory that stays put until `deallocate()`, for C calls that keep the pointer they are given
/// (an iterator's upper bound) beyond the call.
struct RocksPinnedBytes {
    let pointer: UnsafeMutablePointer<CChar>
    let count: Int

    init(copying bytes: [UInt8]) {
        // At least one byte, so the pointer is valid (and non-nil) for the empty key too.
        pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
        count = bytes.count
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress, !source.isEmpty {
                UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: source.count)
            }
        }
    }

    func deallocate() {
        pointer.deallocate()
    }
}

extension RocksDatabase {
    /// Rejects a key over `Limits.maximumKeyBytes`; `role` names it in the message ("key", "scan start", ...).
    static func checkKey(_ key: [UInt8], role: String) throws(RocksDBError) {
        guard key.count <= Limits.maximumKeyBytes else {
            throw .invalidArgument("the \(role) has \(key.count) bytes; the limit is \(Limits.maximumKeyBytes)")
        }
    }
}
