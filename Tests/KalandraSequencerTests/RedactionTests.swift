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

/// Redaction: only the author of an application message may erase it; the request and its audit record are
/// persisted together, and the entry is shredded once they are durable.
@Suite struct RedactionTests {
    @Test func theAuthorRedactsItsOwnMessage() throws {
        var room = try Room(["alice", "bob"], seed: 40)
        let (message, _) = try room.send("regrettable", from: 0)
        _ = try room.send("reply", from: 1)
        let target = LogSequence(2)
        let targetChain = try #require(try room.shell.storedEntry(at: target)).chainHash
        let redact = try room.members[0].redact(target)

        let asked = room.shell.handle(.frame(redact, origin: ClientOrigin(3)))
        #expect(asked.kinds == ["loadEntry"])
        let request = try #require(asked.first?.loadRequest)
        #expect(request.target == target)
        #expect(request.origin == ClientOrigin(3))
        #expect(request.requester == room.members[0].credential)
        #expect(request.messageID == redact.header.messageID)
        #expect(request.frame == bytes(of: redact))

        room.shell.now = Timestamp(milliseconds: 1_700_000_200_000)!
        let entry = try room.shell.storedEntry(at: target)
        #expect(entry?.frame == bytes(of: message))
        let admitted = room.shell.handle(.redactionTarget(request, entry))
        #expect(admitted.kinds == ["persist"])
        let persisted = try #require(admitted.first?.persisted)
        #expect(persisted.through == LogSequence(4))
        // The redact frame and the audit record go to storage in one batch.
        #expect(try appends(in: persisted.batch).map(\.entry.frame) == [bytes(of: redact)])
        let records = stateRecords(in: persisted.batch)
        #expect(records.count == 1)
        let audit = try #require(records[StateKey(.audit, RedactionRecord.stateName(room: Room.id, target: target))])
        let record = try RedactionRecord(decoding: audit)
        #expect(record.target == target)
        #expect(record.targetChainHash == targetChain)
        #expect(record.recordedAt == LogSequence(4))
        #expect(record.requester == room.members[0].credential)
        #expect(record.time == Timestamp(milliseconds: 1_700_000_200_000)!)

        // Nothing is shredded or acknowledged before the batch is durable; then the shred comes first.
        try room.shell.storage.write(persisted.batch, durability: .synced)
        let durable = room.shell.handle(.durable(through: persisted.through))
        #expect(durable.kinds == ["shred", "reply.accepted", "broadcast"])
        #expect(durable.first?.shredded == target)
        #expect(durable.acceptedSequence == LogSequence(4))
        #expect(durable.replies.first?.origin == ClientOrigin(3))
        #expect(try room.shell.storedEntry(at: target) != nil)
        _ = try room.shell.carryOut(durable)
        let records2 = try room.shell.storage.readLog(of: Room.id, from: target, maximumCount: 1)
        #expect(records2 == [LogRecord(sequence: target, content: .shredded)])
        #expect(try room.shell.storedEntry(at: LogSequence(3)) != nil)

        // Once shredded, a second request finds nothing; a retry of the first is answered with its position.
        #expect(try room.redact(target, by: 0).actions.rejection().code == .noSuchEntry)
        #expect(try room.shell.send(redact).acceptedSequence == LogSequence(4))
    }

    @Test func onlyTheAuthorsOwnApplicationMessagesCanBeRedacted() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 41)
        _ = try room.send("alice's", from: 0)
        let (_, _, commitActions) = try room.commit(by: 1, CommitOptions(forcePath: true))
        #expect(commitActions.acceptedSequence == LogSequence(3))

        // Bob redacting Alice's message; Bob redacting his own commit; Alice redacting the createRoom entry.
        #expect(try room.redact(LogSequence(2), by: 1).actions.rejection().code == .redactionNotAllowed)
        #expect(try room.redact(LogSequence(3), by: 1).actions.rejection().code == .redactionNotAllowed)
        #expect(try room.redact(LogSequence(1), by: 0).actions.rejection().code == .redactionNotAllowed)
        // Positions that hold no durable entry.
        #expect(try room.redact(LogSequence(4), by: 0).actions.rejection().code == .noSuchEntry)
        #expect(try room.redact(LogSequence(0), by: 0).actions.rejection().code == .noSuchEntry)
        #expect(room.sequencer.lastSequence == LogSequence(3))
        // Alice's message is still there and hers to redact.
        #expect(try room.redact(LogSequence(2), by: 0).actions.acceptedSequence == LogSequence(4))
    }

    @Test func redactionRequestsThatCannotBeCheckedAreRefused() throws {
        var room = try Room(["alice", "bob"], seed: 42, limits: SequencerLimits(maximumPendingRedactions: 1))
        _ = try room.send("one", from: 0)
        _ = try room.send("two", from: 0)
        let alice = room.members[0]

        // The payload names a leaf that holds nobody, or Bob's leaf while Alice signs.
        let nobody = try alice.frame(
            .redact,
            payload: RedactPayload(target: LogSequence(2), leaf: 7).cbor,
            messageID: 90
        )
        #expect(try room.shell.send(nobody).rejection().code == .notAMember)
        let bobsLeaf = try alice.frame(
            .redact,
            payload: RedactPayload(target: LogSequence(2), leaf: room.members[1].leaf.rawValue).cbor,
            messageID: 91
        )
        #expect(try room.shell.send(bobsLeaf).rejection().code == .senderMismatch)
        let notAMap = try alice.frame(.redact, payload: .byteString([1]), messageID: 92)
        #expect(try room.shell.send(notAMap).rejection().code == .malformed)

        // One redaction may wait for its target; another is over the limit, one of the same target is refused.
        let first = try room.members[0].redact(LogSequence(2))
        let asked = room.shell.handle(.frame(first, origin: ClientOrigin(1)))
        let request = try #require(asked.first?.loadRequest)
        let second = try room.members[0].redact(LogSequence(3))
        #expect(try room.shell.handle(.frame(second, origin: ClientOrigin(1))).rejection().code == .overLimit)

        var twoAtOnce = try Room(["alice"], seed: 43)
        _ = try twoAtOnce.send("x", from: 0)
        let once = try twoAtOnce.members[0].redact(LogSequence(2))
        let twice = try twoAtOnce.members[0].redact(LogSequence(2))
        #expect(twoAtOnce.shell.handle(.frame(once, origin: ClientOrigin(1))).kinds == ["loadEntry"])
        #expect(try twoAtOnce.shell.handle(.frame(twice, origin: ClientOrigin(1))).rejection().code == .noSuchEntry)

        // The shell found nothing at the target.
        let nothing = room.shell.handle(.redactionTarget(request, nil))
        let rejection = try nothing.rejection()
        #expect(rejection.code == .noSuchEntry)
        #expect(rejection.messageID == first.header.messageID)
        #expect(nothing.replies.first?.origin == ClientOrigin(1))
        // An answer for a request the sequencer is not waiting for is ignored.
        #expect(try room.shell.answer(request).isEmpty)
        #expect(room.sequencer.lastSequence == LogSequence(3))
    }

    @Test func aRedactionSentAgainWhileItsTargetIsReadIsAnsweredLikeTheFirst() throws {
        var room = try Room(["alice"], seed: 44)
        _ = try room.send("x", from: 0)
        let frame = try room.members[0].redact(LogSequence(2))
        let asked = room.shell.handle(.frame(frame, origin: ClientOrigin(1)))
        let request = try #require(asked.first?.loadRequest)
        #expect(room.shell.handle(.frame(frame, origin: ClientOrigin(2))).isEmpty)
        let answered = try room.shell.answer(request)
        let followed = answered + (try room.shell.carryOut(answered))
        let accepted = followed.replies.filter { $0.frame.header.opcode == .accepted }
        #expect(accepted.map(\.origin) == [ClientOrigin(1), ClientOrigin(2)])
        #expect(accepted.allSatisfy { $0.frame.header.sequence == LogSequence(3) })
    }

    @Test func aRedactionWaitsForRoomInTheStorageQueue() throws {
        var room = try Room(["alice", "bob"], seed: 44, limits: SequencerLimits(maximumPendingEntries: 1))
        _ = try room.send("target", from: 0)
        let redact = try room.members[0].redact(LogSequence(2))
        let request = try #require(room.shell.handle(.frame(redact, origin: ClientOrigin(1))).first?.loadRequest)
        // While the target is read, Bob's message fills the queue.
        let bobs = try room.members[1].send("meanwhile", using: &room.generator)
        let bobAdmitted = room.shell.handle(.frame(bobs, origin: ClientOrigin(2)))
        #expect(bobAdmitted.kinds == ["persist"])
        let refused = try room.shell.answer(request)
        #expect(try refused.rejection().code == .overLimit)
        _ = try room.shell.carryOut(bobAdmitted)
        // Alice sends the request again once storage caught up; it goes through.
        #expect(try room.shell.send(redact).acceptedSequence == LogSequence(4))
        #expect(try room.shell.storedEntry(at: LogSequence(2)) == nil)
    }

    @Test func aRedactionCheckedInOneEpochCompletesInTheNext() throws {
        var room = try Room(["alice", "bob"], seed: 45)
        _ = try room.send("before the commit", from: 0)
        let redact = try room.members[0].redact(LogSequence(2))
        let request = try #require(room.shell.handle(.frame(redact, origin: ClientOrigin(1))).first?.loadRequest)
        let (_, _, actions) = try room.commit(by: 1, CommitOptions(forcePath: true))
        #expect(actions.acceptedSequence == LogSequence(3))
        let admitted = try room.shell.answer(request)
        let followUps = try room.shell.carryOut(admitted)
        #expect(followUps.acceptedSequence == LogSequence(4))
        #expect(try room.shell.storedEntry(at: LogSequence(2)) == nil)
    }
}
