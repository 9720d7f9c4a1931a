import KalandraCore
import KalandraMLS
import KalandraSequencer
import KalandraStorage
import KalandraWire
import Testing

@testable import KalandraClient

/// Application messages in log order, messages refused for a stale epoch, and redaction.
@Suite struct MessagingTests {
    static func message(
        _ loop: Loopback,
        _ text: String,
        from sender: Int,
        at sequence: UInt64,
        epoch: UInt64
    )
        -> DeliveredMessage
    {
        DeliveredMessage(
            sequence: LogSequence(sequence),
            epoch: Epoch(epoch),
            senderLeaf: UInt32(sender),
            senderCredential: loop.peers[sender].credential,
            plaintext: Array(text.utf8)
        )
    }

    @Test func messagesArriveAtTheOthersInLogOrder() throws {
        var loop = try Loopback.room(["alice", "bob", "carol"], seed: 30)
        let (alice, bob, carol) = (0, 1, 2)
        loop.send(alice, "a1")
        loop.send(bob, "b1")
        loop.send(alice, "a2")
        loop.send(carol, "c1")
        loop.run()

        let a1 = Self.message(loop, "a1", from: alice, at: 3, epoch: 1)
        let b1 = Self.message(loop, "b1", from: bob, at: 4, epoch: 1)
        let a2 = Self.message(loop, "a2", from: alice, at: 5, epoch: 1)
        let c1 = Self.message(loop, "c1", from: carol, at: 6, epoch: 1)
        #expect(loop.peers[alice].delivered == [b1, c1])
        #expect(loop.peers[bob].delivered == [a1, a2, c1])
        #expect(loop.peers[carol].delivered == [a1, b1, a2])
        #expect(loop.peers.map(\.client.lastSeen) == Array(repeating: LogSequence(6), count: 3))
        #expect(loop.peers.map(\.client.backlog.inFlight) == [0, 0, 0])
        // Each member holds the chain hash the server holds.
        #expect(loop.peers.allSatisfy { $0.client.lastChainHash == loop.sequencer?.chainHash })
    }

    @Test(arguments: [false, true])
    func aMessageRefusedAsStaleIsSealedAgainInTheNextEpoch(refusalFirst: Bool) throws {
        var loop = try Loopback.room(["alice", "bob", "carol"], seed: refusalFirst ? 32 : 31)
        let (alice, bob, carol) = (0, 1, 2)
        loop.handle(alice, .commitPending)
        loop.send(bob, "sent in epoch 1")
        loop.send(bob, "and another")
        loop.step()
        loop.step()
        loop.step()
        #expect(loop.sequencer?.lastSequence == LogSequence(3))
        let refusals = loop.wire.filter { $0.opcode == .error }
        #expect(refusals.map(\.peer) == [bob, bob])
        #expect(try refusals.map { try RejectionPayload(decoding: $0.frame).code } == [.staleEpoch, .staleEpoch])
        if refusalFirst { try loop.moveToFront { $0.peer == bob && $0.opcode == .error } }
        loop.run()

        // In the order they were first sent, whichever news reached Bob first.
        let expected = [
            Self.message(loop, "sent in epoch 1", from: bob, at: 4, epoch: 2),
            Self.message(loop, "and another", from: bob, at: 5, epoch: 2),
        ]
        #expect(loop.peers[alice].delivered == expected)
        #expect(loop.peers[carol].delivered == expected)
        #expect(
            try loop.logFrames().map { $0?.header.opcode } == [
                .createRoom, .commit, .commit, .applicationMessage, .applicationMessage,
            ]
        )
        #expect(loop.peers[bob].rejections.isEmpty)
        #expect(loop.peers[bob].client.backlog == (0, 0))
        // Each sealed once in epoch 1 and once in epoch 2: never again in the epoch the server refused.
        let sealed = loop.peers[bob].sentFrames(.applicationMessage).map(\.header.epoch)
        #expect(sealed == [Epoch(1), Epoch(1), Epoch(2), Epoch(2)])
    }

    @Test func theAuthorRedactsItsMessageEverywhere() throws {
        var loop = try Loopback.room(["alice", "bob", "carol"], seed: 33)
        let (alice, bob, carol) = (0, 1, 2)
        loop.disconnect(carol)
        loop.send(alice, "regrettable")
        loop.run()
        loop.send(bob, "what did you say?")
        loop.run()
        let target = LogSequence(3)
        #expect(try loop.record(at: target)?.content != .shredded)

        // Only the author may redact: Bob's request is refused and reported to him.
        loop.handle(bob, .redact(target))
        loop.run()
        #expect(loop.peers[bob].rejections.map(\.code) == [.redactionNotAllowed])
        #expect(loop.peers[bob].redactions.isEmpty)

        loop.handle(alice, .redact(target))
        loop.run()
        #expect(loop.peers[alice].redactions == [target])
        #expect(loop.peers[bob].redactions == [target])
        #expect(try loop.record(at: target) == LogRecord(sequence: target, content: .shredded))
        #expect(
            try loop.logFrames().map { $0?.header.opcode } == [.createRoom, .commit, nil, .applicationMessage, .redact]
        )

        // Carol was away: catch-up gives her the position without its frame, so she never reads it, and the chain
        // still checks past it.
        loop.connect(carol)
        loop.run()
        #expect(loop.peers[carol].texts == ["what did you say?"])
        #expect(loop.peers[carol].redactions == [target])
        #expect(loop.peers[carol].forks.isEmpty)
        #expect(loop.peers[carol].client.lastSeen == LogSequence(5))
        #expect(loop.peers[carol].client.lastChainHash == loop.sequencer?.chainHash)
        #expect(loop.peers.map(\.client.backlog.inFlight) == [0, 0, 0])
    }
}
