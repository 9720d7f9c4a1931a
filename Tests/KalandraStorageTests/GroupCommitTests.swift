import Foundation
import KalandraCore
import KalandraStorage
import Testing

/// A backend whose writes wait at a gate, so a test can hold the group-commit leader inside its write while other
/// writers queue up behind it. Counts backend writes and the operations in each.
final class GatedKeyValueStore: KeyValueStore, @unchecked Sendable {
    let inner = InMemoryKeyValueStore()
    private let lock = NSLock()
    private var gateClosed = false
    private let gate = DispatchSemaphore(value: 0)
    private(set) var writeSizes: [Int] = []

    func closeGate() { lock.withLock { gateClosed = true } }
    func openGate() {
        lock.withLock { gateClosed = false }
        gate.signal()
    }

    var writes: [Int] { lock.withLock { writeSizes } }

    func write(_ batch: KeyValueBatch, sync: Bool) throws(StorageError) {
        if lock.withLock({ gateClosed }) { gate.wait() }
        lock.withLock { writeSizes.append(batch.operations.count) }
        try inner.write(batch, sync: sync)
    }

    func get(_ key: [UInt8], in family: ColumnFamily) throws(StorageError) -> [UInt8]? {
        try inner.get(key, in: family)
    }

    func scan(
        _ family: ColumnFamily,
        from: [UInt8],
        upperBound: [UInt8],
        limit: Int
    ) throws(StorageError) -> [(
        key: [UInt8], value: [UInt8]
    )] {
        try inner.scan(family, from: from, upperBound: upperBound, limit: limit)
    }

    func sync() throws(StorageError) { try inner.sync() }
    func purgeDeleted() throws(StorageError) { try inner.purgeDeleted() }
}

@Suite struct GroupCommitTests {
    /// While the leader's write is held, seven writers queue; the next leader commits all seven in one backend write
    /// with one sync.
    @Test func queuedWritersShareOneBackendWrite() throws {
        let backend = GatedKeyValueStore()
        let storage = LogStore(backend: backend, keySource: .seeded(1))
        backend.closeGate()
        let group = DispatchGroup()
        let results = ResultBox()
        func spawn(_ room: RoomID, _ sequence: UInt64) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var batch = WriteBatch()
                batch.append([1], to: room, at: LogSequence(sequence))
                do {
                    try storage.write(batch, durability: .synced)
                    results.record(room, .succeeded)
                } catch let error as StorageError {
                    results.record(room, .failed(error))
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
        }
        spawn(RoomID(high: 0, low: 0), 1)
        Thread.sleep(forTimeInterval: 0.2)  // the first writer is now the leader, held at the gate
        for index in 1...7 { spawn(RoomID(high: 0, low: UInt64(index)), 1) }
        spawn(RoomID(high: 0, low: 99), 5)  // a gap: must fail alone, without failing its group
        Thread.sleep(forTimeInterval: 0.3)  // every other writer has queued
        backend.openGate()
        group.wait()

        // Each append writes a payload, a key, a segment descriptor and the head pointer: 4 operations.
        #expect(backend.writes == [4, 7 * 4])
        #expect(backend.inner.syncCount == 2)
        for index in 0...7 {
            #expect(try storage.lastSequence(of: RoomID(high: 0, low: UInt64(index))) == LogSequence(1))
            #expect(results.result(for: RoomID(high: 0, low: UInt64(index))) == .succeeded)
        }
        #expect(
            results.result(for: RoomID(high: 0, low: 99))
                == .failed(
                    .nonContiguousAppend(
                        room: RoomID(high: 0, low: 99),
                        expected: LogSequence(1),
                        found: LogSequence(5)
                    )
                )
        )
    }
}

extension GroupCommitTests {
    /// The async path: the commit queue leads; while it is held at the gate, seven suspended tasks queue and are then
    /// committed together.
    @Test func suspendedWritersShareOneBackendWrite() async throws {
        let backend = GatedKeyValueStore()
        let storage = LogStore(backend: backend, keySource: .seeded(1))
        backend.closeGate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var batch = WriteBatch()
                batch.append([1], to: RoomID(high: 1, low: 0), at: LogSequence(1))
                try await storage.write(batch, durability: .synced)
            }
            try await Task.sleep(for: .milliseconds(200))
            for index in 1...7 {
                group.addTask {
                    var batch = WriteBatch()
                    batch.append([1], to: RoomID(high: 1, low: UInt64(index)), at: LogSequence(1))
                    try await storage.write(batch, durability: .synced)
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            backend.openGate()
            try await group.waitForAll()
        }
        #expect(backend.writes == [4, 7 * 4])
        #expect(backend.inner.syncCount == 2)
    }
}

enum Outcome: Equatable {
    case succeeded
    case failed(StorageError)
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [RoomID: Outcome] = [:]

    func record(_ room: RoomID, _ outcome: Outcome) { lock.withLock { results[room] = outcome } }
    func result(for room: RoomID) -> Outcome? { lock.withLock { results[room] } }
}
