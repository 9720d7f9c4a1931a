import KalandraCore
import KalandraMLS
import KalandraSequencer
import KalandraWire
import NIOCore
import Testing

@testable import KalandraClient

/// Invitations, Welcomes, and two members racing for one epoch.
@Suite struct MembershipTests {
    /// Everyone in `peers` is synchronized in `epoch` with one tree and one exporter secret.
    static func expectAgreement(_ loop: Loopback, _ peers: [Int], epoch: Epoch) throws {
        let first = loop.peers[peers[0]]
        for index in peers {
            #expect(loop.peers[index].state == .synchronized(epoch), "peer \(index)")
            #expect(try loop.peers[index].group.tree.treeHash == first.group.tree.treeHash, "peer \(index)")
            #expect(try loop.peers[index].exported() == first.exported(), "peer \(index)")
        }
        #expect(loop.sequencer?.epoch == epoch)
        #expect(try loop.sequencer?.group.treeHash == first.group.tree.treeHash)
    }

    @Test func twoInviteesJoinOneByTheLiveWelcomeOneFromTheMailbox() throws {
        var loop = Loopback(seed: 20)
        let alice = try loop.creator("alice")
        loop.connect(alice)
        let (bob, bobPackage) = try loop.invitee("bob")
        let (carol, carolPackage) = try loop.invitee("carol")
        // Bob is online when the commit is admitted; Carol publishes her KeyPackage only afterwards.
        loop.connect(bob)
        loop.run()
        loop.handle(alice, .add([bobPackage, carolPackage]))
        loop.run()
        #expect(loop.peers[bob].joins == [Epoch(1)])
        #expect(loop.peers[carol].joins.isEmpty)
        #expect(loop.peers[carol].state == .disconnected)

        loop.connect(carol)
        loop.run()
        #expect(loop.peers[carol].joins == [Epoch(1)])
        #expect(loop.peers[carol].client.lastSeen == LogSequence(2))
        #expect(loop.peers[alice].epochChanges == [Epoch(1)])
        #expect(loop.peers.map(\.client.lastSeen) == Array(repeating: LogSequence(2), count: 3))
        try Self.expectAgreement(loop, [alice, bob, carol], epoch: Epoch(1))
        #expect(try loop.peers[alice].group.memberCount == 3)

        // The mailbox Welcome carries no chain hash; Carol takes the next entry as given and follows the chain
        // from there, like the others.
        loop.send(bob, "hello")
        loop.run()
        #expect(loop.peers[carol].texts == ["hello"])
        #expect(loop.peers[carol].client.lastChainHash == loop.sequencer?.chainHash)
        #expect(loop.peers[alice].client.lastChainHash == loop.sequencer?.chainHash)
        #expect(loop.peers.allSatisfy { $0.forks.isEmpty && $0.rejections.isEmpty })
    }

    @Test(arguments: [false, true])
    func theLoserOfACommitRaceReissuesItsAdd(refusalFirst: Bool) throws {
        var loop = try Loopback.room(["alice", "bob"], seed: refusalFirst ? 22 : 21)
        let (alice, bob) = (0, 1)
        let (carol, carolPackage) = try loop.invitee("carol")
        loop.connect(carol)
        loop.run()

        // Both commit in epoch 1; Alice's frame reaches the server first.
        loop.handle(alice, .commitPending)
        loop.handle(bob, .add([carolPackage]))
        loop.send(bob, "queued behind my commit")
        #expect(loop.peers[bob].client.backlog == (1, 1))
        #expect(loop.peers[bob].state == .pendingCommit(target: Epoch(2)))
        loop.step()
        loop.step()
        #expect(loop.sequencer?.epoch == Epoch(2))
        #expect(loop.sequencer?.lastSequence == LogSequence(3))
        if refusalFirst {
            // Bob hears "stale" before he sees Alice's commit in the log.
            try loop.moveToFront { $0.peer == bob && $0.opcode == .error }
        }
        loop.run()

        let log = try loop.logFrames()
        #expect(log.map { $0?.header.opcode } == [.createRoom, .commit, .commit, .commit, .applicationMessage])
        #expect(
            log.map { $0?.header.senderID }
                == [alice, alice, alice, bob, bob].map { loop.peers[$0].client.identity.senderID }
        )
        // Bob's re-issued commit was made in the epoch Alice's commit opened.
        #expect(log.map { $0?.header.epoch } == [0, 0, 1, 2, 3].map(Epoch.init))
        #expect(loop.peers[carol].joins == [Epoch(3)])
        #expect(loop.peers[bob].epochChanges == [Epoch(2), Epoch(3)])
        // The epoch refusal is handled, not reported.
        #expect(loop.peers[bob].rejections.isEmpty)
        try Self.expectAgreement(loop, [alice, bob, carol], epoch: Epoch(3))

        // The message Bob queued while his commit was pending is sealed in the epoch his commit made.
        let expected = DeliveredMessage(
            sequence: LogSequence(5),
            epoch: Epoch(3),
            senderLeaf: 1,
            senderCredential: loop.peers[bob].credential,
            plaintext: Array("queued behind my commit".utf8)
        )
        #expect(loop.peers[alice].delivered == [expected])
        #expect(loop.peers[carol].delivered == [expected])
        #expect(loop.peers[bob].delivered.isEmpty)
        #expect(loop.peers.map(\.client.backlog.queued) == [0, 0, 0])
        #expect(loop.peers.map(\.client.backlog.inFlight) == [0, 0, 0])
    }

    @Test func aRemoveOfSomeoneAlreadyGoneIsDropped() throws {
        var loop = try Loopback.room(["alice", "bob", "carol"], seed: 23)
        let (alice, bob, carol) = (0, 1, 2)
        // Both remove Carol; Alice's commit wins, and Bob's re-issued intent has nothing left to do.
        loop.handle(alice, .remove([loop.peers[carol].credential]))
        loop.handle(bob, .remove([loop.peers[carol].credential]))
        loop.run()
        #expect(loop.peers[carol].departures == [LogSequence(3)])
        #expect(try loop.logFrames().map { $0?.header.opcode } == [.createRoom, .commit, .commit])
        #expect(loop.peers[bob].client.backlog == (0, 0))
        #expect(loop.peers[bob].rejections.isEmpty)
        try Self.expectAgreement(loop, [alice, bob], epoch: Epoch(2))
    }

    /// The sequencer forgets a removed member's message IDs, so the same identity invited again starts from 1.
    @Test func aMemberRemovedAndInvitedAgainSendsAgain() throws {
        var loop = try Loopback.room(["alice", "bob"], seed: 27)
        let (alice, bob) = (0, 1)
        loop.send(bob, "before")
        loop.run()
        loop.handle(alice, .remove([loop.peers[bob].credential]))
        loop.run()
        #expect(loop.peers[bob].state == .left)
        let keyPackage = try loop.reinvite(bob)
        loop.connect(bob)
        loop.handle(alice, .add([keyPackage]))
        loop.run()
        loop.send(bob, "after")
        loop.run()
        #expect(loop.peers[bob].rejections.isEmpty)
        #expect(loop.peers[alice].texts == ["before", "after"])
        #expect(loop.peers[bob].client.backlog == (0, 0))
    }

    @Test func anUpdateProposalIsCoveredByTheNextCommit() throws {
        var loop = try Loopback.room(["alice", "bob", "carol"], seed: 24)
        let (alice, bob, carol) = (0, 1, 2)
        let bobLeafBefore = try #require(try loop.peers[alice].group.tree.leafNode(at: loop.peers[bob].group.ownLeaf))
        loop.handle(bob, .proposeUpdate)
        // A proposal is no commit: Bob stays synchronized and keeps sending.
        #expect(loop.peers[bob].state == .synchronized(Epoch(1)))
        loop.run()
        loop.handle(alice, .commitPending)
        loop.run()

        #expect(try loop.logFrames().map { $0?.header.opcode } == [.createRoom, .commit, .proposal, .commit])
        try Self.expectAgreement(loop, [alice, bob, carol], epoch: Epoch(2))
        // Bob's leaf now holds the key of his Update, which only he can use: he follows the new epoch.
        let bobLeafAfter = try #require(try loop.peers[carol].group.tree.leafNode(at: loop.peers[bob].group.ownLeaf))
        #expect(bobLeafAfter.encryptionKey != bobLeafBefore.encryptionKey)
        loop.send(bob, "updated")
        loop.run()
        #expect(loop.peers[alice].texts == ["updated"])
        #expect(loop.peers[alice].delivered.first?.epoch == Epoch(2))
    }

    @Test func aCommitTheGroupCannotMakeIsReportedAndTheQueueMovesOn() throws {
        var loop = try Loopback.room(["alice", "bob"], seed: 25)
        let (alice, bob) = (0, 1)
        let (_, package) = try loop.invitee("carol")
        // The same KeyPackage twice is not a valid proposal list (RFC 9420 §12.2).
        loop.handle(alice, .add([package, package]))
        loop.send(alice, "still here")
        #expect(loop.peers[alice].rejections.map(\.code) == [.malformed])
        #expect(loop.peers[alice].state == .synchronized(Epoch(1)))
        loop.run()
        #expect(loop.peers[bob].texts == ["still here"])
        #expect(try loop.logFrames().map { $0?.header.opcode } == [.createRoom, .commit, .applicationMessage])
    }

    @Test func aCommitTheServerRefusesIsDiscardedAndReported() throws {
        // The same seed gives the same frames: measure the commit, then run again with a server that takes less.
        func run(_ limits: SequencerLimits) throws -> Loopback {
            var loop = Loopback(seed: 26, sequencerLimits: limits)
            let alice = try loop.creator("alice")
            loop.connect(alice)
            let (bob, package) = try loop.invitee("bob")
            loop.connect(bob)
            loop.run()
            loop.handle(alice, .add([package]))
            loop.send(alice, "after the add")
            loop.run()
            return loop
        }
        let measured = try run(.default)
        let commit = try #require(measured.peers[0].sentFrames(.commit).first).payload.readableBytes
        let create = try #require(measured.peers[0].sentFrames(.createRoom).first).payload.readableBytes
        try #require(create < commit)

        let loop = try run(SequencerLimits(maximumPayloadBytes: commit - 1))
        #expect(loop.peers[0].rejections.map(\.code) == [.tooLarge])
        // The pending commit is dropped: the group stays in its epoch and the queue moves on.
        #expect(loop.peers[0].state == .synchronized(Epoch(0)))
        #expect(loop.peers[0].client.backlog == (0, 0))
        #expect(try loop.logFrames().map { $0?.header.opcode } == [.createRoom, .applicationMessage])
        #expect(loop.peers[1].state == .pendingWelcome)
    }
}
