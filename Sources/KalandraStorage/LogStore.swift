import Dispatch
import KalandraCore
import KalandraCrypto
import Synchronization

/// The `Storage` contract, built once on any `KeyValueStore`: contiguous per-room logs in segments, payloads
/// encrypted at rest under per-entry keys kept in their own column family, checksummed records, atomic batches,
/// group commit, and shredding.
///
/// Group commit: a writer enqueues its batch; if no leader is active it becomes the leader and commits every queued
/// batch (up to a bound) in one backend write with one sync, then hands leadership to the first writer still waiting
/// and wakes the writers of its group, each on its own semaphore. While a leader syncs, newcomers queue, so under
/// load groups grow and concurrent synced writers share syncs. A batch that breaks a rule fails alone.
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
    /// Held by the group-commit leader (and by shredding); guards the writer's view of room heads and the key
    /// generator.
    private let writer: Mutex<WriterState>
    /// Batches waiting for a leader, and whether a leader is active.
    private let queue = Mutex(QueueState())
    /// Leads groups for suspended (async) writers, off Swift's cooperative thread pool since commits block on fsync.
    private let commitQueue = DispatchQueue(label: "kalandra.storage.commit")
    /// Room heads as of the last committed write, for readers.
    private let published = Mutex<[RoomID: LogSegment]>([:])

    /// Most batches one leader commits together; bounds the latency of a group and the size of its backend write.
    static let maximumGroupBatches = 512
    /// Most payload and state bytes one leader commits together (at least one batch goes whatever its size).
    static let maximumGroupBytes = 128 << 20
    /// Rooms whose heads stay cached; past this the cache is dropped and reloaded on demand (two point reads).
    static let maximumCachedRooms = 65_536

    /// A store over `backend`; heads of rooms are loaded from it on first use.
    public init(backend: any KeyValueStore, limits: StorageLimits = StorageLimits(), keySource: KeySource = .system) {
        // Limits are configuration, checked once here; invalid ones are a deployment mistake, not input.
        precondition(limits.areValid, "invalid StorageLimits: every bound must be positive and fit the backends")
        self.backend = backend
        self.limits = limits
        self.writer = Mutex(WriterState(keySource: keySource))
    }

    // MARK: Writing

    public func write(_ batch: WriteBatch, durability: Durability) throws(StorageError) {
        let byteCount = try checkLimits(batch)
        let waiter = Waiter()
        let leads = enqueue(
            Pending(batch: batch, durability: durability, byteCount: byteCount, waiter: .thread(waiter))
        )
        if leads { leadOneGroup() }
        while true {
            waiter.semaphore.wait()
            if let result = waiter.result { return try result.get() }
            if waiter.shouldLead {
                waiter.shouldLead = false
                leadOneGroup()
            }
        }
    }

    /// The same write for Swift concurrency: the task suspends instead of blocking its thread, and a commit queue
    /// (a Dispatch thread outside the cooperative pool) leads the groups of suspended writers, so thousands of
    /// concurrent appenders cost no threads and no context switches beyond the commit thread's.
    public func write(_ batch: WriteBatch, durability: Durability) async throws(StorageError) {
        let byteCount = try checkLimits(batch)
        let result: Result<Void, StorageError> = await withUnsafeContinuation { continuation in
            let pending = Pending(
                batch: batch,
                durability: durability,
                byteCount: byteCount,
                waiter: .task(continuation)
            )
            if enqueue(pending) { commitQueue.async { self.leadOneGroup() } }
        }
        try result.get()
    }

    /// Queues `pending`; true when no leader was active, so the caller must see that one leads.
    private func enqueue(_ pending: Pending) -> Bool {
        queue.withLock { queue in
            queue.pending.append(pending)
            if queue.leaderActive { return false }
            queue.leaderActive = true
            return true
        }
    }

    /// Commits the batches at the head of the queue as one group, hands leadership to the first writer still
    /// waiting (if any), and wakes the group's writers. Only the leader runs this, so groups never overlap; while it
    /// syncs, newcomers queue up and become the next group.
    private func leadOneGroup() {
        let group = queue.withLock { queue in
            var count = 0
            var bytes = 0
            for pending in queue.pending.prefix(Self.maximumGroupBatches) {
                if count > 0 && bytes + pending.byteCount > Self.maximumGroupBytes { break }
                bytes += pending.byteCount
                count += 1
            }
            let group = Array(queue.pending.prefix(count))
            queue.pending.removeFirst(count)
            return group
        }
        let results = writer.withLock { state in commit(group, state: &state) }
        for (index, result) in results {
            switch group[index].waiter {
            case .thread(let waiter): waiter.result = result
            case .task(let continuation): continuation.resume(returning: result)
            }
        }
        let nextLeader = queue.withLock { queue -> WaiterKind? in
            guard let first = queue.pending.first else {
                queue.leaderActive = false
                return nil
            }
            return first.waiter
        }
        switch nextLeader {
        case .thread(let waiter):
            waiter.shouldLead = true
            waiter.semaphore.signal()
        case .task:
            commitQueue.async { self.leadOneGroup() }
        case nil:
            break
        }
        // Results are written before the signal; the semaphore orders them before the writer reads.
        for pending in group {
            if case .thread(let waiter) = pending.waiter { waiter.semaphore.signal() }
        }
    }

    public func sync() throws(StorageError) {
        try backend.sync()
    }

    /// Checks `batch` against the limits; returns its byte count, which group commit needs too.
    private func checkLimits(_ batch: WriteBatch) throws(StorageError) -> Int {
        guard batch.operations.count <= limits.maximumBatchOperations else {
            throw .limitExceeded(
                what: "operations in a batch",
                limit: limits.maximumBatchOperations,
                found: batch.operations.count
            )
        }
        let byteCount = batch.byteCount
        guard byteCount <= limits.maximumBatchBytes else {
            throw .limitExceeded(what: "bytes in a batch", limit: limits.maximumBatchBytes, found: byteCount)
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
        return byteCount
    }

    private func checkName(_ key: StateKey) throws(StorageError) {
        guard key.name.count <= limits.maximumStateNameBytes else {
            throw .limitExceeded(what: "state name bytes", limit: limits.maximumStateNameBytes, found: key.name.count)
        }
    }

    /// Commits `group` in one backend write. Runs under the writer lock. A batch that breaks a rule fails alone; if
    /// the merged write itself fails, each batch is retried on its own, so one batch cannot fail its neighbours.
    private func commit(_ group: [Pending], state: inout WriterState) -> [(Int, Result<Void, StorageError>)] {
        commit(group, indices: Array(group.indices), state: &state)
    }

    private func commit(
        _ group: [Pending],
        indices: [Int],
        state: inout WriterState
    ) -> [(
        Int, Result<Void, StorageError>
    )] {
        var results: [(Int, Result<Void, StorageError>)] = []
        var merged = KeyValueBatch()
        var groupHeads: [RoomID: LogSegment?] = [:]
        var committed: [Int] = []
        var needsSync = false
        for index in indices {
            let pending = group[index]
            do {
                var batchHeads = groupHeads
                let operations = try encode(pending.batch, heads: &batchHeads, state: &state)
                merged.append(contentsOf: operations)
                groupHeads = batchHeads
                committed.append(index)
                needsSync = needsSync || pending.durability == .synced
            } catch {
                results.append((index, .failure(error)))
            }
        }
        do {
            if !merged.isEmpty {
                try backend.write(merged, sync: needsSync)
            } else if needsSync {
                // An empty synced batch still promises that earlier buffered writes are durable.
                try backend.sync()
            }
        } catch {
            if committed.count > 1 {
                for index in committed {
                    results += commit(group, indices: [index], state: &state)
                }
                return results
            }
            return results + committed.map { ($0, .failure(error)) }
        }
        merged.zeroizeValues(in: .logKeys)
        if state.heads.count + groupHeads.count > Self.maximumCachedRooms { state.heads.removeAll() }
        state.heads.merge(groupHeads) { _, new in new }
        published.withLock { published in
            if published.count + groupHeads.count > Self.maximumCachedRooms { published.removeAll() }
            for (room, head) in groupHeads { published[room] = head }
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
                let head = try loadHead(room, heads: &heads, state: state)
                let (next, overflow) = (head?.lastSequence.rawValue ?? 0).addingReportingOverflow(1)
                guard !overflow, next < UInt64.max else {
                    throw .limitExceeded(what: "log length of room \(room)", limit: Int.max, found: Int.max)
                }
                let expected = LogSequence(next)
                guard sequence == expected else {
                    throw .nonContiguousAppend(room: room, expected: expected, found: sequence)
                }
                var segment: LogSegment
                if let head, !head.isSealed {
                    segment = head
                    segment.lastSequence = sequence
                    segment.payloadBytes += UInt64(payload.count)
                } else {
                    let (index, indexOverflow) = (head?.index ?? 0).addingReportingOverflow(head == nil ? 0 : 1)
                    guard !indexOverflow else {
                        throw .limitExceeded(
                            what: "segments of room \(room)",
                            limit: Int(UInt32.max),
                            found: Int(UInt32.max)
                        )
                    }
                    segment = LogSegment(
                        index: index,
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
                var keyBody = key.withUnsafeBytes { Array($0) }
                output.put(entryKey, RecordCodec.seal(body: keyBody, key: entryKey), in: .logKeys)
                Zeroize.bytes(&keyBody)
            case .putState(let key, let value):
                let storeKey = KeyEncoding.state(key)
                output.put(storeKey, RecordCodec.seal(body: value, key: storeKey), in: .state)
            case .deleteState(let key):
                output.delete(KeyEncoding.state(key), in: .state)
            }
        }
        for room in touchedOrder {
            let segments = touched[room] ?? []
            for segment in segments {
                let key = KeyEncoding.segment(room, segment.index)
                output.put(key, RecordCodec.seal(body: SegmentCodec.encode(segment), key: key), in: .segments)
            }
            // The head pointer (key: the bare room) names the room's last segment: two point reads find a head.
            if let last = segments.last {
                let pointerKey = KeyEncoding.room(room)
                output.put(
                    pointerKey,
                    RecordCodec.seal(body: SegmentCodec.encodeIndex(last.index), key: pointerKey),
                    in: .segments
                )
            }
        }
        return output
    }

    private func loadHead(
        _ room: RoomID,
        heads: inout [RoomID: LogSegment?],
        state: WriterState
    )
        throws(StorageError) -> LogSegment?
    {
        if let pending = heads[room] { return pending }
        if let cached = state.heads[room] { return cached }
        let head = try readHead(of: room)
        heads[room] = .some(head)
        return head
    }

    /// The last segment of `room` through its head pointer, or nil when the log is empty.
    private func readHead(of room: RoomID) throws(StorageError) -> LogSegment? {
        let pointerKey = KeyEncoding.room(room)
        guard let pointer = try backend.get(pointerKey, in: .segments) else { return nil }
        let what = "head of room \(room)"
        let index = try SegmentCodec.decodeIndex(try RecordCodec.open(pointer, key: pointerKey, what: what), what: what)
        let segmentKey = KeyEncoding.segment(room, index)
        guard let record = try backend.get(segmentKey, in: .segments) else {
            throw .corruption("\(what): segment \(index) is missing")
        }
        let body = try RecordCodec.open(record, key: segmentKey, what: what)
        return try SegmentCodec.decode(body, index: index, what: what)
    }

    // MARK: Reading

    public func lastSequence(of room: RoomID) throws(StorageError) -> LogSequence {
        if let head = published.withLock({ $0[room] }) { return head.lastSequence }
        return try readHead(of: room)?.lastSequence ?? .unsequenced
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
        // last < UInt64.max (appends stop below it), so end + 1 cannot overflow.
        let end = min(last, start + min(UInt64(maximumCount), last - start + 1) - 1)
        let from = KeyEncoding.logEntry(room, LogSequence(start))
        let upperBound = KeyEncoding.logEntry(room, LogSequence(end + 1))
        let count = Int(end - start + 1)
        let payloads = try backend.scan(.log, from: from, upperBound: upperBound, limit: count)
        var keys = try backend.scan(.logKeys, from: from, upperBound: upperBound, limit: count)
        defer { for index in keys.indices { Zeroize.bytes(&keys[index].value) } }
        var keyBySequence: [UInt64: Int] = [:]
        for (index, entry) in keys.enumerated() {
            keyBySequence[KeyEncoding.readUInt64(entry.key[16...])] = index
        }
        var payloadBySequence: [UInt64: [UInt8]] = [:]
        for entry in payloads {
            payloadBySequence[KeyEncoding.readUInt64(entry.key[16...])] = entry.value
        }
        var records: [LogRecord] = []
        records.reserveCapacity(count)
        var bytes = 0
        for position in start...end {
            let sequence = LogSequence(position)
            let what = "room \(room) entry \(position)"
            // Shredding deletes the key first, then the payload: no key means shredded (appends leave no gaps);
            // a key without its payload cannot come from shredding, so it is damage.
            guard let keyIndex = keyBySequence[position] else {
                records.append(LogRecord(sequence: sequence, content: .shredded))
                continue
            }
            guard let payloadRecord = payloadBySequence[position] else {
                throw .corruption("\(what): the key is present but the payload is missing")
            }
            let entryKey = KeyEncoding.logEntry(room, sequence)
            let keyBody = try RecordCodec.open(keys[keyIndex].value, key: entryKey, what: what + " key")
            guard keyBody.count == XChaCha20Poly1305.keyByteCount else {
                throw .corruption("\(what): key of \(keyBody.count) bytes")
            }
            let key = SecretBytes(copying: keyBody)
            let ciphertext = try RecordCodec.open(payloadRecord, key: entryKey, what: what)
            let payload = try PayloadCipher.open(ciphertext, key: key, entryKey: entryKey, what: what)
            if !records.isEmpty && bytes + payload.count > limits.maximumReadBytes { break }
            bytes += payload.count
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
        // From segment 0: the head pointer (the bare 16-byte room key) sorts before it and is not a segment.
        let entries = try backend.scan(
            .segments,
            from: KeyEncoding.segment(room, 0),
            upperBound: KeyEncoding.roomUpperBound(room),
            limit: Int(UInt32.max)
        )
        var segments: [LogSegment] = []
        for entry in entries {
            let what = "segment of room \(room)"
            guard entry.key.count == 20 else { throw .corruption("\(what): key of \(entry.key.count) bytes") }
            let index = entry.key[16...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let body = try RecordCodec.open(entry.value, key: entry.key, what: what)
            segments.append(try SegmentCodec.decode(body, index: index, what: what))
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
        var batch: WriteBatch
        var durability: Durability
        var byteCount: Int
        var waiter: WaiterKind
    }

    /// A blocked thread, or a suspended task.
    enum WaiterKind {
        case thread(Waiter)
        case task(UnsafeContinuation<Result<Void, StorageError>, Never>)
    }

    /// One writer's wait: the leader fills in `result` (or sets `shouldLead`) and then signals; the semaphore orders
    /// those writes before the waiter reads them, hence @unchecked Sendable.
    final class Waiter: @unchecked Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        var result: Result<Void, StorageError>?
        var shouldLead = false
    }

    struct QueueState {
        var pending: [Pending] = []
        var leaderActive = false
    }

    struct WriterState {
        /// nil value: the room's log is known to be empty.
        var heads: [RoomID: LogSegment?] = [:]
        var generator: KeyGenerator

        init(keySource: KeySource) {
            generator = KeyGenerator(source: keySource)
        }
    }

    /// The system generator or a seeded one, behind one concrete type. System randomness is fetched 4 KiB at a time
    /// (one `getrandom` call per 128 keys instead of four per key) and each word is wiped from the buffer as it is
    /// handed out, so future keys do not linger once used.
    struct KeyGenerator: RandomNumberGenerator {
        var seeded: DeterministicGenerator?
        var buffer = [UInt64](repeating: 0, count: 512)
        var nextWord = 512

        init(source: KeySource) {
            switch source {
            case .system: seeded = nil
            case .seeded(let seed): seeded = DeterministicGenerator(seed: seed)
            }
        }

        mutating func next() -> UInt64 {
            if seeded != nil { return seeded!.next() }
            if nextWord == buffer.count {
                SystemRandom.fill(&buffer)
                nextWord = 0
            }
            let word = buffer[nextWord]
            buffer[nextWord] = 0
            nextWord += 1
            return word
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

    /// A descriptor, checked against the index its key names.
    static func decode(_ body: ArraySlice<UInt8>, index: UInt32, what: String) throws(StorageError) -> LogSegment {
        guard body.count == 29, body[body.startIndex + 24] <= 1 else {
            throw .corruption("\(what): malformed descriptor")
        }
        let base = body.startIndex
        let segment = LogSegment(
            index: body[(base + 25)...].prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) },
            firstSequence: LogSequence(KeyEncoding.readUInt64(body[base...])),
            lastSequence: LogSequence(KeyEncoding.readUInt64(body[(base + 8)...])),
            payloadBytes: KeyEncoding.readUInt64(body[(base + 16)...]),
            isSealed: body[base + 24] == 1
        )
        guard segment.index == index, segment.firstSequence.rawValue >= 1,
            segment.firstSequence <= segment.lastSequence, segment.lastSequence.rawValue < UInt64.max
        else {
            throw .corruption("\(what): inconsistent descriptor")
        }
        return segment
    }

    static func encodeIndex(_ index: UInt32) -> [UInt8] {
        [
            UInt8(index >> 24), UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8),
            UInt8(truncatingIfNeeded: index),
        ]
    }

    static func decodeIndex(_ body: ArraySlice<UInt8>, what: String) throws(StorageError) -> UInt32 {
        guard body.count == 4 else { throw .corruption("\(what): malformed head pointer") }
        return body.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
