import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraMLSTesting
import KalandraStorage
import KalandraWire
import NIOCore
import Testing

@testable import KalandraSequencer

/// After a restart the sequencer is rebuilt from its durable log alone and carries on where it was.
@Suite struct RestoreTests {
    /// A room's history with every kind of entry: adds and removes, proposals, messages, two redactions (the
    /// second one's shred not executed, as if the server crashed right after the redaction became durable).
    struct History {
        var room: Room
        var frames: [String: Frame] = [:]
        /// The reference of the KeyPackage the commit at 4 adds (Dave's).
        var daveKeyPackage: [UInt8] = []

        init(seed: UInt64) throws {
            room = try Room(["alice", "bob", "carol"], seed: seed)
            frames["a1"] = try room.send("a1", from: 0).frame  // 2
            frames["b1"] = try room.send("b1", from: 1).frame  // 3
            var dave = TestClient("dave", provider: room.members[0].group.provider, using: &room.generator)
            let keyPackage = try dave.keyPackage(using: &room.generator)
            daveKeyPackage = keyPackage.reference(provider: dave.provider).bytes
            let add = try room.commit(by: 0, CommitOptions(proposals: [.add(AddProposal(keyPackage: keyPackage))]))
            #expect(add.actions.acceptedSequence == LogSequence(4))  // epoch 2
            frames["add"] = add.frame
            try dave.join(try #require(add.output.welcome))
            room.members.append(try Member(dave))
            frames["update"] = try room.proposeUpdate(from: 1).frame  // 5
            let covering = try room.commit(by: 2)  // 6, epoch 3
            #expect(covering.actions.acceptedSequence == LogSequence(6))
            frames["d1"] = try room.send("d1", from: 3).frame  // 7
            let remove = try room.commit(
                by: 0,
                CommitOptions(proposals: [.remove(RemoveProposal(removed: LeafIndex(rawValue: 2)!))])
            )
            #expect(remove.actions.acceptedSequence == LogSequence(8))  // epoch 4, Carol gone
            frames["b2"] = try room.send("b2", from: 1).frame  // 9
            #expect(try room.redact(LogSequence(2), by: 0).actions.acceptedSequence == LogSequence(10))
            room.shell.executesShreds = false
            let redaction = try room.redact(LogSequence(9), by: 1).actions
            #expect(redaction.kinds == ["loadEntry", "persist", "shred", "reply.accepted", "broadcast"])
            room.shell.executesShreds = true
            #expect(room.sequencer.lastSequence == LogSequence(11))
            #expect(room.sequencer.epoch == Epoch(4))
        }
    }

    @Test func theRebuiltSequencerMatchesTheLiveOne() throws {
        var history = try History(seed: 50)
        let live = history.room.sequencer
        let entries = try history.room.shell.restoredEntries()
        #expect(entries.count == 11)
        guard case .redacted(let record) = entries[1] else {
            Issue.record("position 2 should read as redacted")
            return
        }
        #expect(record.target == LogSequence(2))
        #expect(record.recordedAt == LogSequence(10))

        let (restored, actions) = try RoomSequencer.restore(
            roomID: Room.id,
            entries: entries,
            serverKey: Room.serverKey
        )
        #expect(restored.epoch == live.epoch)
        #expect(restored.group.treeHash == live.group.treeHash)
        #expect(restored.group.memberLeaves == live.group.memberLeaves)
        #expect(restored.lastSequence == live.lastSequence)
        #expect(restored.durableSequence == live.lastSequence)
        #expect(restored.chainHash == live.chainHash)
        #expect(restored.pendingCount == 0)
        // Only the redaction whose shred never ran is shredded again.
        #expect(actions.kinds == ["shred"])
        #expect(actions.first?.shredded == LogSequence(9))

        var shell = Shell(restored, storage: history.room.shell.storage)
        _ = try shell.carryOut(actions)
        #expect(try shell.storedEntry(at: LogSequence(9)) == nil)
        // Retries of frames from before the restart get their original positions, whatever the epoch now; the
        // redacted ones (2 and 9) too, from their audit records, rather than being appended again.
        for (name, sequence) in [("a1", 2), ("b1", 3), ("add", 4), ("update", 5), ("d1", 7), ("b2", 9)] {
            let retry = try shell.send(try #require(history.frames[name]))
            #expect(retry.kinds == ["reply.accepted"], "\(name)")
            #expect(retry.acceptedSequence == LogSequence(UInt64(sequence)), "\(name)")
        }
        // The same new frame lands at the same position with the same chain hash in both.
        let next = try history.room.members[3].send("after the restart", using: &history.room.generator)
        #expect(try shell.send(next).acceptedSequence == LogSequence(12))
        var stillLive = live
        let onLive = stillLive.handle(.frame(next, origin: ClientOrigin(1)), now: Room.serverTime)
        #expect(onLive.persists.map(\.through) == [LogSequence(12)])
        #expect(shell.sequencer.chainHash == stillLive.chainHash)
    }

    @Test func aDamagedLogDoesNotRestore() throws {
        let history = try History(seed: 51)
        let entries = try history.room.shell.restoredEntries()

        func failure(_ entries: [RoomSequencer.RestoredEntry]) -> SequencerRejection? {
            do throws(SequencerRejection) {
                _ = try RoomSequencer.restore(roomID: Room.id, entries: entries, serverKey: Room.serverKey)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(entries) == nil)

        func stored(_ index: Int) throws -> StoredEntry {
            guard case .stored(let entry) = entries[index] else { throw RestoreTestError.notStored(index) }
            return entry
        }
        // One flipped byte in a frame, anywhere in the log.
        for index in [0, 2, 3, 5, 10] {
            let entry = try stored(index)
            for offset in [0, FrameHeader.byteCount / 2, entry.frame.count - 1] {
                var frame = entry.frame
                frame[offset] ^= 0x20
                var damaged = entries
                damaged[index] = .stored(StoredEntry(chainHash: entry.chainHash, author: entry.author, frame: frame))
                let error = failure(damaged)
                #expect(error?.code == .malformed, "entry \(index + 1), byte \(offset)")
                #expect(error?.detail.hasPrefix("corruption") == true)
            }
        }
        // A chain hash that does not follow.
        var wrongChain = entries
        let third = try stored(2)
        wrongChain[2] = .stored(
            StoredEntry(chainHash: [UInt8](repeating: 7, count: 32), author: third.author, frame: third.frame)
        )
        #expect(failure(wrongChain)?.code == .malformed)
        // A log that does not start with createRoom, or is empty.
        #expect(failure(Array(entries.dropFirst()))?.code == .malformed)
        #expect(failure([])?.code == .malformed)
        // An audit record in the wrong place: the record of 2 read back at 3.
        var misplaced = entries
        misplaced[2] = entries[1]
        #expect(failure(misplaced)?.detail.hasPrefix("corruption: audit record of 2 at 3") == true)
        // A position missing: every later chain hash fails.
        var gap = entries
        gap.remove(at: 4)
        #expect(failure(gap)?.code == .malformed)
    }

    /// Frames whose chain hashes are right but that could never have been admitted do not replay.
    @Test func entriesThatDoNotReplayAreCorruption() throws {
        var history = try History(seed: 52)
        let entries = try history.room.shell.restoredEntries()
        let member = history.room.members[0]
        let lastChain = history.room.sequencer.chainHash

        func appended(_ frame: [UInt8]) -> [RoomSequencer.RestoredEntry] {
            let chain = LogChain.next(
                previous: lastChain,
                sequence: LogSequence(UInt64(entries.count) + 1),
                frame: frame
            )
            return entries + [.stored(StoredEntry(chainHash: chain, author: [], frame: frame))]
        }
        func failure(_ entries: [RoomSequencer.RestoredEntry]) -> RejectionCode? {
            do throws(SequencerRejection) {
                _ = try RoomSequencer.restore(roomID: Room.id, entries: entries, serverKey: Room.serverKey)
                return nil
            } catch {
                return error.code
            }
        }

        // A commit of an epoch long gone, a redaction with a broken payload, bytes that are not a frame.
        let oldCommit = bytes(of: try #require(history.frames["add"]))
        #expect(failure(appended(oldCommit)) == .malformed)
        let badRedact = try member.frame(.redact, payload: .map([.init(key: 0, value: 1)]), messageID: 77)
        #expect(failure(appended(bytes(of: badRedact))) == .malformed)
        #expect(failure(appended([1, 2, 3])) == .malformed)
        // An application message is not replayed through the group: any well-formed one restores.
        let message = try history.room.members[1].send("late", using: &history.room.generator)
        #expect(failure(appended(bytes(of: message))) == nil)
    }
}

enum RestoreTestError: Error {
    case notStored(Int)
}
