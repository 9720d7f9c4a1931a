import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraStorage
import KalandraWire

/// What a server shell reads from storage for its sequencers: catch-up deliveries, the entries a restart replays,
/// the Welcome kept for an invitee. Shared by the production server and the simulator, so both read the log the same
/// way. Synchronous: it runs on the shell's storage thread.
public enum RoomLogReader {
    /// `deliver` frames for the durable entries after `after` (at most `RoomSequencer.catchUpBatch`), redacted
    /// positions without their frame, followed by the `catchUpComplete` frame.
    public static func catchUp(
        _ sequencer: RoomSequencer,
        after: LogSequence,
        messageID: UInt32,
        storage: any Storage,
        now: Timestamp
    ) throws(StorageError) -> [Frame] {
        var frames: [Frame] = []
        if after < sequencer.durableSequence {
            let count = Int(
                min(UInt64(RoomSequencer.catchUpBatch), sequencer.durableSequence.rawValue - after.rawValue)
            )
            let records = try storage.readLog(
                of: sequencer.roomID,
                from: LogSequence(after.rawValue + 1),
                maximumCount: count
            )
            for record in records {
                guard let entry = try entry(record, room: sequencer.roomID, storage: storage) else { continue }
                switch entry {
                case .stored(let stored):
                    frames.append(
                        sequencer.deliver(sequence: record.sequence, frame: stored.frame, chainHash: stored.chainHash)
                    )
                case .redacted(let audit):
                    frames.append(
                        sequencer.deliver(sequence: record.sequence, frame: nil, chainHash: audit.targetChainHash)
                    )
                }
            }
        }
        frames.append(sequencer.catchUpComplete(messageID: messageID, now: now))
        return frames
    }

    /// Every entry of `room`'s log, for `RoomSequencer.restore`; empty when the room has none.
    public static func entries(
        of room: RoomID,
        storage: any Storage
    ) throws(StorageError) -> [RoomSequencer.RestoredEntry] {
        let last = try storage.lastSequence(of: room)
        var result: [RoomSequencer.RestoredEntry] = []
        var next = LogSequence(1)
        while next <= last {
            let records = try storage.readLog(of: room, from: next, maximumCount: 1_024)
            guard !records.isEmpty else { break }
            for record in records {
                guard let entry = try entry(record, room: room, storage: storage) else {
                    throw StorageError.corruption(
                        "room \(room) entry \(record.sequence) is shredded without an audit record"
                    )
                }
                result.append(entry)
            }
            next = LogSequence(records[records.count - 1].sequence.rawValue + 1)
        }
        return result
    }

    /// The Welcome kept in `room` for the owner of a KeyPackage, if any.
    public static func welcome(
        in room: RoomID,
        forKeyPackage reference: [UInt8],
        storage: any Storage
    ) throws(StorageError) -> WelcomeRecord? {
        guard let pointer = try storage.readState(RoomSequencer.invitationKey(room: room, keyPackage: reference)) else {
            return nil
        }
        guard pointer.count == 8 else { throw .corruption("invitation record of \(pointer.count) bytes") }
        let sequence = LogSequence(readBigEndian(pointer, at: 0))
        guard let bytes = try storage.readState(RoomSequencer.welcomeKey(room: room, sequence: sequence)) else {
            throw .corruption("invitation to room \(room) points at \(sequence), which keeps no Welcome")
        }
        do { return try WelcomeRecord(decoding: bytes) } catch {
            throw .corruption("Welcome record: \(error)")
        }
    }

    private static func entry(
        _ record: LogRecord,
        room: RoomID,
        storage: any Storage
    ) throws(StorageError) -> RoomSequencer.RestoredEntry? {
        switch record.content {
        case .payload(let bytes):
            do { return .stored(try StoredEntry(decoding: bytes)) } catch {
                throw .corruption("room \(room) entry \(record.sequence): \(error)")
            }
        case .shredded:
            let key = StateKey(.audit, RedactionRecord.stateName(room: room, target: record.sequence))
            guard let bytes = try storage.readState(key) else { return nil }
            do { return .redacted(try RedactionRecord(decoding: bytes)) } catch {
                throw .corruption("room \(room) audit record \(record.sequence): \(error)")
            }
        }
    }
}
