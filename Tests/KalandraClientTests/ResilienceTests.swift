import KalandraCore
import KalandraMLS
import KalandraSequencer
import KalandraWire
import Testing

@testable import KalandraClient

/// Loss, reconnection, duplicates, gaps in the log and a forged chain hash.
@Suite struct ResilienceTests {
    @Test func afterLossAReconnectResendsByteIdenticalAndCatchesUp() throws {
        var loop = try Loopback.room(["alice", "bob", "carol"], seed: 60)
        let (alice, bob, carol) = (0, 1, 2)

        // Everything between Bob and the server is lost, though Bob still believes he is connected.
        loop.fate = { $0.peer == bob ? .drop : .deliver }
        loop.send(bob, "b1")
        let b1 = try #require(loop.peers[bob].sent.last)
        loop.send(alice, "a1")
        loop.run()
        loop.tick(after: 600)
        loop.run()
        // The retransmission is the same frame.
        #expect(loop.peers[bob].sent.filter { $0 == b1 }.count == 2)

        // Then only the server's answers to Bob are lost: b2 is admitted, but Bob never hears of it.
        loop.fate = { $0.peer == bob && $0.direction == .toClient ? .drop : .deliver }
        loop.send(bob, "b2")
        let b2 = try #require(loop.peers[bob].sent.last)
        let b2ID = try #require(loop.peers[bob].sentFrames(.applicationMessage).last?.header.messageID)
        loop.run()
        #expect(loop.sequencer?.lastSequence == LogSequence(4))
        #expect(loop.peers[bob].client.lastSeen == LogSequence(2))
        #expect(loop.peers[bob].client.backlog == (0, 2))

        // Bob notices, reconnects; every server frame now arrives twice.
        loop.disconnect(bob)
        loop.fate = { $0.direction == .toClient ? .duplicate : .deliver }
        let sentBefore = loop.peers[bob].sent.count
        loop.connect(bob)
        let resent = Array(loop.peers[bob].sent[sentBefore...])
        #expect(Array(resent.prefix(2)) == [b1, b2])
        #expect(resent.count == 3)
        loop.run()

        // b2 was a retry, answered with its first position; b1 is new.
        let log = try loop.logFrames()
        #expect(log.count == 5)
        #expect(log.map { $0.map(\.encodedBytes) }.suffix(2) == [b2, b1])
        let answers = loop.arrived.filter { $0.peer == bob && $0.opcode == .accepted }.map(\.frame.header)
        #expect(answers.filter { $0.messageID == b2ID }.map(\.sequence) == [LogSequence(4), LogSequence(4)])

        let a1 = MessagingTests.message(loop, "a1", from: alice, at: 3, epoch: 1)
        let b2Delivered = MessagingTests.message(loop, "b2", from: bob, at: 4, epoch: 1)
        let b1Delivered = MessagingTests.message(loop, "b1", from: bob, at: 5, epoch: 1)
        #expect(loop.peers[bob].delivered == [a1])
        #expect(loop.peers[alice].delivered == [b2Delivered, b1Delivered])
        #expect(loop.peers[carol].delivered == [a1, b2Delivered, b1Delivered])
        #expect(loop.peers.map(\.client.lastSeen) == Array(repeating: LogSequence(5), count: 3))
        #expect(loop.peers.map(\.state) == Array(repeating: .synchronized(Epoch(1)), count: 3))
        #expect(loop.peers.allSatisfy { $0.client.lastChainHash == loop.sequencer?.chainHash })
        #expect(loop.peers[bob].client.backlog == (0, 0))
        #expect(loop.peers.allSatisfy { $0.rejections.isEmpty && $0.forks.isEmpty })
    }

    @Test func aGapIsFilledByTheDeliveryHeldBack() throws {
        var loop = try Loopback.room(["alice", "bob"], seed: 70)
        let (alice, bob) = (0, 1)
        // Past the retransmission interval, so a gap makes Bob ask for catch-up (once).
        loop.advance(1_000)
        let catchUpsBefore = loop.peers[bob].sentFrames(.catchUpRequest).count
        loop.fate = { packet in
            if packet.peer == bob, packet.opcode == .deliver, packet.frame.header.sequence == LogSequence(3) {
                return .hold
            }
            return packet.peer == bob && packet.opcode == .catchUpRequest ? .drop : .deliver
        }
        for text in ["m1", "m2", "m3"] { loop.send(alice, text) }
        loop.run()
        #expect(loop.peers[bob].delivered.isEmpty)
        #expect(loop.peers[bob].client.lastSeen == LogSequence(2))
        let asked = loop.peers[bob].sentFrames(.catchUpRequest).dropFirst(catchUpsBefore)
        #expect(asked.map(\.header.sequence) == [LogSequence(2)])

        loop.fate = { _ in .deliver }
        loop.release()
        loop.run()
        #expect(
            loop.peers[bob].delivered == [
                MessagingTests.message(loop, "m1", from: alice, at: 3, epoch: 1),
                MessagingTests.message(loop, "m2", from: alice, at: 4, epoch: 1),
                MessagingTests.message(loop, "m3", from: alice, at: 5, epoch: 1),
            ]
        )
        #expect(loop.peers[bob].client.lastSeen == LogSequence(5))
        #expect(loop.peers[bob].client.lastChainHash == loop.sequencer?.chainHash)
    }

    @Test func aLostDeliveryIsFetchedByCatchUp() throws {
        var loop = try Loopback.room(["alice", "bob"], seed: 71)
        let (alice, bob) = (0, 1)
        loop.advance(1_000)
        // The middle one is lost (once): the next delivery shows the gap and catch-up fills it.
        var lost = false
        loop.fate = { packet in
            guard !lost, packet.peer == bob, packet.opcode == .deliver, packet.frame.header.sequence == LogSequence(4)
            else { return .deliver }
            lost = true
            return .drop
        }
        for text in ["m1", "m2", "m3"] { loop.send(alice, text) }
        loop.run()
        #expect(loop.peers[bob].texts == ["m1", "m2", "m3"])
        #expect(loop.peers[bob].delivered.map(\.sequence) == [3, 4, 5].map(LogSequence.init))

        #expect(lost)
        // The last one is lost: nothing shows the gap until the periodic catch-up.
        loop.fate = { $0.peer == bob && $0.opcode == .deliver ? .drop : .deliver }
        loop.send(alice, "m4")
        loop.run()
        #expect(loop.peers[bob].texts == ["m1", "m2", "m3"])
        loop.fate = { _ in .deliver }
        loop.tick(after: 1_000)
        loop.run()
        #expect(loop.peers[bob].texts == ["m1", "m2", "m3"])
        loop.tick(after: 1_000)
        loop.run()
        #expect(loop.peers[bob].texts == ["m1", "m2", "m3", "m4"])
        #expect(loop.peers[bob].client.lastSeen == LogSequence(6))
    }

    @Test func aForgedChainHashIsALogFork() throws {
        var loop = try Loopback.room(["alice", "bob"], seed: 72)
        let (alice, bob) = (0, 1)
        loop.fate = { $0.peer == bob && $0.opcode == .deliver ? .hold : .deliver }
        loop.send(alice, "m1")
        loop.run()
        let genuine = try #require(loop.held.first?.frame)
        let payload = try DeliverPayload(decoding: genuine)
        var forged = payload.chainHash
        forged[7] ^= 0x01
        let sequencer = try #require(loop.sequencer)
        loop.fate = { _ in .deliver }
        loop.inject(
            sequencer.deliver(sequence: genuine.header.sequence, frame: payload.frame, chainHash: forged),
            to: bob
        )
        loop.run()
        #expect(loop.peers[bob].forks == [LogSequence(3)])
        #expect(loop.peers[bob].delivered.isEmpty)
        #expect(loop.peers[bob].client.lastSeen == LogSequence(2))

        // The forged delivery changed nothing: the genuine one still applies.
        loop.release()
        loop.run()
        #expect(loop.peers[bob].texts == ["m1"])
        #expect(loop.peers[bob].forks == [LogSequence(3)])
        #expect(loop.peers[bob].client.lastChainHash == payload.chainHash)
    }

    @Test func aLongAbsenceIsCaughtUpInBatches() throws {
        var loop = try Loopback.room(["alice", "bob"], seed: 73)
        let (alice, bob) = (0, 1)
        loop.disconnect(bob)
        let count = RoomSequencer.catchUpBatch + 44
        for index in 0..<count { loop.send(alice, "m\(index)") }
        loop.run()
        let before = loop.peers[bob].sentFrames(.catchUpRequest).count

        // One answer holds at most a batch; its end tells Bob that there is more, and he asks again from there.
        loop.connect(bob)
        loop.run()
        let asked = loop.peers[bob].sentFrames(.catchUpRequest).dropFirst(before).map(\.header.sequence)
        #expect(asked == [LogSequence(2), LogSequence(2 + UInt64(RoomSequencer.catchUpBatch))])
        #expect(loop.peers[bob].texts == (0..<count).map { "m\($0)" })
        #expect(loop.peers[bob].delivered.map(\.sequence) == (0..<count).map { LogSequence(UInt64($0) + 3) })
        #expect(loop.peers[bob].client.lastSeen == loop.sequencer?.lastSequence)
        #expect(loop.peers[bob].client.lastChainHash == loop.sequencer?.chainHash)
    }

    @Test func itsOwnFrameInTheLogSettlesItWhenTheAcknowledgementIsLost() throws {
        var loop = try Loopback.room(["alice", "bob"], seed: 74)
        let (alice, bob) = (0, 1)
        loop.fate = { $0.peer == alice && $0.opcode == .accepted ? .drop : .deliver }
        loop.send(alice, "m1")
        loop.run()
        #expect(loop.peers[alice].client.backlog == (0, 0))
        let sent = loop.peers[alice].sent.count
        loop.tick(after: 600)
        // Nothing is retransmitted: the log already holds it.
        #expect(loop.peers[alice].sentFrames(.applicationMessage).count == 1)
        #expect(loop.peers[alice].sent.count == sent)
        #expect(loop.peers[bob].texts == ["m1"])
    }
}
