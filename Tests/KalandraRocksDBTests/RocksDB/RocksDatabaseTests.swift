import Foundation
import KalandraRocksDB
import Synchronization
import Testing

@Suite struct RocksDatabaseOpenTests {
    @Test func createsPersistsAndReopensColumnFamilies() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["log", "index"]))
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("a"), rocksBytes("one"), columnFamily: "default")
            batch.put(rocksBytes("a"), rocksBytes("log-one"), columnFamily: "log")
            batch.put(rocksBytes("b"), rocksBytes("index-two"), columnFamily: "index")
            try database.write(batch, sync: true)
            database.close()

            // Reopened without listing "index": column families on disk are opened anyway.
            let reopened = try RocksDatabase(path: path, options: .init(columnFamilies: ["log"]))
            #expect(try reopened.get(rocksBytes("a"), columnFamily: "default") == rocksBytes("one"))
            #expect(try reopened.get(rocksBytes("a"), columnFamily: "log") == rocksBytes("log-one"))
            #expect(try reopened.get(rocksBytes("b"), columnFamily: "index") == rocksBytes("index-two"))
            #expect(try reopened.get(rocksBytes("b"), columnFamily: "log") == nil)
            #expect(reopened.path == path)
            reopened.close()
        }
    }

    @Test func addsAColumnFamilyToAnExistingDatabase() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: []))
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("k"), rocksBytes("v"), columnFamily: "default")
            try database.write(batch, sync: false)
            #expect(throws: RocksDBError.self) { try database.get(rocksBytes("k"), columnFamily: "later") }
            database.close()

            let reopened = try RocksDatabase(path: path, options: .init(columnFamilies: ["later"]))
            #expect(try reopened.get(rocksBytes("k"), columnFamily: "default") == rocksBytes("v"))
            #expect(try reopened.get(rocksBytes("k"), columnFamily: "later") == nil)
            batch = RocksWriteBatch()
            batch.put(rocksBytes("k"), rocksBytes("w"), columnFamily: "later")
            try reopened.write(batch, sync: true)
            #expect(try reopened.get(rocksBytes("k"), columnFamily: "later") == rocksBytes("w"))
        }
    }

    @Test func refusesToCreateWhenCreateIfMissingIsOff() throws {
        try withTemporaryRocksPath { path in
            var options = RocksDatabase.Options(columnFamilies: [])
            options.createIfMissing = false
            do throws(RocksDBError) {
                _ = try RocksDatabase(path: path, options: options)
                Issue.record("opened a database that does not exist")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.message.hasPrefix("Invalid argument:"), "\(error.message)")
            }
            #expect(!FileManager.default.fileExists(atPath: path + "/CURRENT"))
        }
    }

    @Test func rejectsOptionsOverTheLimits() throws {
        try withTemporaryRocksPath { path in
            #expect(throws: RocksDBError.self) { try RocksDatabase(path: path, options: .init(columnFamilies: [""])) }
            let many = (0...RocksDatabase.Limits.maximumColumnFamilies).map { "family-\($0)" }
            #expect(throws: RocksDBError.self) { try RocksDatabase(path: path, options: .init(columnFamilies: many)) }
            var options = RocksDatabase.Options(columnFamilies: [])
            options.writeBufferBytes = 1
            do throws(RocksDBError) {
                _ = try RocksDatabase(path: path, options: options)
                Issue.record("accepted a 1-byte write buffer")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("writeBufferBytes is 1"))
            }
            #expect(throws: RocksDBError.self) { try RocksDatabase(path: "", options: .init(columnFamilies: [])) }
            // Nothing was created by the rejected attempts.
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func aSecondOpenOfTheSameDirectoryFailsWithoutCrashing() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: []))
            do throws(RocksDBError) {
                _ = try RocksDatabase(path: path, options: .init(columnFamilies: []))
                Issue.record("opened a locked database twice")
            } catch {
                // RocksDB's LOCK file: "IO error: While lock file: .../LOCK: Resource temporarily unavailable".
                #expect(error.code == .ioError, "\(error)")
            }
            database.close()
        }
    }
}

@Suite struct RocksDatabaseWriteTests {
    @Test func aBatchIsAppliedAcrossColumnFamilies() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["a", "b"]))
            var batch = RocksWriteBatch()
            #expect(batch.isEmpty)
            batch.put(rocksBytes("x"), rocksBytes("1"), columnFamily: "a")
            batch.put(rocksBytes("y"), rocksBytes("2"), columnFamily: "b")
            batch.put(rocksBytes("x"), rocksBytes("3"), columnFamily: "a")  // later operations on the same key win
            #expect(batch.count == 3)
            #expect(!batch.isEmpty)
            try database.write(batch, sync: true)
            #expect(try database.get(rocksBytes("x"), columnFamily: "a") == rocksBytes("3"))
            #expect(try database.get(rocksBytes("y"), columnFamily: "b") == rocksBytes("2"))
            #expect(try database.get(rocksBytes("y"), columnFamily: "a") == nil)
        }
    }

    @Test func aBatchWithAnUnknownColumnFamilyWritesNothing() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["a"]))
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("x"), rocksBytes("1"), columnFamily: "a")
            batch.put(rocksBytes("x"), rocksBytes("1"), columnFamily: "missing")
            batch.put(rocksBytes("z"), rocksBytes("1"), columnFamily: "default")
            do throws(RocksDBError) {
                try database.write(batch, sync: true)
                Issue.record("wrote a batch naming an unknown column family")
            } catch {
                #expect(error.code == .unknownColumnFamily("missing"))
                #expect(error.message.contains("\"missing\""))
                #expect(error.message.contains("\"a\", \"default\""))
            }
            #expect(try database.get(rocksBytes("x"), columnFamily: "a") == nil)
            #expect(try database.get(rocksBytes("z"), columnFamily: "default") == nil)
        }
    }

    @Test func aBatchWithAnOversizedKeyWritesNothing() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: []))
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("fine"), rocksBytes("1"), columnFamily: "default")
            batch.delete(
                [UInt8](repeating: 7, count: RocksDatabase.Limits.maximumKeyBytes + 1),
                columnFamily: "default"
            )
            do throws(RocksDBError) {
                try database.write(batch, sync: false)
                Issue.record("wrote a key over the limit")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("operation 1"))
            }
            #expect(try database.get(rocksBytes("fine"), columnFamily: "default") == nil)
            #expect(throws: RocksDBError.self) {
                try database.get(
                    [UInt8](repeating: 0, count: RocksDatabase.Limits.maximumKeyBytes + 1),
                    columnFamily: "default"
                )
            }
        }
    }

    @Test func deleteRemovesOnlyTheKey() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: []))
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("keep"), rocksBytes("1"), columnFamily: "default")
            batch.put(rocksBytes("drop"), rocksBytes("2"), columnFamily: "default")
            try database.write(batch, sync: false)
            batch = RocksWriteBatch()
            batch.delete(rocksBytes("drop"), columnFamily: "default")
            batch.delete(rocksBytes("never-existed"), columnFamily: "default")
            try database.write(batch, sync: true)
            #expect(try database.get(rocksBytes("drop"), columnFamily: "default") == nil)
            #expect(try database.get(rocksBytes("keep"), columnFamily: "default") == rocksBytes("1"))
            database.close()

            let reopened = try RocksDatabase(path: path, options: .init(columnFamilies: []))
            #expect(try reopened.get(rocksBytes("drop"), columnFamily: "default") == nil)
            #expect(try reopened.copiedEntries(columnFamily: "default").map(\.key) == [rocksBytes("keep")])
        }
    }

    @Test func emptyKeysAndValuesRoundTrip() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: []))
            var batch = RocksWriteBatch()
            batch.put([], rocksBytes("empty key"), columnFamily: "default")
            batch.put(rocksBytes("empty value"), [], columnFamily: "default")
            try database.write(batch, sync: false)
            #expect(try database.get([], columnFamily: "default") == rocksBytes("empty key"))
            #expect(try database.get(rocksBytes("empty value"), columnFamily: "default") == [])
            #expect(try database.copiedEntries(columnFamily: "default").map(\.key) == [[], rocksBytes("empty value")])
        }
    }

    @Test func concurrentWritersAllLand() async throws {
        try await withTemporaryRocksPathAsync { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["log"]))
            let writers = 4
            let batchesPerWriter = 50
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<batchesPerWriter {
                            var batch = RocksWriteBatch()
                            batch.put(rocksKey(writer * 1000 + index), rocksBytes("\(writer)"), columnFamily: "log")
                            try database.write(batch, sync: index % 10 == 0)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try database.copiedEntries(columnFamily: "log").count == writers * batchesPerWriter)
        }
    }
}

@Suite struct RocksDatabaseScanTests {
    /// keys "a", "ab", "b", "c", "d" in "default".
    static func populated(_ path: String) throws -> RocksDatabase {
        let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["other"]))
        var batch = RocksWriteBatch()
        for key in ["d", "b", "ab", "c", "a"] {  // written out of order; scans come back sorted
            batch.put(rocksBytes(key), rocksBytes("value-" + key), columnFamily: "default")
        }
        batch.put(rocksBytes("b"), rocksBytes("elsewhere"), columnFamily: "other")
        try database.write(batch, sync: false)
        return database
    }

    @Test func scansInKeyOrderWithinBounds() throws {
        try withTemporaryRocksPath { path in
            let database = try Self.populated(path)
            let all = try database.copiedEntries(columnFamily: "default")
            #expect(all.map(\.key) == ["a", "ab", "b", "c", "d"].map(rocksBytes))
            #expect(all.map(\.value) == ["a", "ab", "b", "c", "d"].map { rocksBytes("value-" + $0) })
            // from is inclusive, upperBound exclusive.
            #expect(
                try database.copiedEntries(columnFamily: "default", from: rocksBytes("ab"), upperBound: rocksBytes("c"))
                    .map(\.key)
                    == [rocksBytes("ab"), rocksBytes("b")]
            )
            // A start between keys begins at the next one.
            #expect(
                try database.copiedEntries(columnFamily: "default", from: rocksBytes("bb")).map(\.key) == [
                    rocksBytes("c"), rocksBytes("d"),
                ]
            )
            // Empty ranges: start at or past the bound, a bound below every key, a start past every key.
            #expect(
                try database.copiedEntries(columnFamily: "default", from: rocksBytes("c"), upperBound: rocksBytes("c"))
                    .isEmpty
            )
            #expect(
                try database.copiedEntries(columnFamily: "default", from: rocksBytes("d"), upperBound: rocksBytes("a"))
                    .isEmpty
            )
            #expect(try database.copiedEntries(columnFamily: "default", upperBound: []).isEmpty)
            #expect(try database.copiedEntries(columnFamily: "default", from: rocksBytes("e")).isEmpty)
            // Column families are separate key spaces.
            #expect(try database.copiedEntries(columnFamily: "other").map(\.value) == [rocksBytes("elsewhere")])
        }
    }

    @Test func scanStopsWhenTheBodyReturnsFalse() throws {
        try withTemporaryRocksPath { path in
            let database = try Self.populated(path)
            var seen: [[UInt8]] = []
            try database.scan(columnFamily: "default", from: [], upperBound: nil) { key, _ in
                seen.append(Array(key))
                return seen.count < 2
            }
            #expect(seen == [rocksBytes("a"), rocksBytes("ab")])
        }
    }

    @Test func anErrorFromTheBodyEndsTheScan() throws {
        try withTemporaryRocksPath { path in
            let database = try Self.populated(path)
            var calls = 0
            let stop = RocksDBError(code: .other, message: "stop here")
            #expect(throws: stop) {
                try database.scan(columnFamily: "default", from: [], upperBound: nil) { _, _ throws(RocksDBError) in
                    calls += 1
                    throw stop
                }
            }
            #expect(calls == 1)
            // The database is still usable: the iterator was released, not leaked holding the lock.
            #expect(try database.get(rocksBytes("a"), columnFamily: "default") == rocksBytes("value-a"))
            database.close()
        }
    }

    @Test func aScanBodyMayReadTheSameDatabase() throws {
        try withTemporaryRocksPath { path in
            let database = try Self.populated(path)
            var values: [[UInt8]?] = []
            try database.scan(columnFamily: "default", from: rocksBytes("b"), upperBound: rocksBytes("c")) {
                key,
                _ throws(RocksDBError) in
                values.append(try database.get(Array(key), columnFamily: "other"))
                return true
            }
            #expect(values == [rocksBytes("elsewhere")])
        }
    }
}

@Suite struct RocksDatabaseErrorTests {
    @Test func unknownColumnFamiliesThrowATypedError() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["known"]))
            let expected = RocksDBError.Code.unknownColumnFamily("unknown")
            #expect(throws: RocksDBError.self) { try database.get(rocksBytes("k"), columnFamily: "unknown") }
            do throws(RocksDBError) {
                try database.scan(columnFamily: "unknown", from: [], upperBound: nil) { _, _ in true }
                Issue.record("scanned an unknown column family")
            } catch {
                #expect(error.code == expected)
            }
            let errors = [
                rocksError { try database.flush(columnFamily: "unknown") },
                rocksError { try database.compactRange(columnFamily: "unknown", from: nil, to: nil) },
                rocksError { try database.get([], columnFamily: "unknown") },
                rocksError { try database.scan(columnFamily: "unknown", from: [], upperBound: nil) { _, _ in true } },
            ]
            for error in errors {
                #expect(error?.code == expected)
                #expect(error?.description.contains("unknown column family \"unknown\"") == true)
            }
        }
    }

    @Test func operationsAfterCloseThrowClosed() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["log"]))
            database.close()
            database.close()  // idempotent
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("k"), rocksBytes("v"), columnFamily: "log")
            let written = batch
            let errors = [
                rocksError { try database.write(written, sync: true) },
                rocksError { try database.get(rocksBytes("k"), columnFamily: "log") },
                rocksError { try database.scan(columnFamily: "log", from: [], upperBound: nil) { _, _ in true } },
                rocksError { try database.flush(columnFamily: "log") },
                rocksError { try database.flushAll() },
                rocksError { try database.compactRange(columnFamily: "log", from: nil, to: nil) },
                rocksError { try database.syncWAL() },
            ]
            for error in errors {
                #expect(error?.code == .closed)
                #expect(error?.message.contains(path) == true)
            }
            // Closed means released: the directory can be opened again.
            let reopened = try RocksDatabase(path: path, options: .init(columnFamilies: []))
            reopened.close()
        }
    }

    /// Real threads (not tasks, which share a small pool and would not overlap with `close()`) write and read
    /// until the database closes under them: each must stop with `.closed`, never crash or hang.
    @Test func closeWhileOperationsRunTurnsThemAwayWithClosed() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: []))
            let workers = 3
            // The bound only ends the test if close() never takes effect.
            let iterationsMax = 2_000_000
            let outcomes = Mutex<[(written: Int, error: RocksDBError?)]>([])
            let finished = DispatchSemaphore(value: 0)
            for worker in 0..<workers {
                Thread.detachNewThread {
                    var outcome: (written: Int, error: RocksDBError?) = (iterationsMax, nil)
                    for index in 0..<iterationsMax {
                        let key = rocksKey(worker * iterationsMax + index)
                        var batch = RocksWriteBatch()
                        batch.put(key, rocksBytes("v"), columnFamily: "default")
                        if let error = rocksError({
                            try database.write(batch, sync: false)
                            _ = try database.get(key, columnFamily: "default")
                        }) {
                            outcome = (index, error)
                            break
                        }
                    }
                    outcomes.withLock { $0.append(outcome) }
                    finished.signal()
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
            database.close()
            for _ in 0..<workers { finished.wait() }
            for outcome in outcomes.withLock({ $0 }) {
                #expect(outcome.error?.code == .closed, "a worker ended with \(String(describing: outcome.error))")
                #expect(outcome.written > 0, "a worker never wrote before the close")
            }
            #expect(rocksError { try database.syncWAL() }?.code == .closed)
        }
    }

    @Test func theDescriptionIsTheMessage() {
        let error = RocksDBError(code: .corruption, message: "Corruption: block checksum mismatch")
        #expect(error.description == "Corruption: block checksum mismatch")
        #expect(error != RocksDBError(code: .ioError, message: "Corruption: block checksum mismatch"))
    }
}

@Suite struct RocksDatabaseMaintenanceTests {
    @Test func dataSurvivesFlushAndCompaction() throws {
        try withTemporaryRocksPath { path in
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["log"]))
            for round in 0..<3 {
                var batch = RocksWriteBatch()
                for index in 0..<200 {
                    batch.put(
                        rocksKey(index),
                        rocksValue(index: index + round, count: 64),
                        columnFamily: "log"
                    )
                }
                try database.write(batch, sync: false)
                try database.flush(columnFamily: "log")
            }
            try database.flushAll()
            try database.compactRange(columnFamily: "log", from: nil, to: nil)
            try database.compactRange(columnFamily: "log", from: rocksKey(10), to: rocksKey(20))
            try database.compactRange(columnFamily: "default", from: [], to: [])
            try database.syncWAL()
            let entries = try database.copiedEntries(columnFamily: "log")
            #expect(entries.count == 200)
            #expect(entries.enumerated().allSatisfy { $1.value == rocksValue(index: $0 + 2, count: 64) })
            database.close()

            let reopened = try RocksDatabase(path: path, options: .init(columnFamilies: ["log"]))
            #expect(try reopened.get(rocksKey(199), columnFamily: "log") == rocksValue(index: 201, count: 64))
        }
    }

    /// The secure-deletion property: after delete, flush and a forced compaction, no file in the directory still
    /// holds the deleted value (the WAL that had it is gone too: no archive, no recycling).
    @Test func compactionDropsDeletedValuesFromFiles() throws {
        try withTemporaryRocksPath { path in
            let marker = rocksBytes("SECRET-MARKER-") + rocksValue(index: 42, count: 32)
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["log"]))
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("secret"), marker, columnFamily: "log")
            batch.put(rocksBytes("other"), rocksBytes("kept"), columnFamily: "log")
            try database.write(batch, sync: true)
            #expect(try Self.filesContaining(marker, in: path).map(Self.fileKind) == ["log"])
            // After a flush the value is only in an SST file: the WAL that held it was deleted, not archived.
            try database.flushAll()
            #expect(try Self.filesContaining(marker, in: path).map(Self.fileKind) == ["sst"])
            // Settle the value in the bottommost level first, as a long-lived value would be.
            try database.compactRange(columnFamily: "log", from: nil, to: nil)
            #expect(try Self.filesContaining(marker, in: path).map(Self.fileKind) == ["sst"])

            batch = RocksWriteBatch()
            batch.delete(rocksBytes("secret"), columnFamily: "log")
            try database.write(batch, sync: true)
            try database.flushAll()
            try database.compactRange(columnFamily: "log", from: nil, to: nil)
            #expect(try Self.filesContaining(marker, in: path) == [])
            #expect(try database.get(rocksBytes("other"), columnFamily: "log") == rocksBytes("kept"))
            database.close()
            #expect(try Self.filesContaining(marker, in: path) == [])
        }
    }

    /// A scan pins the SST files it started on, so a value deleted and compacted away during the scan stays on disk
    /// in the old file until the scan ends; then the file must go.
    @Test func aValueDeletedDuringAScanLeavesTheFilesWhenTheScanEnds() throws {
        try withTemporaryRocksPath { path in
            let marker = rocksBytes("SECRET-MARKER-") + rocksValue(index: 43, count: 32)
            let database = try RocksDatabase(path: path, options: .init(columnFamilies: ["log"]))
            var batch = RocksWriteBatch()
            batch.put(rocksBytes("secret"), marker, columnFamily: "log")
            batch.put(rocksBytes("z"), rocksBytes("kept"), columnFamily: "log")
            try database.write(batch, sync: true)
            try database.flushAll()
            try database.compactRange(columnFamily: "log", from: nil, to: nil)
            var visited = 0
            try database.scan(columnFamily: "log", from: [], upperBound: nil) { _, _ throws(RocksDBError) in
                visited += 1
                guard visited == 1 else { return true }
                var deletion = RocksWriteBatch()
                deletion.delete(rocksBytes("secret"), columnFamily: "log")
                try database.write(deletion, sync: true)
                try database.flushAll()
                try database.compactRange(columnFamily: "log", from: nil, to: nil)
                return true
            }
            #expect(visited == 2, "the scan reads its snapshot, which still has the deleted key")
            #expect(try Self.filesContaining(marker, in: path) == [])
            #expect(try database.get(rocksBytes("secret"), columnFamily: "log") == nil)
        }
    }

    /// "log", "sst", ...: the extension of a RocksDB file name.
    static func fileKind(_ name: String) -> String {
        String(name.split(separator: ".").last ?? "")
    }

    /// Names of the files in `directory` that contain `needle`.
    static func filesContaining(_ needle: [UInt8], in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted().filter { name in
            let contents = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
            return contents.range(of: Data(needle)) != nil
        }
    }
}
