import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraMLSTesting
import KalandraStorage
import KalandraWire
import NIOCore
import Testing

@testable import KalandraSequencer

/// Application messages: ordered and stored with their author; everything a frame can get wrong, refused.
@Suite struct ApplicationMessageTests {
    @Test func messagesAreAdmittedInOrderWithTheirAuthor() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 20)
        var chain = room.sequencer.chainHash
        for (step, sender) in [0, 1, 2, 1, 0].enumerated() {
            let frame = try room.members[sender].send("message \(step)", using: &room.generator)
            let sequence = LogSequence(UInt64(step) + 2)
            let admitted = room.shell.handle(.frame(frame, origin: ClientOrigin(UInt64(sender))))
            #expect(admitted.kinds == ["persist"])
            let persisted = try #require(admitted.first?.persisted)
            chain = LogChain.next(previous: chain, sequence: sequence, frame: bytes(of: frame))
            // The author is the sender's credential, what a redaction is checked against.
            let entries = try appends(in: persisted.batch)
            #expect(entries.map(\.sequence) == [sequence])
            #expect(entries.first?.entry.author == room.members[sender].credential)
            #expect(entries.first?.entry.chainHash == chain)
            #expect(stateRecords(in: persisted.batch).isEmpty)

            let durable = try room.shell.carryOut(admitted)
            #expect(durable.kinds == ["reply.accepted", "broadcast"])
            let reply = try #require(durable.first?.replied)
            #expect(reply.origin == ClientOrigin(UInt64(sender)))
            #expect(reply.frame.header.sequence == sequence)
            #expect(reply.frame.header.messageID == frame.header.messageID)
            #expect(try AcceptedPayload(decoding: reply.frame).chainHash == chain)
            let delivered = try DeliverPayload(decoding: try #require(durable.last?.broadcasted))
            #expect(delivered == DeliverPayload(frame: bytes(of: frame), chainHash: chain))
            // A member reads the delivered frame.
            let reader = (sender + 1) % 3
            let inner = try Frame(decoding: ByteBuffer(bytes: try #require(delivered.frame)))
            let opened = try room.members[reader].dataPlane.open(inner)
            #expect(opened.plaintext == Array("message \(step)".utf8))
        }
        #expect(room.sequencer.lastSequence == LogSequence(6))
        #expect(room.sequencer.durableSequence == LogSequence(6))
        #expect(try room.shell.storage.lastSequence(of: Room.id) == LogSequence(6))
    }

    /// Each check of a client frame, with the code a client acts on; none of them moves the log.
    @Test func badFramesAreRefusedWithTheirCode() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 21)
        let good = try room.members[0].send("hello", using: &room.generator)
        let ciphertext = try good.payload.withUnsafeReadableBytes { raw in
            try SenderKeyCiphertext(decoding: raw, maximumByteCount: Limits.maximumFramePayloadBytes)
        }
        let alice = room.members[0]
        let bob = room.members[1]

        func payload(sender: LeafIndex) -> ByteBuffer {
            var changed = ciphertext
            changed.sender = sender
            return ByteBuffer(bytes: changed.encoded())
        }

        // A leaf that holds no member.
        let nobody = try alice.frame(
            .applicationMessage,
            payload: payload(sender: LeafIndex(rawValue: 9)!),
            messageID: 50
        )
        #expect(try room.refusal(nobody).code == .notAMember)
        // Alice signs a message naming Bob's leaf: under her own sender ID, and under Bob's.
        let claimsBob = try alice.frame(.applicationMessage, payload: payload(sender: bob.leaf), messageID: 51)
        #expect(try room.refusal(claimsBob).code == .senderMismatch)
        let posesAsBob = try alice.frame(
            .applicationMessage,
            payload: payload(sender: bob.leaf),
            messageID: 52,
            senderID: bob.senderID
        )
        #expect(try room.refusal(posesAsBob).code == .badSignature)
        // Her own leaf, but a sender ID that is not derived from her key.
        let wrongID = try alice.frame(
            .applicationMessage,
            payload: good.payload,
            messageID: 53,
            senderID: SenderID(0x0102_0304)
        )
        #expect(try room.refusal(wrongID).code == .senderMismatch)
        // Her own frame with its signature broken.
        var brokenBytes = bytes(of: good)
        brokenBytes[FrameHeader.Layout.signature] ^= 0x01
        #expect(try room.refusal(try Frame(decoding: ByteBuffer(bytes: brokenBytes))).code == .badSignature)
        // Epochs on either side of the current one carry the current epoch back.
        let stale = try alice.frame(.applicationMessage, payload: good.payload, epoch: Epoch(0), messageID: 54)
        let staleRejection = try room.refusal(stale)
        #expect(staleRejection.code == .staleEpoch)
        #expect(staleRejection.currentEpoch == Epoch(1))
        let future = try alice.frame(.applicationMessage, payload: good.payload, epoch: Epoch(2), messageID: 55)
        let futureRejection = try room.refusal(future)
        #expect(futureRejection.code == .futureEpoch)
        #expect(futureRejection.currentEpoch == Epoch(1))
        // Another room, an opcode a room does not take, a second createRoom.
        let elsewhere = try alice.frame(
            .applicationMessage,
            payload: good.payload,
            messageID: 56,
            roomID: RoomID(high: 1, low: 2)
        )
        #expect(try room.refusal(elsewhere).code == .wrongRoom)
        let ping = try alice.frame(.ping, payload: .map([]), messageID: 57)
        #expect(try room.refusal(ping).code == .unsupportedOpcode)
        let deliver = try alice.frame(.deliver, payload: .map([]), messageID: 58)
        #expect(try room.refusal(deliver).code == .unsupportedOpcode)
        // Another createRoom for the room (the creator's first one, retried, is answered: see RetryTests).
        let secondCreate = try room.members[1].createRoomFrame()
        #expect(try room.refusal(secondCreate).code == .roomExists)
        // One byte over the payload limit.
        let huge = try alice.frame(
            .applicationMessage,
            payload: ByteBuffer(repeating: 0xA5, count: SequencerLimits.default.maximumPayloadBytes + 1),
            messageID: 59
        )
        let overLimit = try room.refusal(huge)
        #expect(overLimit.code == .tooLarge)
        // Not a sender-key payload at all, and a truncated one.
        let garbage = try alice.frame(
            .applicationMessage,
            payload: ByteBuffer(bytes: [0xFF, 0xFF, 0x00]),
            messageID: 60
        )
        #expect(try room.refusal(garbage).code == .malformed)
        var truncated = good.payload
        truncated.moveWriterIndex(to: truncated.writerIndex - 5)
        let short = try alice.frame(.applicationMessage, payload: truncated, messageID: 61)
        #expect(try room.refusal(short).code == .malformed)

        // After all that, the real message is admitted next.
        #expect(try room.shell.send(good).acceptedSequence == LogSequence(2))
    }

    @Test func entriesAwaitingStorageAreBounded() throws {
        var room = try Room(["alice", "bob"], seed: 22, limits: SequencerLimits(maximumPendingEntries: 2))
        let frames = try (0..<3).map { index in try room.members[index % 2].send("m\(index)", using: &room.generator) }
        let first = room.shell.handle(.frame(frames[0], origin: ClientOrigin(1)))
        let second = room.shell.handle(.frame(frames[1], origin: ClientOrigin(2)))
        #expect(first.kinds == ["persist"])
        #expect(second.kinds == ["persist"])
        #expect(room.sequencer.pendingCount == 2)
        let refused = room.shell.handle(.frame(frames[2], origin: ClientOrigin(3)))
        #expect(try refused.rejection().code == .overLimit)
        // Durability drains the queue; both waiting entries are answered, then the third frame is taken.
        let drained = try room.shell.carryOut(first + second)
        #expect(drained.compactMap { $0.replied?.frame.header.sequence } == [LogSequence(2), LogSequence(3)])
        #expect(room.sequencer.pendingCount == 0)
        #expect(try room.shell.send(frames[2]).acceptedSequence == LogSequence(4))
    }

    @Test func oneDurabilityReportAnswersEveryEntryUpToIt() throws {
        var room = try Room(["alice"], seed: 23)
        var batches: [WriteBatch] = []
        for index in 0..<3 {
            let frame = try room.members[0].send("m\(index)", using: &room.generator)
            batches += room.shell.handle(.frame(frame, origin: ClientOrigin(9))).persists.map(\.batch)
        }
        for batch in batches { try room.shell.storage.write(batch, durability: .synced) }
        // A report beyond the last position counts only what was assigned.
        let answered = room.shell.handle(.durable(through: LogSequence(99)))
        #expect(
            answered.kinds == Array(repeating: ["reply.accepted", "broadcast"], count: 3).flatMap { $0 }
        )
        #expect(answered.broadcasts.map(\.header.sequence) == [2, 3, 4].map { LogSequence($0) })
        #expect(room.sequencer.durableSequence == LogSequence(4))
    }
}
