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

/// A retried frame is answered with its original position and never appended twice.
@Suite struct RetryTests {
    @Test func aRetryBeforeDurabilityWaitsForTheSameEntry() throws {
        var room = try Room(["alice", "bob"], seed: 30)
        let frame = try room.members[1].send("once", using: &room.generator)
        let first = room.shell.handle(.frame(frame, origin: ClientOrigin(1)))
        let again = room.shell.handle(.frame(frame, origin: ClientOrigin(2)))
        #expect(first.kinds == ["persist"])
        #expect(again.isEmpty)
        #expect(room.sequencer.lastSequence == LogSequence(2))
        let durable = try room.shell.carryOut(first + again)
        #expect(durable.kinds == ["reply.accepted", "reply.accepted", "broadcast"])
        let replies = durable.replies
        #expect(replies.map(\.origin) == [ClientOrigin(1), ClientOrigin(2)])
        #expect(replies.map(\.frame.header.sequence) == [LogSequence(2), LogSequence(2)])
        #expect(replies.map(\.frame.header.messageID) == [frame.header.messageID, frame.header.messageID])
        let chain = room.sequencer.chainHash
        #expect(try replies.map { try AcceptedPayload(decoding: $0.frame).chainHash } == [chain, chain])
        #expect(try room.shell.storage.lastSequence(of: Room.id) == LogSequence(2))
    }

    @Test func aRetryAfterDurabilityIsAnsweredWithItsPosition() throws {
        var room = try Room(["alice", "bob"], seed: 31)
        let (frame, _) = try room.send("once", from: 1)
        _ = try room.send("later", from: 0)
        let retry = try room.shell.send(frame, from: ClientOrigin(4))
        #expect(retry.kinds == ["reply.accepted"])
        let reply = try #require(retry.first?.replied)
        #expect(reply.origin == ClientOrigin(4))
        #expect(reply.frame.header.sequence == LogSequence(2))
        #expect(reply.frame.header.messageID == frame.header.messageID)
        // Answered after the fact: the position is what counts; the chain hash is in the log for catch-up.
        #expect(try AcceptedPayload(decoding: reply.frame).chainHash == LogChain.genesis)
        #expect(room.sequencer.lastSequence == LogSequence(3))
        #expect(try room.shell.storage.lastSequence(of: Room.id) == LogSequence(3))
    }

    @Test func aMessageIDUsedForAnotherFrameIsRefused() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 32)
        let (frame, _) = try room.send("first", from: 1)
        // Bob seals another message under the same message ID.
        let reused = try room.members[1].dataPlane.seal(
            Array("second".utf8),
            senderID: room.members[1].senderID,
            timestamp: Room.clientTime,
            messageID: frame.header.messageID,
            signingKey: room.members[1].signingKey,
            using: &room.generator
        ).frame
        #expect(bytes(of: reused) != bytes(of: frame))
        let rejection = try room.shell.send(reused).rejection()
        #expect(rejection.code == .messageIDReused)
        #expect(rejection.detail.contains("used at 2"))
        #expect(room.sequencer.lastSequence == LogSequence(2))
        // Message IDs are per sender: the same number from Carol is a new frame.
        let carols = try room.members[2].send("mine", using: &room.generator)
        #expect(carols.header.messageID == frame.header.messageID)
        #expect(try room.shell.send(carols).acceptedSequence == LogSequence(3))
    }

    @Test func aRetryOlderThanTheWindowIsRefused() throws {
        var room = try Room(["alice", "bob"], seed: 33, limits: SequencerLimits(retryWindow: 2))
        var sent: [Frame] = []
        for index in 0..<3 { sent.append(try room.send("m\(index)", from: 1).frame) }
        // Bob's window holds his last two message IDs (2, 3); 1 is forgotten.
        #expect(try room.shell.send(sent[0]).rejection().code == .retryTooOld)
        #expect(try room.shell.send(sent[1]).acceptedSequence == LogSequence(3))
        #expect(try room.shell.send(sent[2]).acceptedSequence == LogSequence(4))
        #expect(room.sequencer.lastSequence == LogSequence(4))
    }

    @Test func aRetriedCreateRoomIsAnsweredWithPositionOne() throws {
        var room = try Room(["alice", "bob"], seed: 35)
        _ = try room.send("after creation", from: 1)
        let retry = try room.shell.send(room.createFrame, from: ClientOrigin(6))
        #expect(retry.kinds == ["reply.accepted"])
        #expect(retry.acceptedSequence == LogSequence(1))
        #expect(retry.replies.first?.origin == ClientOrigin(6))
        // The creator's next createRoom is a new frame for a room that exists.
        let again = try room.members[0].createRoomFrame()
        #expect(try room.shell.send(again).rejection().code == .roomExists)
        #expect(room.sequencer.lastSequence == LogSequence(2))
    }

    @Test func aRetriedCommitAfterTheEpochMovedIsARetry() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 34)
        let (frame, _, actions) = try room.commit(by: 1, CommitOptions(forcePath: true))
        #expect(actions.acceptedSequence == LogSequence(2))
        #expect(room.sequencer.epoch == Epoch(2))
        #expect(frame.header.epoch == Epoch(1))
        let retry = try room.shell.send(frame, from: ClientOrigin(8))
        #expect(retry.kinds == ["reply.accepted"])
        #expect(retry.acceptedSequence == LogSequence(2))
        #expect(room.sequencer.epoch == Epoch(2))
        #expect(room.sequencer.lastSequence == LogSequence(2))
    }
}

/// The bounded per-sender memory of admitted message IDs.
@Suite struct RetryWindowsTests {
    static func admitted(_ sequence: UInt64, _ digest: UInt8 = 0) -> RetryWindows.Admitted {
        RetryWindows.Admitted(sequence: LogSequence(sequence), digest: [digest])
    }

    @Test func aWindowKeepsTheLatestIDsOfASender() {
        var windows = RetryWindows(windowSize: 2, maximumSenders: 4)
        let sender = SenderID(1)
        #expect(windows.lookUp(sender: sender, messageID: 1, digest: [0]) == .new)
        for id in UInt32(1)...3 { windows.record(sender: sender, messageID: id, Self.admitted(UInt64(id) + 10)) }
        #expect(windows.lookUp(sender: sender, messageID: 1, digest: [0]) == .tooOld)
        #expect(windows.lookUp(sender: sender, messageID: 2, digest: [0]) == .retry(Self.admitted(12)))
        #expect(windows.lookUp(sender: sender, messageID: 3, digest: [9]) == .reused(Self.admitted(13)))
        #expect(windows.lookUp(sender: sender, messageID: 4, digest: [0]) == .new)
        // Many more IDs: the window slides (and compacts) and keeps exactly the last two.
        for id in UInt32(4)...40 { windows.record(sender: sender, messageID: id, Self.admitted(UInt64(id) + 10)) }
        #expect(windows.lookUp(sender: sender, messageID: 38, digest: [0]) == .tooOld)
        #expect(windows.lookUp(sender: sender, messageID: 39, digest: [0]) == .retry(Self.admitted(49)))
        #expect(windows.lookUp(sender: sender, messageID: 40, digest: [0]) == .retry(Self.admitted(50)))
        #expect(windows.lookUp(sender: sender, messageID: 41, digest: [0]) == .new)
    }

    @Test func theOldestSenderIsForgottenBeyondTheBound() {
        var windows = RetryWindows(windowSize: 4, maximumSenders: 2)
        for raw in UInt64(1)...3 { windows.record(sender: SenderID(raw), messageID: 7, Self.admitted(raw)) }
        // Sender 1 was first in and is forgotten: its frame would now be taken as new.
        #expect(windows.lookUp(sender: SenderID(1), messageID: 7, digest: [0]) == .new)
        #expect(windows.lookUp(sender: SenderID(2), messageID: 7, digest: [0]) == .retry(Self.admitted(2)))
        #expect(windows.lookUp(sender: SenderID(3), messageID: 7, digest: [0]) == .retry(Self.admitted(3)))
        // A returning sender is new again and pushes out the next oldest; the list of senders stays bounded.
        for raw in UInt64(4)...20 { windows.record(sender: SenderID(raw), messageID: 7, Self.admitted(raw)) }
        #expect(windows.lookUp(sender: SenderID(18), messageID: 7, digest: [0]) == .new)
        #expect(windows.lookUp(sender: SenderID(19), messageID: 7, digest: [0]) == .retry(Self.admitted(19)))
        #expect(windows.lookUp(sender: SenderID(20), messageID: 7, digest: [0]) == .retry(Self.admitted(20)))
        windows.record(sender: SenderID(1), messageID: 7, Self.admitted(100))
        #expect(windows.lookUp(sender: SenderID(1), messageID: 7, digest: [0]) == .retry(Self.admitted(100)))
        #expect(windows.lookUp(sender: SenderID(19), messageID: 7, digest: [0]) == .new)
    }
}
