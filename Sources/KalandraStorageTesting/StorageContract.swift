import Foundation
import KalandraCore
import KalandraStorage
import Testing

/// The contract every `Storage` backend meets, as one suite of checks that each backend's tests run. A backend
/// provides a fixture that opens a fresh store and reopens it (same data, new process state).
public protocol StorageFixture {
    /// The store under test. Opening twice without `reopen()` returns the same store.
    var storage: any Storage { get }
    /// Closes the store and opens it again on the same data, as a restart would.
    mutating func reopen() throws
}

/// The shared checks. Each throws or records an issue when the contract is broken.
public enum StorageContract {
    static let roomA = RoomID(high: 0xA, low: 1)
    static let roomB = RoomID(high: 0xB, low: 2)

    static func payload(_ room: RoomID, _ sequence: UInt64, size: Int = 64) -> [UInt8] {
        var generator = DeterministicGenerator(seed: room.low &* 1_000_003 &+ sequence)
        return (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    static func append(_ storage: any Storage, _ room: RoomID, _ range: ClosedRange<UInt64>, size: Int = 64) throws {
        var batch = WriteBatch()
        for sequence in range { batch.append(payload(room, sequence, size: size), to: room, at: LogSequence(sequence)) }
        try storage.write(batch, durability: .synced)
    }

    static func expectLog(_ storage: any Storage, _ room: RoomID, _ range: ClosedRange<UInt64>, size: Int = 64) throws {
        let records = try storage.readLog(of: room, from: LogSequence(range.lowerBound), maximumCount: range.count)
        #expect(records.map(\.sequence.rawValue) == Array(range))
        for record in records {
            #expect(record.content == .payload(payload(room, record.sequence.rawValue, size: size)))
        }
    }

    /// Every check, in order; a backend's tests may also call them one by one.
    public static func runAll(_ makeFixture: () throws -> any StorageFixture) throws {
        var fixture = try makeFixture()
        try appendsReadBackInOrder(&fixture)
        fixture = try makeFixture()
        try gapsAndOverlapsAreRefused(&fixture)
        fixture = try makeFixture()
        try batchesAreAtomicAcrossLogsAndState(&fixture)
        fixture = try makeFixture()
        try syncedWritesSurviveReopen(&fixture)
        fixture = try makeFixture()
        try stateRecords(&fixture)
        fixture = try makeFixture()
        try limitsAreEnforced(&fixture)
        fixture = try makeFixture()
        try shreddingKeepsThePositionAndLosesThePayload(&fixture)
        fixture = try makeFixture()
        try concurrentWritersAllLand(&fixture)
    }

    public static func appendsReadBackInOrder(_ fixture: inout any StorageFixture) throws {
        let storage = fixture.storage
        #expect(try storage.lastSequence(of: roomA) == .unsequenced)
        #expect(try storage.readLog(of: roomA, from: LogSequence(1), maximumCount: 10).isEmpty)
        try append(storage, roomA, 1...5)
        try append(storage, roomB, 1...3, size: 1_000)
        try append(storage, roomA, 6...40)
        #expect(try storage.lastSequence(of: roomA) == LogSequence(40))
        #expect(try storage.lastSequence(of: roomB) == LogSequence(3))
        try expectLog(storage, roomA, 1...40)
        try expectLog(storage, roomB, 1...3, size: 1_000)
        // From any offset, bounded by the count and by the end of the log.
        let middle = try storage.readLog(of: roomA, from: LogSequence(17), maximumCount: 5)
        #expect(middle.map(\.sequence.rawValue) == [17, 18, 19, 20, 21])
        let tail = try storage.readLog(of: roomA, from: LogSequence(38), maximumCount: 100)
        #expect(tail.map(\.sequence.rawValue) == [38, 39, 40])
        #expect(try storage.readLog(of: roomA, from: LogSequence(41), maximumCount: 5).isEmpty)
        #expect(try storage.readLog(of: roomA, from: LogSequence(0), maximumCount: 1).map(\.sequence.rawValue) == [1])
        // An empty payload is a payload.
        var batch = WriteBatch()
        batch.append([], to: roomB, at: LogSequence(4))
        try storage.write(batch, durability: .synced)
        #expect(try storage.readLog(of: roomB, from: LogSequence(4), maximumCount: 1).first?.content == .payload([]))
    }

    public static func gapsAndOverlapsAreRefused(_ fixture: inout any StorageFixture) throws {
        let storage = fixture.storage
        #expect(throws: StorageError.nonContiguousAppend(room: roomA, expected: LogSequence(1), found: LogSequence(2)))
        {
            try append(storage, roomA, 2...2)
        }
        try append(storage, roomA, 1...3)
        #expect(throws: StorageError.nonContiguousAppend(room: roomA, expected: LogSequence(4), found: LogSequence(3)))
        {
            try append(storage, roomA, 3...3)
        }
        #expect(throws: StorageError.nonContiguousAppend(room: roomA, expected: LogSequence(4), found: LogSequence(9)))
        {
            try append(storage, roomA, 9...9)
        }
        var outOfOrder = WriteBatch()
        outOfOrder.append([1], to: roomA, at: LogSequence(5))
        outOfOrder.append([2], to: roomA, at: LogSequence(4))
        #expect(throws: StorageError.self) { try storage.write(outOfOrder, durability: .synced) }
        #expect(try storage.lastSequence(of: roomA) == LogSequence(3))
        try expectLog(storage, roomA, 1...3)
    }

    public static func batchesAreAtomicAcrossLogsAndState(_ fixture: inout any StorageFixture) throws {
        let storage = fixture.storage
        let key = StateKey(.groupState, room: roomA)
        var broken = WriteBatch()
        broken.append([1, 2, 3], to: roomA, at: LogSequence(1))
        broken.putState([9, 9], for: key)
        broken.append([4, 5, 6], to: roomB, at: LogSequence(7))  // gap: the whole batch must fail
        #expect(throws: StorageError.self) { try storage.write(broken, durability: .synced) }
        #expect(try storage.lastSequence(of: roomA) == .unsequenced)
        #expect(try storage.readState(key) == nil)

        var good = WriteBatch()
        good.append([1, 2, 3], to: roomA, at: LogSequence(1))
        good.putState([9, 9], for: key)
        good.append([4, 5, 6], to: roomB, at: LogSequence(1))
        try storage.write(good, durability: .synced)
        try fixture.reopen()
        #expect(try fixture.storage.readState(key) == [9, 9])
        #expect(
            try fixture.storage.readLog(of: roomA, from: LogSequence(1), maximumCount: 1).first?.content
                == .payload([1, 2, 3])
        )
        #expect(
            try fixture.storage.readLog(of: roomB, from: LogSequence(1), maximumCount: 1).first?.content
                == .payload([4, 5, 6])
        )
    }

    public static func syncedWritesSurviveReopen(_ fixture: inout any StorageFixture) throws {
        try append(fixture.storage, roomA, 1...10)
        var buffered = WriteBatch()
        buffered.append(payload(roomA, 11), to: roomA, at: LogSequence(11))
        try fixture.storage.write(buffered, durability: .buffered)
        // Buffered writes are visible at once.
        #expect(try fixture.storage.lastSequence(of: roomA) == LogSequence(11))
        try fixture.storage.sync()
        try fixture.reopen()
        #expect(try fixture.storage.lastSequence(of: roomA) == LogSequence(11))
        try expectLog(fixture.storage, roomA, 1...11)
        // Appends continue from the reopened head.
        try append(fixture.storage, roomA, 12...12)
        #expect(throws: StorageError.self) { try append(fixture.storage, roomA, 12...12) }
    }

    public static func stateRecords(_ fixture: inout any StorageFixture) throws {
        let storage = fixture.storage
        let metadata = StateKey(.roomMetadata, room: roomA)
        let group = StateKey(.groupState, room: roomA)
        var batch = WriteBatch()
        batch.putState(Array("meta".utf8), for: metadata)
        batch.putState(Array(repeating: 7, count: 100_000), for: group)
        try storage.write(batch, durability: .synced)
        #expect(try storage.readState(metadata) == Array("meta".utf8))
        #expect(try storage.readState(group) == Array(repeating: 7, count: 100_000))
        #expect(try storage.readState(StateKey(.peerKey, room: roomA)) == nil)  // namespaces are separate
        var replace = WriteBatch()
        replace.putState([1], for: metadata)
        replace.deleteState(group)
        try storage.write(replace, durability: .synced)
        try fixture.reopen()
        #expect(try fixture.storage.readState(metadata) == [1])
        #expect(try fixture.storage.readState(group) == nil)
    }

    public static func limitsAreEnforced(_ fixture: inout any StorageFixture) throws {
        let storage = fixture.storage
        let limits = storage.limits
        // Exactly at a limit is accepted.
        var atLimit = WriteBatch()
        atLimit.append(Array(repeating: 1, count: limits.maximumPayloadBytes), to: roomA, at: LogSequence(1))
        try storage.write(atLimit, durability: .synced)
        let fullState = StateKey(.groupState, Array(repeating: 2, count: limits.maximumStateNameBytes))
        var bigState = WriteBatch()
        bigState.putState(Array(repeating: 3, count: limits.maximumStateValueBytes), for: fullState)
        try storage.write(bigState, durability: .synced)
        #expect(try storage.readState(fullState)?.count == limits.maximumStateValueBytes)
        #expect(try storage.readLog(of: roomA, from: LogSequence(1), maximumCount: 1).count == 1)

        // One over is refused, with what was over and by how much.
        var big = WriteBatch()
        big.append(Array(repeating: 0, count: limits.maximumPayloadBytes + 1), to: roomA, at: LogSequence(2))
        #expect(
            throws: StorageError.limitExceeded(
                what: "payload bytes",
                limit: limits.maximumPayloadBytes,
                found: limits.maximumPayloadBytes + 1
            )
        ) { try storage.write(big, durability: .synced) }
        var many = WriteBatch()
        for sequence in 2...UInt64(limits.maximumBatchOperations + 2) {
            many.append([], to: roomA, at: LogSequence(sequence))
        }
        #expect(
            throws: StorageError.limitExceeded(
                what: "operations in a batch",
                limit: limits.maximumBatchOperations,
                found: limits.maximumBatchOperations + 1
            )
        ) { try storage.write(many, durability: .synced) }
        var heavy = WriteBatch()
        let entries = limits.maximumBatchBytes / limits.maximumPayloadBytes + 1
        for sequence in 2..<UInt64(2 + entries) {
            heavy.append(Array(repeating: 0, count: limits.maximumPayloadBytes), to: roomA, at: LogSequence(sequence))
        }
        #expect(
            throws: StorageError.limitExceeded(
                what: "bytes in a batch",
                limit: limits.maximumBatchBytes,
                found: entries * limits.maximumPayloadBytes
            )
        ) { try storage.write(heavy, durability: .synced) }
        #expect(
            throws: StorageError.limitExceeded(
                what: "entries in one read",
                limit: limits.maximumReadCount,
                found: limits.maximumReadCount + 1
            )
        ) { try storage.readLog(of: roomA, from: LogSequence(1), maximumCount: limits.maximumReadCount + 1) }
        let longName = StateKey(.audit, Array(repeating: 1, count: limits.maximumStateNameBytes + 1))
        #expect(
            throws: StorageError.limitExceeded(
                what: "state name bytes",
                limit: limits.maximumStateNameBytes,
                found: limits.maximumStateNameBytes + 1
            )
        ) { try storage.readState(longName) }
        #expect(try storage.lastSequence(of: roomA) == LogSequence(1))
    }

    public static func shreddingKeepsThePositionAndLosesThePayload(_ fixture: inout any StorageFixture) throws {
        let storage = fixture.storage
        try append(storage, roomA, 1...5)
        try storage.shred(room: roomA, sequence: LogSequence(2))
        try storage.shred(room: roomA, sequence: LogSequence(5))
        #expect(throws: StorageError.noSuchEntry(room: roomA, sequence: LogSequence(6))) {
            try storage.shred(room: roomA, sequence: LogSequence(6))
        }
        #expect(throws: StorageError.noSuchEntry(room: roomB, sequence: LogSequence(1))) {
            try storage.shred(room: roomB, sequence: LogSequence(1))
        }
        try storage.purgeDeleted()
        try fixture.reopen()
        let records = try fixture.storage.readLog(of: roomA, from: LogSequence(1), maximumCount: 10)
        try #require(records.count == 5)
        #expect(records.map(\.sequence.rawValue) == [1, 2, 3, 4, 5])
        #expect(records[1].content == .shredded)
        #expect(records[4].content == .shredded)
        for index in [0, 2, 3] {
            #expect(records[index].content == .payload(payload(roomA, UInt64(index + 1))))
        }
        // Shredding is idempotent and the position stays taken.
        try fixture.storage.shred(room: roomA, sequence: LogSequence(2))
        #expect(try fixture.storage.lastSequence(of: roomA) == LogSequence(5))
        try append(fixture.storage, roomA, 6...6)
    }

    /// Many threads append synced batches to their own rooms at once; every entry lands, in order.
    public static func concurrentWritersAllLand(_ fixture: inout any StorageFixture) throws {
        let storage = fixture.storage
        let writers = 16
        let batchesPerWriter = 25
        let failures = FailureCounter()
        let group = DispatchGroup()
        for writer in 0..<writers {
            let room = RoomID(high: 0xC0, low: UInt64(writer))
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for batch in 0..<UInt64(batchesPerWriter) {
                    do {
                        try append(storage, room, (batch * 2 + 1)...(batch * 2 + 2))
                    } catch {
                        failures.add()
                    }
                }
            }
        }
        group.wait()
        #expect(failures.count == 0)
        for writer in 0..<writers {
            try expectLog(storage, RoomID(high: 0xC0, low: UInt64(writer)), 1...UInt64(batchesPerWriter * 2))
        }
    }
}

extension StorageContract {
    /// Many tasks append synced batches through the async API at once; every entry lands, in order, and threads
    /// never block on it.
    public static func concurrentAsyncWritersAllLand(_ fixture: any StorageFixture) async throws {
        let storage = fixture.storage
        let writers = 64
        let batchesPerWriter = 20
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let room = RoomID(high: 0xA5, low: UInt64(writer))
                    for batch in 0..<UInt64(batchesPerWriter) {
                        var write = WriteBatch()
                        write.append(payload(room, batch + 1), to: room, at: LogSequence(batch + 1))
                        try await storage.write(write, durability: .synced)
                    }
                }
            }
            try await group.waitForAll()
        }
        for writer in 0..<writers {
            try expectLog(storage, RoomID(high: 0xA5, low: UInt64(writer)), 1...UInt64(batchesPerWriter))
        }
        // Errors come back through the async path too.
        var gap = WriteBatch()
        gap.append([1], to: roomA, at: LogSequence(5))
        await #expect(
            throws: StorageError.nonContiguousAppend(room: roomA, expected: LogSequence(1), found: LogSequence(5))
        ) {
            try await storage.write(gap, durability: .synced)
        }
    }
}

final class FailureCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
