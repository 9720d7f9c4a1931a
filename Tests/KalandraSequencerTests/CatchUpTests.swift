import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraStorage
import KalandraWire
import NIOCore
import Testing

@testable import KalandraSequencer

/// What a shell reads from the log for its sequencer: catch-up deliveries, restart entries, kept Welcomes.
@Suite struct CatchUpTests {
    /// Restored entries compared by their stored bytes.
    static func summary(_ entries: [RoomSequencer.RestoredEntry]) -> [[UInt8]] {
        entries.map { entry in
            switch entry {
            case .stored(let stored): [0] + stored.encoded()
            case .redacted(let record): [1] + record.encoded()
            }
        }
    }

    @Test func theLogReaderReadsWhatRestoreNeeds() throws {
        let history = try RestoreTests.History(seed: 70)
        let storage = history.room.shell.storage
        let entries = try RoomLogReader.entries(of: Room.id, storage: storage)
        #expect(Self.summary(entries) == Self.summary(try history.room.shell.restoredEntries()))
        #expect(try RoomLogReader.entries(of: RoomID(high: 9, low: 9), storage: storage).isEmpty)
        let (restored, _) = try RoomSequencer.restore(roomID: Room.id, entries: entries, serverKey: Room.serverKey)
        #expect(restored.chainHash == history.room.sequencer.chainHash)
    }

    @Test func aShreddedEntryWithoutItsAuditRecordIsCorruption() throws {
        var room = try Room(["alice"], seed: 71)
        _ = try room.send("gone", from: 0)
        try room.shell.storage.shred(room: Room.id, sequence: LogSequence(2))
        #expect(throws: StorageError.self) { try RoomLogReader.entries(of: Room.id, storage: room.shell.storage) }
    }

    @Test func damagedRecordsAreCorruption() throws {
        func isCorruption(_ body: () throws -> Void) -> Bool {
            do {
                try body()
                return false
            } catch let error as StorageError {
                if case .corruption = error { return true }
                return false
            } catch {
                return false
            }
        }
        let storage = LogStore(backend: InMemoryKeyValueStore())
        let damaged = RoomID(high: 5, low: 5)
        let unaudited = RoomID(high: 6, low: 6)
        let entry = StoredEntry(chainHash: LogChain.genesis, author: [], frame: [1]).encoded()
        var batch = WriteBatch()
        batch.append([1, 2, 3], to: damaged, at: LogSequence(1))
        batch.append(entry, to: unaudited, at: LogSequence(1))
        batch.putState(
            [9, 9],
            for: StateKey(.audit, RedactionRecord.stateName(room: unaudited, target: LogSequence(1)))
        )
        batch.putState([0], for: RoomSequencer.invitationKey(room: damaged, keyPackage: [7]))
        batch.putState(
            [0, 0, 0, 0, 0, 0, 0, 9],
            for: RoomSequencer.invitationKey(room: damaged, keyPackage: [8])
        )
        batch.putState([1], for: RoomSequencer.welcomeKey(room: damaged, sequence: LogSequence(10)))
        batch.putState(
            [0, 0, 0, 0, 0, 0, 0, 10],
            for: RoomSequencer.invitationKey(room: damaged, keyPackage: [9])
        )
        try storage.write(batch, durability: .synced)
        try storage.shred(room: unaudited, sequence: LogSequence(1))
        #expect(isCorruption { _ = try RoomLogReader.entries(of: damaged, storage: storage) })
        #expect(isCorruption { _ = try RoomLogReader.entries(of: unaudited, storage: storage) })
        // A pointer of the wrong size, one to a Welcome that is not kept, and a damaged Welcome record.
        for reference: [UInt8] in [[7], [8], [9]] {
            #expect(
                isCorruption { _ = try RoomLogReader.welcome(in: damaged, forKeyPackage: reference, storage: storage) }
            )
        }
    }

    @Test func catchUpDeliversTheDurableLogWithRedactedPositionsAndThenCompletes() throws {
        let history = try RestoreTests.History(seed: 72)
        let sequencer = history.room.sequencer
        let storage = history.room.shell.storage
        let frames = try RoomLogReader.catchUp(
            sequencer,
            after: LogSequence(0),
            messageID: 5,
            storage: storage,
            now: Room.serverTime
        )
        #expect(frames.count == 12)
        let deliveries = frames.dropLast()
        #expect(deliveries.map(\.header.opcode) == Array(repeating: .deliver, count: 11))
        #expect(deliveries.map(\.header.sequence.rawValue) == Array(1...11))
        // A client checks the chain across the whole log, the redacted position included.
        var chain = LogChain.genesis
        for frame in deliveries {
            try frame.verifySignature(with: Room.serverKey.verifyingKey)
            let payload = try DeliverPayload(decoding: frame)
            if let inner = payload.frame {
                chain = LogChain.next(previous: chain, sequence: frame.header.sequence, frame: inner)
                #expect(chain == payload.chainHash)
            } else {
                #expect(frame.header.sequence == LogSequence(2))
                chain = payload.chainHash
            }
        }
        #expect(chain == sequencer.chainHash)
        let complete = try #require(frames.last)
        #expect(complete.header.opcode == .catchUpComplete)
        #expect(complete.header.sequence == LogSequence(11))
        #expect(complete.header.messageID == 5)
        try complete.verifySignature(with: Room.serverKey.verifyingKey)

        let fromNine = try RoomLogReader.catchUp(
            sequencer,
            after: LogSequence(9),
            messageID: 6,
            storage: storage,
            now: Room.serverTime
        )
        #expect(fromNine.map(\.header.sequence.rawValue) == [10, 11, 11])
        let upToDate = try RoomLogReader.catchUp(
            sequencer,
            after: LogSequence(11),
            messageID: 7,
            storage: storage,
            now: Room.serverTime
        )
        #expect(upToDate.map(\.header.opcode) == [.catchUpComplete])
    }

    @Test func onlyACurrentMemberMayCatchUp() throws {
        let history = try RestoreTests.History(seed: 73)
        let sequencer = history.room.sequencer
        let bob = history.room.members[1]
        let carol = history.room.members[2]

        func request(
            from member: Member,
            leaf: UInt32,
            opcode: Opcode = .catchUpRequest,
            room: RoomID = Room.id,
            payload: ByteBuffer? = nil
        ) throws -> Frame {
            let header = FrameHeader(
                opcode: opcode,
                roomID: room,
                senderID: member.senderID,
                epoch: sequencer.epoch,
                sequence: LogSequence(4),
                timestamp: Room.clientTime,
                messageID: 1
            )
            var bytes: [UInt8] = []
            if payload == nil { bytes = encode(CatchUpPayload(leaf: leaf).cbor) }
            return try Frame.signed(
                header: header,
                payload: payload ?? ByteBuffer(bytes: bytes),
                key: member.signingKey
            )
        }
        func refusal(_ frame: Frame) -> RejectionCode? {
            do throws(SequencerRejection) {
                _ = try sequencer.authorizeCatchUp(frame)
                return nil
            } catch {
                return error.code
            }
        }

        #expect(try sequencer.authorizeCatchUp(try request(from: bob, leaf: bob.leaf.rawValue)) == LogSequence(4))
        #expect(refusal(try request(from: bob, leaf: bob.leaf.rawValue, room: RoomID(high: 3, low: 4))) == .wrongRoom)
        #expect(refusal(try request(from: bob, leaf: bob.leaf.rawValue, opcode: .ping)) == .unsupportedOpcode)
        #expect(refusal(try request(from: bob, leaf: 0, payload: ByteBuffer(bytes: [0xA0]))) == .malformed)
        // Carol was removed at 8: her leaf is blank now.
        #expect(refusal(try request(from: carol, leaf: 2)) == .notAMember)
        #expect(refusal(try request(from: bob, leaf: 0)) == .senderMismatch)
    }

    @Test func aKeptWelcomeIsFoundByItsKeyPackage() throws {
        let history = try RestoreTests.History(seed: 74)
        let storage = history.room.shell.storage
        let record = try #require(
            try RoomLogReader.welcome(in: Room.id, forKeyPackage: history.daveKeyPackage, storage: storage)
        )
        // Invitations are per room.
        #expect(
            try RoomLogReader.welcome(
                in: RoomID(high: 1, low: 2),
                forKeyPackage: history.daveKeyPackage,
                storage: storage
            )
                == nil
        )
        #expect(record.room == Room.id)
        #expect(record.sequence == LogSequence(4))
        #expect(try RoomLogReader.welcome(in: Room.id, forKeyPackage: [1, 2, 3], storage: storage) == nil)
        let frame = history.room.sequencer.welcome(record, now: Room.serverTime)
        #expect(frame.header.opcode == .welcome)
        #expect(frame.header.sequence == LogSequence(4))
        try frame.verifySignature(with: Room.serverKey.verifyingKey)
        #expect(try WelcomePayload(decoding: frame).welcome == record.welcome)
        // The Welcome is the one the commit at 4 carried.
        let commit = try #require(history.frames["add"])
        #expect(try HandshakePayload(decoding: commit).welcome == record.welcome)
    }
}
