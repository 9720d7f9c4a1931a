import Foundation
import KalandraCore
import KalandraCrypto
import KalandraStorage
import KalandraStorageTesting
import Testing

/// The in-memory backend: the shared contract, plus what only memory can show (crash loss of unsynced writes,
/// counted syncs, injected damage).
struct InMemoryFixture: StorageFixture {
    let backend = InMemoryKeyValueStore()
    var limits = StorageLimits()
    var storage: any Storage

    init(limits: StorageLimits = StorageLimits()) {
        self.limits = limits
        storage = LogStore(backend: backend, limits: limits, keySource: .seeded(1))
    }

    mutating func reopen() throws {
        storage = LogStore(backend: backend, limits: limits, keySource: .seeded(2))
    }
}

@Suite struct InMemoryStorageContractTests {
    @Test func appendsReadBackInOrder() throws {
        var fixture: any StorageFixture = InMemoryFixture()
        try StorageContract.appendsReadBackInOrder(&fixture)
    }

    @Test func gapsAndOverlapsAreRefused() throws {
        var fixture: any StorageFixture = InMemoryFixture()
        try StorageContract.gapsAndOverlapsAreRefused(&fixture)
    }

    @Test func batchesAreAtomicAcrossLogsAndState() throws {
        var fixture: any StorageFixture = InMemoryFixture()
        try StorageContract.batchesAreAtomicAcrossLogsAndState(&fixture)
    }

    @Test func syncedWritesSurviveReopen() throws {
        var fixture: any StorageFixture = InMemoryFixture()
        try StorageContract.syncedWritesSurviveReopen(&fixture)
    }

    @Test func stateRecords() throws {
        var fixture: any StorageFixture = InMemoryFixture()
        try StorageContract.stateRecords(&fixture)
    }

    @Test func limitsAreEnforced() throws {
        var fixture: any StorageFixture = InMemoryFixture()
        try StorageContract.limitsAreEnforced(&fixture)
    }

    @Test func shreddingKeepsThePositionAndLosesThePayload() throws {
        var fixture: any StorageFixture = InMemoryFixture()
        try StorageContract.shreddingKeepsThePositionAndLosesThePayload(&fixture)
    }

    @Test func concurrentWritersAllLand() throws {
        var fixture: any StorageFixture = InMemoryFixture()
        try StorageContract.concurrentWritersAllLand(&fixture)
    }

    @Test func concurrentAsyncWritersAllLand() async throws {
        try await StorageContract.concurrentAsyncWritersAllLand(InMemoryFixture())
    }
}

@Suite struct InMemoryStorageTests {
    let room = RoomID(high: 1, low: 1)

    @Test func aCrashLosesUnsyncedWritesOnly() throws {
        var fixture = InMemoryFixture()
        var synced = WriteBatch()
        synced.append([1], to: room, at: LogSequence(1))
        try fixture.storage.write(synced, durability: .synced)
        var buffered = WriteBatch()
        buffered.append([2], to: room, at: LogSequence(2))
        buffered.putState([2], for: StateKey(.roomMetadata, room: room))
        try fixture.storage.write(buffered, durability: .buffered)
        #expect(try fixture.storage.lastSequence(of: room) == LogSequence(2))

        fixture.backend.simulateCrash()
        try fixture.reopen()
        #expect(try fixture.storage.lastSequence(of: room) == LogSequence(1))
        #expect(try fixture.storage.readState(StateKey(.roomMetadata, room: room)) == nil)
        // The lost position is free again.
        try fixture.storage.write(buffered, durability: .synced)
        fixture.backend.simulateCrash()
        try fixture.reopen()
        #expect(try fixture.storage.lastSequence(of: room) == LogSequence(2))
    }

    @Test func onlySyncedWritesSync() throws {
        let fixture = InMemoryFixture()
        var buffered = WriteBatch()
        buffered.append([1], to: room, at: LogSequence(1))
        try fixture.storage.write(buffered, durability: .buffered)
        #expect(fixture.backend.syncCount == 0)
        try fixture.storage.write(WriteBatch(), durability: .synced)  // an empty synced write still syncs
        #expect(fixture.backend.syncCount == 1)
        fixture.backend.simulateCrash()
        #expect(try LogStore(backend: fixture.backend).lastSequence(of: room) == LogSequence(1))
    }

    @Test func aKeyWithoutItsPayloadIsCorruptionNotShredding() throws {
        let fixture = InMemoryFixture()
        var batch = WriteBatch()
        batch.append([1], to: room, at: LogSequence(1))
        try fixture.storage.write(batch, durability: .synced)
        var deletePayload = KeyValueBatch()
        deletePayload.delete(KeyEncoding.logEntry(room, LogSequence(1)), in: .log)
        try fixture.backend.write(deletePayload, sync: true)
        #expect(throws: StorageError.corruption("room \(room) entry 1: the key is present but the payload is missing"))
        {
            try fixture.storage.readLog(of: room, from: LogSequence(1), maximumCount: 1)
        }
    }

    @Test func readsStopAtTheByteLimit() throws {
        var limits = StorageLimits()
        limits.maximumReadBytes = 1_000
        let fixture = InMemoryFixture(limits: limits)
        var batch = WriteBatch()
        for sequence in 1...10 as ClosedRange<UInt64> {
            batch.append(Array(repeating: 0, count: 300), to: room, at: LogSequence(sequence))
        }
        batch.append(Array(repeating: 0, count: 5_000), to: room, at: LogSequence(11))
        try fixture.storage.write(batch, durability: .synced)
        #expect(try fixture.storage.readLog(of: room, from: LogSequence(1), maximumCount: 10).count == 3)
        // A record larger than the limit still comes back alone, so a reader always makes progress.
        #expect(try fixture.storage.readLog(of: room, from: LogSequence(11), maximumCount: 10).count == 1)
    }

    @Test func aSyncedWriteMakesEarlierBufferedWritesDurable() throws {
        var fixture = InMemoryFixture()
        var first = WriteBatch()
        first.append([1], to: room, at: LogSequence(1))
        try fixture.storage.write(first, durability: .buffered)
        var second = WriteBatch()
        second.append([2], to: room, at: LogSequence(2))
        try fixture.storage.write(second, durability: .synced)
        fixture.backend.simulateCrash()
        try fixture.reopen()
        #expect(try fixture.storage.lastSequence(of: room) == LogSequence(2))
    }

    @Test func payloadsAreEncryptedAtRestUnderTheirOwnKeys() throws {
        let fixture = InMemoryFixture()
        let pattern = Array("RECOGNISABLE-PLAINTEXT-PATTERN".utf8)
        var batch = WriteBatch()
        batch.append(pattern, to: room, at: LogSequence(1))
        batch.append(pattern, to: room, at: LogSequence(2))
        try fixture.storage.write(batch, durability: .synced)
        let all = [UInt8](repeating: 0, count: 0)
        let upper = [UInt8](repeating: 0xFF, count: 32)
        let payloads = try fixture.backend.scan(.log, from: all, upperBound: upper, limit: 10)
        let keys = try fixture.backend.scan(.logKeys, from: all, upperBound: upper, limit: 10)
        #expect(payloads.count == 2)
        #expect(keys.count == 2)
        for stored in payloads {
            #expect(!ByteSearch.contains(stored.value, pattern), "a payload is stored in the clear")
        }
        // Same plaintext, different keys, different ciphertexts.
        #expect(payloads[0].value != payloads[1].value)
        #expect(keys[0].value != keys[1].value)
    }

    @Test func damagedRecordsAreReportedAsCorruption() throws {
        let fixture = InMemoryFixture()
        var batch = WriteBatch()
        for sequence in 1...3 as ClosedRange<UInt64> {
            batch.append(Array(repeating: UInt8(sequence), count: 40), to: room, at: LogSequence(sequence))
        }
        batch.putState([1, 2, 3], for: StateKey(.groupState, room: room))
        try fixture.storage.write(batch, durability: .synced)

        let entry2 = KeyEncoding.logEntry(room, LogSequence(2))
        for (family, offset) in [(ColumnFamily.log, 0), (.log, 3), (.log, 20), (.logKeys, 10)] {
            let probe = InMemoryFixture()
            try probe.storage.write(batch, durability: .synced)
            #expect(probe.backend.damage(entry2, in: family, at: offset))
            do {
                _ = try probe.storage.readLog(of: room, from: LogSequence(1), maximumCount: 3)
                Issue.record("damage in \(family) at \(offset) was not detected")
            } catch {
                guard case .corruption = error else {
                    Issue.record("expected corruption, got \(error)")
                    continue
                }
            }
            // Undamaged entries read when the range avoids the damaged one.
            #expect(try probe.storage.readLog(of: room, from: LogSequence(3), maximumCount: 1).count == 1)
        }
        #expect(fixture.backend.damage(KeyEncoding.state(StateKey(.groupState, room: room)), in: .state, at: 6))
        #expect(throws: StorageError.self) { try fixture.storage.readState(StateKey(.groupState, room: room)) }
    }

    @Test func segmentsSealAtTheSizeBoundAndIndexTheLog() throws {
        var limits = StorageLimits()
        limits.segmentBytes = 1_000
        var fixture = InMemoryFixture(limits: limits)
        for sequence in 1...25 as ClosedRange<UInt64> {
            var batch = WriteBatch()
            batch.append(Array(repeating: 1, count: 300), to: room, at: LogSequence(sequence))
            try fixture.storage.write(batch, durability: .synced)
        }
        try fixture.reopen()
        let segments = try fixture.storage.segments(of: room)
        // 300-byte entries: a segment seals at its 4th entry (1,200 bytes >= 1,000).
        #expect(segments.map(\.index) == [0, 1, 2, 3, 4, 5, 6])
        #expect(segments.map(\.firstSequence.rawValue) == [1, 5, 9, 13, 17, 21, 25])
        #expect(segments.map(\.lastSequence.rawValue) == [4, 8, 12, 16, 20, 24, 25])
        #expect(segments.dropLast().allSatisfy { $0.isSealed })
        #expect(segments.last?.isSealed == false)
        #expect(segments.first?.payloadBytes == 1_200)
        var next = WriteBatch()
        next.append([1], to: room, at: LogSequence(26))
        try fixture.storage.write(next, durability: .synced)
        #expect(try fixture.storage.segments(of: room).last?.lastSequence == LogSequence(26))
        #expect(try fixture.storage.segments(of: RoomID(high: 9, low: 9)).isEmpty)
    }

    @Test func errorsDescribeTheProblem() {
        let room = RoomID(high: 0, low: 1)
        let cases: [(StorageError, String)] = [
            (.nonContiguousAppend(room: room, expected: LogSequence(4), found: LogSequence(9)), "next sequence is 4"),
            (.limitExceeded(what: "payload bytes", limit: 1, found: 2), "over the limit of 1"),
            (.corruption("x"), "corrupt"), (.io("disk"), "I/O error: disk"), (.closed, "closed"),
            (.noSuchEntry(room: room, sequence: LogSequence(3)), "no log entry at sequence 3"),
            (.shredNotVerified(room: room, sequence: LogSequence(3)), "still readable"),
            (.backend("b"), "backend error: b"),
        ]
        for (error, fragment) in cases { #expect(error.description.contains(fragment), "\(error)") }
    }

    @Test func crcMatchesTheCastagnoliCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)[...]) == 0xE306_9283)
        #expect(CRC32C.checksum(Array("1234".utf8)[...], Array("56789".utf8)[...]) == 0xE306_9283)
        #expect(CRC32C.checksum([][...]) == 0)
    }

    @Test func stateKeysOrderByNamespaceThenName() {
        #expect(StateKey(.roomMetadata, [9]) < StateKey(.groupState, [1]))
        #expect(StateKey(.groupState, [1]) < StateKey(.groupState, [1, 0]))
        #expect(!(StateKey(.groupState, [2]) < StateKey(.groupState, [1])))
        #expect(StateKey(.audit, [0xAB]).description == "audit/ab")
    }
}
