import Foundation
import KalandraRocksDB
import Testing

/// Damaged SST files must surface as `.corruption`: never as wrong bytes, never as a crash.
@Suite struct RocksCorruptionTests {
    static let entryCount = 2_000
    static let valueBytes = 200

    /// Writes `entryCount` incompressible values to "data", flushes them to SST files, closes, and flips 64 bytes in
    /// the middle of each SST file, which for files this size lies in the data blocks.
    static func makeDamagedDatabase(at path: String) throws {
        let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["data"]))
        var batch = RocksWriteBatch()
        for index in 0..<entryCount {
            batch.put(rocksKey(index), rocksValue(index: index, count: valueBytes), columnFamily: "data")
        }
        try database.write(batch, sync: true)
        try database.flushAll()
        database.close()

        let tables = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".sst") }
        #expect(!tables.isEmpty, "the flush produced no SST file")
        for table in tables {
            let url = URL(fileURLWithPath: path).appendingPathComponent(table)
            var contents = try Data(contentsOf: url)
            #expect(contents.count > 100_000, "\(table) is too small for its middle to be data blocks")
            let middle = contents.count / 2
            for offset in middle..<(middle + 64) {
                contents[offset] ^= 0xA5
            }
            try contents.write(to: url)
        }
    }

    /// Opens the damaged database, or returns nil after checking that the refusal was a corruption error.
    static func openDamaged(at path: String) throws -> RocksDatabase? {
        do throws(RocksDBError) {
            return try RocksDatabase(path: path, options: .init(columnFamilies: ["data"]))
        } catch {
            #expect(error.code == .corruption, "opening failed, but not with a corruption error: \(error)")
            return nil
        }
    }

    @Test func aScanOverDamagedBlocksThrowsCorruption() throws {
        try withTemporaryRocksPath { path in
            try Self.makeDamagedDatabase(at: path)
            guard let database = try Self.openDamaged(at: path) else { return }
            var seen = 0
            do throws(RocksDBError) {
                try database.scan(columnFamily: "data", from: [], upperBound: nil) { key, value in
                    // Entries before the damage come back intact.
                    #expect(Array(key) == rocksKey(seen))
                    #expect(Array(value) == rocksValue(index: seen, count: Self.valueBytes))
                    seen += 1
                    return true
                }
                Issue.record("scanned \(seen) entries across damaged blocks without an error")
            } catch {
                #expect(error.code == .corruption, "\(error)")
                #expect(error.message.hasPrefix("Corruption:"), "\(error.message)")
            }
            #expect(seen < Self.entryCount)
        }
    }

    @Test func pointReadsReturnTheStoredValueOrThrowCorruption() throws {
        try withTemporaryRocksPath { path in
            try Self.makeDamagedDatabase(at: path)
            guard let database = try Self.openDamaged(at: path) else { return }
            var damaged = 0
            for index in 0..<Self.entryCount {
                do throws(RocksDBError) {
                    let value = try database.get(rocksKey(index), columnFamily: "data")
                    #expect(
                        value == rocksValue(index: index, count: Self.valueBytes),
                        "wrong bytes for \(index)"
                    )
                } catch {
                    #expect(error.code == .corruption, "\(error)")
                    damaged += 1
                }
            }
            #expect(damaged > 0, "no read noticed the damaged block")
            #expect(damaged < Self.entryCount, "the damage reached beyond one region")
        }
    }

    /// The C API drops a manual compaction's status; the wrapper must still report the failure, and as corruption.
    @Test func compactingDamagedFilesThrowsCorruption() throws {
        try withTemporaryRocksPath { path in
            try Self.makeDamagedDatabase(at: path)
            guard let database = try Self.openDamaged(at: path) else { return }
            let error = rocksError { try database.compactRange(columnFamily: "data", from: nil, to: nil) }
            #expect(error?.code == .corruption, "\(String(describing: error))")
            #expect(error?.message.contains(".sst") == true, "\(String(describing: error))")
            // RocksDB stops writes after a failed compaction rather than build on damaged files.
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("after"), rocksBytes("damage"), columnFamily: "data")
            #expect(rocksError { try database.write(batch, sync: true) }?.code == .corruption)
        }
    }
}
