import KalandraCore
import KalandraCrypto
import Synchronization

/// The `Storage` contract, built once on any `KeyValueStore`: contiguous per-room logs in segments, payloads
/// encrypted at rest under per-entry keys kept in their own column family, checksummed records, atomic batches,
/// group commit, and shredding.
///
/// Group commit: a writer enqueues its batch and takes the write lock; whoever holds it (the leader) commits every
/// queued batch in one backend write with one sync, so concurrent synced writers share the sync. A batch that breaks
/// a rule fails alone; the others in its group still commit.
public final class LogStore: Storage {
    /// Where per-entry keys come from.
    public enum KeySource: Sendable {
        /// The operating system's generator (production).
        case system
        /// A seeded generator, so a simulation replays (never in production).
        case seeded(UInt64)
    }

    public let limits: StorageLimits
    private let backend: any KeyValueStore
    /// Held by the group-commit leader; guards the writer's view of room heads and the key generator.
    private let writer: Mutex<WriterState>
    /// Batches waiting for a leader, and results for followers.
    private let queue = Mutex(QueueState())
    /// Room heads as of the last committed write, for readers.
    private let published = Mutex<[RoomID: LogSegment]>([:])

    /// Most batches one leader commits together; bounds the latency of a group and the size of its backend write.
    static let maximumGroupBatches = 512

    /// A store over `backend`; heads of rooms are loaded from it on first use.
    public init(backend: any KeyValueStore, limits: StorageLimits = StorageLimits(), keySource: KeySource = .system) {
        self.backend = backend
        self.limits = limits
        self.writer = Mutex(WriterState(keySource: keySource))
    }

    // MARK: Writing

    public func write(_ batch: WriteBatch, durability: Durability) throws(StorageError) {
        try checkLimits(batch)
        let ticket = queue.withLock { queue in
            queue.nextTicket += 1
            queue.pending.append(Pending(ticket: queue.nextTicket, batch: batch, durability: durability))
            return queue.nextTicket
        }
        let result: Result<Void, StorageError> = writer.withLock { state in
            while true {
                if let done = queue.withLock({ $0.results.removeValue(forKey: ticket) }) { return done }
                let group = queue.withLock { queue in
                    let count = min(queue.pending.count, Self.maximumGroupBatches)
                    let group = Array(queue.pending.prefix(count))
                    queue.pending.removeFirst(count)
                    return group
                }
                let results = commit(group, state: &state)
                queue.withLock { queue in
                    for (ticket, result) in results { queue.results[ticket] = result }
                }
            }
        }
        try result.get()
    }

    public func sync() throws(StorageError) {
        try backend.sync()
    }

    private func checkLimits(_ batch: WriteBatch) throws(StorageError) {
        guard batch.operations.count <= limits.maximumBatchOperations else {
            throw .limitExceeded(
                what: "operations in a batch",
                limit: limits.maximumBatchOperations,
                found: batch.operations.count
            )
        }
        for operation in batch.operations {
            switch operation {
            case .append(_, _, let payload):
                guard payload.count <= limits.maximumPayloadBytes else {
                    throw .limitExceeded(what: "payload bytes", limit: limits.maximumPayloadBytes, found: payload.count)
                }
            case .putState(let key, let value):
                try checkName(key)
                guard value.count <= limits.maximumStateValueBytes else {
                    throw .limitExceeded(
                        what: "state value bytes",
                        limit: limits.maximumStateValueBytes,
                        found: value.count
                    )
                }
            case .deleteState(let key):
                try checkName(key)
            }
        }
    }

    private func checkName(_ key: StateKey) throws(StorageError) {
        guard key.name.count <= limits.maximumStateNameBytes else {
            throw .limitExceeded(what: "state name bytes", limit: limits.maximumStateNameBytes, found: key.name.count)
        }
    }

    /// Commits `group` in one backend write. Runs under the writer lock.
    private func commit(_ group: [Pending], state: inout WriterState) -> [(UInt64, Result<Void, StorageError>)] {
        var results: [(UInt64, Result<Void, StorageError>)] = []
        var merged = KeyValueBatch()
        var heads = state.heads
        var committed: [UInt64] = []
        var needsSync = false
        for pending in group {
            do {
                var tentative = heads
                let operations = try encode(pending.batch, heads: &tentative, state: &state)
                for operation in operations.operations {
                    if let value = operation.value {
                        merged.put(operation.key, value, in: operation.family)
                    } else {
                        merged.delete(operation.key, in: operation.family)
                    }
                }
                heads = tentative
                committed.append(pending.ticket)
                needsSync = needsSync || pending.durability == .synced
            } catch {
                results.append((pending.ticket, .failure(error)))
            }
        }
        if merged.isEmpty {
            return results + committed.map { ($0, .success(())) }
        }
        do {
            try backend.write(merged, sync: needsSync)
        } catch {
            return results + committed.map { ($0, .failure(error)) }
        }
        state.heads = heads
        published.withLock { published in
            for (room, head) in heads { published[room] = head }
        }
        return results + committed.map { ($0, .success(())) }
    }

    /// The backend operations for one batch; validates appends against (and advances) `heads`.
    private func encode(
        _ batch: WriteBatch,
        heads: inout [RoomID: LogSegment?],
        state: inout WriterState
    )
        throws(StorageError) -> KeyValueBatch
    {
        var output = KeyValueBatch()
        var touched: [RoomID: [LogSegment]] = [:]
        var touchedOrder: [RoomID] = []
        for operation in batch.operations {
            switch operation {
            case .append(let room, let sequence, let payload):
                let head = try loadHead(room, heads: &heads)
                let expected = LogSequence((head?.lastSequence.rawValue ?? 0) + 1)
                guard sequence == expected else {
                    throw .nonContiguousAppend(room: room, expected: expected, found: sequence)
                }
                var segment: LogSegment
                if let head, !head.isSealed {
                    segment = head
                    segment.lastSequence = sequence
                    segment.payloadBytes += UInt64(payload.count)
                } else {
                    segment = LogSegment(
                        index: head.map { $0.index + 1 } ?? 0,
                        firstSequence: sequence,
                        lastSequence: sequence,
                        payloadBytes: UInt64(payload.count),
                        isSealed: false
                    )
                }
                segment.isSealed = segment.payloadBytes >= UInt64(limits.segmentBytes)
                heads[room] = segment
                if touched[room] == nil { touchedOrder.append(room) }
                touched[room, default: []].removeAll { $0.index == segment.index }
                touched[room, default: []].append(segment)

                let entryKey = KeyEncoding.logEntry(room, sequence)
                let key = SecretBytes(randomCount: XChaCha20Poly1305.keyByteCount, using: &state.generator)
                let ciphertext = PayloadCipher.seal(payload, key: key, entryKey: entryKey)
                output.put(entryKey, RecordCodec.seal(body: ciphertext, key: entryKey), in: .log)
                let keyBody = key.withUnsafeBytes { Array($0) }
                output.put(entryKey, RecordCodec.seal(body: keyBody, key: entryKey), in: .logKeys)
            case .putState(let key, let value):
                let storeKey = KeyEncoding.state(key)
                output.put(storeKey, RecordCodec.seal(body: value, key: storeKey), in: .state)
            case .deleteState(let key):
                output.delete(KeyEncoding.state(key), in: .state)
            }
        }
        for room in touchedOrder {
            for segment in touched[room] ?? [] {
                let key = KeyEncoding.segment(room, segment.index)
                output.put(key, RecordCodec.seal(body: SegmentCodec.encode(segment), key: key), in: .segments)
            }
        }
        return output
    }

    private func loadHead(_ room: RoomID, heads: inout [RoomID: LogSegment?]) throws(StorageError) -> LogSegment? {
        if let cached = heads[room] { return cached }
        let head = try readSegments(of: room).last
        heads[room] = .some(head)
        return head
    }

    // MARK: Reading

    public func lastSequence(of room: RoomID) throws(StorageError) -> LogSequence {
        if let head = published.withLock({ $0[room] }) { return head.lastSequence }
        return try readSegments(of: room).last?.lastSequence ?? .unsequenced
    }

    public func readLog(
        of room: RoomID,
        from first: LogSequence,
        maximumCount: Int
    ) throws(StorageError)
        -> [LogRecord]
    {
        guard maximumCount <= limits.maximumReadCount else {
            throw .limitExceeded(what: "entries in one read", limit: limits.maximumReadCount, found: maximumCount)
        }
        let start = max(first.rawValue, 1)
        let last = try lastSequence(of: room).rawValue
        guard maximumCount > 0, start <= last else { return [] }
        let end = min(last, start + UInt64(maximumCount) - 1)
        let from = KeyEncoding.logEntry(room, LogSequence(start))
        let upperBound = KeyEncoding.logEntry(room, LogSequence(end + 1))
        let count = Int(end - start + 1)
        let payloads = try backend.scan(.log, from: from, upperBound: upperBound, limit: count)
        let keys = try backend.scan(.logKeys, from: from, upperBound: upperBound, limit: count)
        var keyBySequence: [UInt64: [UInt8]] = [:]
        for entry in keys {
            keyBySequence[KeyEncoding.readUInt64(entry.key[16...])] = entry.value
        }
        var payloadBySequence: [UInt64: [UInt8]] = [:]
        for entry in payloads {
            payloadBySequence[KeyEncoding.readUInt64(entry.key[16...])] = entry.value
        }
        var records: [LogRecord] = []
        records.reserveCapacity(count)
        for position in start...end {
            let sequence = LogSequence(position)
            // Shredding deletes the key first: a position without both records is shredded (appends have no gaps).
            guard let keyRecord = keyBySequence[position], let payloadRecord = payloadBySequence[position] else {
                records.append(LogRecord(sequence: sequence, content: .shredded))
                continue
            }
            let entryKey = KeyEncoding.logEntry(room, sequence)
            let what = "room \(room) entry \(position)"
            let keyBody = try RecordCodec.open(keyRecord, key: entryKey, what: what + " key")
            guard keyBody.count == XChaCha20Poly1305.keyByteCount else {
                throw .corruption("\(what): key of \(keyBody.count) bytes")
            }
            let key = SecretBytes(copying: keyBody)
            let ciphertext = try RecordCodec.open(payloadRecord, key: entryKey, what: what)
            let payload = try PayloadCipher.open(ciphertext, key: key, entryKey: entryKey, what: what)
            records.append(LogRecord(sequence: sequence, content: .payload(payload)))
        }
        return records
    }

    public func readState(_ key: StateKey) throws(StorageError) -> [UInt8]? {
        try checkName(key)
        let storeKey = KeyEncoding.state(key)
        guard let record = try backend.get(storeKey, in: .state) else { return nil }
        return Array(try RecordCodec.open(record, key: storeKey, what: "state \(key)"))
    }

    public func segments(of room: RoomID) throws(StorageError) -> [LogSegment] {
        try readSegments(of: room)
    }

    private func readSegments(of room: RoomID) throws(StorageError) -> [LogSegment] {
        let entries = try backend.scan(
            .segments,
            from: KeyEncoding.room(room),
            upperBound: KeyEncoding.roomUpperBound(room),
            limit: Int(UInt32.max)
        )
        var segments: [LogSegment] = []
        for entry in entries {
            let body = try RecordCodec.open(entry.value, key: entry.key, what: "segment of room \(room)")
            segments.append(try SegmentCodec.decode(body, what: "segment of room \(room)"))
        }
        return segments
    }

    // MARK: Secure deletion

    public func shred(room: RoomID, sequence: LogSequence) throws(StorageError) {
        let result: Result<Void, StorageError> = writer.withLock { _ in
            do {
                let last = try lastSequence(of: room)
                guard sequence.rawValue >= 1, sequence <= last else {
                    throw StorageError.noSuchEntry(room: room, sequence: sequence)
                }
                let entryKey = KeyEncoding.logEntry(room, sequence)
                // Key first, synced: once it is gone the payload is unreadable, whatever happens to the payload.
                var deleteKey = KeyValueBatch()
                deleteKey.delete(entryKey, in: .logKeys)
                try backend.write(deleteKey, sync: true)
                var deletePayload = KeyValueBatch()
                deletePayload.delete(entryKey, in: .log)
                try backend.write(deletePayload, sync: true)
                guard try backend.get(entryKey, in: .logKeys) == nil else {
                    throw StorageError.shredNotVerified(room: room, sequence: sequence)
                }
                return .success(())
            } catch let error as StorageError {
                return .failure(error)
            } catch {
                return .failure(.backend("\(error)"))
            }
        }
        try result.get()
    }

    public func purgeDeleted() throws(StorageError) {
        try backend.purgeDeleted()
    }
}

extension LogStore {
    struct Pending {
        var ticket: UInt64
        var batch: WriteBatch
        var durability: Durability
    }

    struct QueueState {
        var nextTicket: UInt64 = 0
        var pending: [Pending] = []
        var results: [UInt64: Result<Void, StorageError>] = [:]
    }

    struct WriterState {
        /// nil value: the room's log is known to be empty.
        var heads: [RoomID: LogSegment?] = [:]
        var generator: KeyGenerator

        init(keySource: KeySource) {
            generator = KeyGenerator(source: keySource)
        }
    }

    /// The system generator or a seeded one, behind one concrete type.
    struct KeyGenerator: RandomNumberGenerator {
        var seeded: DeterministicGenerator?
        var system = SystemRandomNumberGenerator()

        init(source: KeySource) {
            switch source {
            case .system: seeded = nil
            case .seeded(let seed): seeded = DeterministicGenerator(seed: seed)
            }
        }

        mutating func next() -> UInt64 {
            if seeded != nil { return seeded!.next() }
            return system.next()
        }
    }
}

/// Segment descriptor body: first (8) ‖ last (8) ‖ payload bytes (8) ‖ sealed (1) ‖ index (4).
enum SegmentCodec {
    static func encode(_ segment: LogSegment) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        KeyEncoding.append(segment.firstSequence.rawValue, to: &bytes)
        KeyEncoding.append(segment.lastSequence.rawValue, to: &bytes)
        KeyEncoding.append(segment.payloadBytes, to: &bytes)
        bytes.append(segment.isSealed ? 1 : 0)
        bytes.append(contentsOf: [
            UInt8(segment.index >> 24), UInt8(truncatingIfNeeded: segment.index >> 16),
            UInt8(truncatingIfNeeded: segment.index >> 8), UInt8(truncatingIfNeeded: segment.index),
        ])
        return bytes
    }

    static func decode(_ body: ArraySlice<UInt8>, what: String) throws(StorageError) -> LogSegment {
        guard body.count == 29, body[body.startIndex + 24] <= 1 else {
            throw .corruption("\(what): malformed descriptor")
        }
        let base = body.startIndex
        return LogSegment(
            index: body[(base + 25)...].prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) },
            firstSequence: LogSequence(KeyEncoding.readUInt64(body[base...])),
            lastSequence: LogSequence(KeyEncoding.readUInt64(body[(base + 8)...])),
            payloadBytes: KeyEncoding.readUInt64(body[(base + 16)...]),
            isSealed: body[base + 24] == 1
        )
    }
}
