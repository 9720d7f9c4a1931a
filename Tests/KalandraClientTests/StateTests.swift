import KalandraCore
import KalandraMLS
import KalandraSequencer
import KalandraStorage
import KalandraWire
import Testing

@testable import KalandraClient

/// The derived state machine: disconnected, pendingWelcome, synchronized, pendingCommit, left.
@Suite struct StateTests {
    @Test func theCreatorIsSynchronizedInEpochZeroOnceConnected() throws {
        var loop = Loopback(seed: 1)
        let alice = try loop.creator("alice")
        #expect(loop.peers[alice].state == .disconnected)
        #expect(loop.peers[alice].client.backlog == (0, 1))

        loop.connect(alice)
        #expect(loop.peers[alice].state == .synchronized(Epoch(0)))
        // The createRoom frame and a catch-up request.
        #expect(loop.peers[alice].sentFrames(.createRoom).count == 1)
        #expect(loop.peers[alice].sentFrames(.catchUpRequest).count == 1)
        loop.run()
        #expect(loop.sequencer?.lastSequence == LogSequence(1))
        #expect(loop.peers[alice].client.lastSeen == LogSequence(1))
        #expect(loop.peers[alice].client.backlog == (0, 0))
        #expect(loop.peers[alice].state == .synchronized(Epoch(0)))
        #expect(loop.peers[alice].events.isEmpty)

        loop.disconnect(alice)
        #expect(loop.peers[alice].state == .disconnected)
    }

    @Test func anInviteeWaitsForItsWelcomeAndTheCommitterForItsCommit() throws {
        var loop = Loopback(seed: 2)
        let alice = try loop.creator("alice")
        loop.connect(alice)
        loop.run()
        let (bob, keyPackage) = try loop.invitee("bob")
        #expect(loop.peers[bob].state == .disconnected)
        loop.connect(bob)
        #expect(loop.peers[bob].state == .pendingWelcome)
        #expect(loop.peers[bob].sentFrames(.keyPackageUpload).count == 1)
        loop.run()
        #expect(loop.peers[bob].state == .pendingWelcome)
        loop.disconnect(bob)
        #expect(loop.peers[bob].state == .disconnected)
        loop.connect(bob)
        loop.run()

        loop.handle(alice, .add([keyPackage]))
        #expect(loop.peers[alice].state == .pendingCommit(target: Epoch(1)))
        #expect(loop.peers[alice].sentFrames(.commit).count == 1)
        // The server admits the commit: the acknowledgement comes first, then the delivery and the Welcome.
        loop.step()
        #expect(loop.wire.map(\.opcode) == [.accepted, .deliver, .deliver, .welcome])
        #expect(loop.wire.map(\.peer) == [alice, alice, bob, bob])
        loop.step()
        // Acknowledged is not applied: the group moves only when the commit arrives in the log.
        #expect(loop.peers[alice].state == .pendingCommit(target: Epoch(1)))
        loop.step()
        #expect(loop.peers[alice].state == .synchronized(Epoch(1)))
        #expect(loop.peers[alice].epochChanges == [Epoch(1)])
        // The invitee is not yet a member: the delivery of its own Add means nothing to it.
        loop.step()
        #expect(loop.peers[bob].state == .pendingWelcome)
        loop.step()
        #expect(loop.peers[bob].state == .synchronized(Epoch(1)))
        #expect(loop.peers[bob].joins == [Epoch(1)])
        #expect(loop.peers[bob].client.lastSeen == LogSequence(2))
        loop.run()
        #expect(loop.peers[bob].client.lastSeen == LogSequence(2))
        #expect(loop.peers[alice].client.lastSeen == LogSequence(2))
    }

    @Test func aRemovedMemberLeaves() throws {
        var loop = try Loopback.room(["alice", "bob", "carol"], seed: 3)
        let (alice, bob, carol) = (0, 1, 2)
        #expect(loop.peers.map(\.state) == Array(repeating: .synchronized(Epoch(1)), count: 3))

        loop.handle(alice, .remove([loop.peers[bob].credential]))
        #expect(loop.peers[alice].state == .pendingCommit(target: Epoch(2)))
        loop.run()
        #expect(loop.peers[bob].state == .left)
        #expect(loop.peers[bob].departures == [LogSequence(3)])
        #expect(loop.peers[bob].epochChanges.isEmpty)
        #expect(loop.peers[alice].state == .synchronized(Epoch(2)))
        #expect(loop.peers[carol].state == .synchronized(Epoch(2)))
        #expect(try loop.peers[alice].group.memberCount == 2)
        #expect(try loop.peers[carol].group.tree.treeHash == loop.peers[alice].group.tree.treeHash)

        // A client that left does nothing more, whatever happens to it.
        let sentBefore = loop.peers[bob].sent.count
        loop.send(bob, "anyone?")
        loop.disconnect(bob)
        loop.connect(bob)
        loop.tick(after: 5_000)
        #expect(loop.peers[bob].sent.count == sentBefore)
        #expect(loop.peers[bob].state == .left)
        // Messages after the removal reach the remaining members only.
        loop.send(alice, "just us")
        loop.run()
        #expect(loop.peers[carol].texts == ["just us"])
        #expect(loop.peers[bob].delivered.isEmpty)
    }

    @Test func aMemberRemovedWhileAwayLearnsItOnReconnecting() throws {
        var loop = try Loopback.room(["alice", "bob", "carol"], seed: 4)
        let (alice, bob, carol) = (0, 1, 2)
        loop.disconnect(carol)
        loop.handle(alice, .remove([loop.peers[carol].credential]))
        loop.run()
        #expect(loop.peers[carol].state == .disconnected)
        loop.send(carol, "written while away")

        // The log after her removal is closed to her: the refused catch-up tells her she is out.
        loop.connect(carol)
        loop.run()
        #expect(loop.refusedCatchUps.map(\.peer) == [carol])
        #expect(loop.refusedCatchUps.map(\.rejection.code) == [.notAMember])
        #expect(loop.peers[carol].state == .left)
        #expect(loop.peers[carol].departures == [LogSequence(2)])
        #expect(loop.peers[carol].client.backlog == (0, 0))
        // Her message, sealed in the epoch she knew, was refused and not re-sent.
        #expect(loop.peers[carol].sentFrames(.applicationMessage).count == 1)
        #expect(try loop.logFrames().count == 3)
        #expect(loop.peers[alice].delivered.isEmpty)
        #expect(loop.peers[bob].delivered.isEmpty)
    }

    @Test func theQueueIsBounded() throws {
        var loop = Loopback(seed: 9)
        let alice = try loop.creator("alice", limits: RoomClientLimits(maximumQueued: 2))
        loop.send(alice, "one")
        loop.send(alice, "two")
        #expect(loop.peers[alice].events.isEmpty)
        loop.send(alice, "three")
        let rejections = loop.peers[alice].rejections
        #expect(rejections.map(\.code) == [.overLimit])
        #expect(rejections.first?.messageID == 0)
        #expect(loop.peers[alice].client.backlog == (2, 1))
        #expect(loop.peers[alice].sent.isEmpty)

        // What was queued goes out once connected; what was refused does not.
        loop.connect(alice)
        loop.run()
        let texts = try loop.logFrames().map { $0?.header.opcode }
        #expect(texts == [.createRoom, .applicationMessage, .applicationMessage])
        #expect(loop.peers[alice].client.backlog == (0, 0))
    }

    @Test func framesInFlightAreBounded() throws {
        var loop = try Loopback.room(["alice", "bob"], seed: 10, creatorLimits: RoomClientLimits(maximumInFlight: 1))
        let (alice, bob) = (0, 1)
        for text in ["one", "two", "three"] { loop.send(alice, text) }
        // One frame out, the rest waiting for its acknowledgement.
        #expect(loop.peers[alice].client.backlog == (2, 1))
        #expect(loop.wire.count == 1)
        loop.run()
        #expect(loop.peers[bob].texts == ["one", "two", "three"])
        #expect(loop.peers[bob].delivered.map(\.sequence) == [3, 4, 5].map(LogSequence.init))
        #expect(loop.peers[alice].client.backlog == (0, 0))
    }
}
