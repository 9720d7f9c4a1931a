import Foundation
import KalandraRocksDB
import Testing

/// Runs `body` with the path of a fresh, uniquely named directory (not yet created, as RocksDB creates it), and
/// removes the directory afterwards whatever happens.
func withTemporaryRocksPath<Result>(_ body: (String) throws -> Result) throws -> Result {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("kalandra-rocksdb-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// `withTemporaryRocksPath` for async bodies.
func withTemporaryRocksPathAsync<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("kalandra-rocksdb-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The UTF-8 bytes of `text`, for readable keys and values.
func rocksBytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// A deterministic, incompressible value for entry `index`, so SST files are large and compression cannot hide a
/// changed byte.
func rocksValue(index: Int, count: Int) -> [UInt8] {
    var state = UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15 &+ 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

/// A fixed-width, order-preserving key for entry `index`.
func rocksKey(_ index: Int) -> [UInt8] {
    rocksBytes("key-" + String(repeating: "0", count: max(0, 6 - String(index).count)) + String(index))
}

extension RocksDatabase {
    /// Every entry of `columnFamily` in scan order, copied.
    func copiedEntries(
        columnFamily: String,
        from: [UInt8] = [],
        upperBound: [UInt8]? = nil
    ) throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        try scan(columnFamily: columnFamily, from: from, upperBound: upperBound) { key, value in
            result.append((Array(key), Array(value)))
            return true
        }
        return result
    }
}

/// The error `body` throws, or nil when it returns normally. (Untyped, because Swift 6.3 neither infers a typed
/// `throws` for these closures nor compiles arrays of typed-throws closures: the compiler crashes in CapturePromotion.)
func rocksError<Result>(_ body: () throws -> Result) -> RocksDBError? {
    do {
        _ = try body()
        return nil
    } catch let error as RocksDBError {
        return error
    } catch {
        Issue.record("threw \(error), not a RocksDBError")
        return nil
    }
}
