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

/// Proposals and commits, followed through the real MLS engine: one commit per epoch, proposals in arrival order.
@Suite struct HandshakeTests {
    @Test func exactlyOneCommitWinsAnEpoch() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 10)
        #expect(room.sequencer.epoch == Epoch(1))
        // Bob and Carol commit concurrently in epoch 1; Bob's reaches the sequencer first.
        let bobOutput = try room.members[1].client.group!.commit(CommitOptions(forcePath: true), using: &room.generator)
        let carolOutput = try room.members[2].client.group!.commit(
            CommitOptions(forcePath: true),
            using: &room.generator
        )
        let bobFrame = try room.members[1].handshake(.commit, bobOutput.commit)
        let carolFrame = try room.members[2].handshake(.commit, carolOutput.commit)
        #expect(bobFrame.header.epoch == Epoch(1))
        #expect(carolFrame.header.epoch == Epoch(1))

        let bobActions = try room.shell.send(bobFrame, from: ClientOrigin(1))
        #expect(bobActions.kinds == ["persist", "reply.accepted", "broadcast"])
        #expect(bobActions.acceptedSequence == LogSequence(2))
        #expect(room.sequencer.epoch == Epoch(2))

        let carolActions = try room.shell.send(carolFrame, from: ClientOrigin(2))
        let rejection = try carolActions.rejection()
        #expect(rejection.code == .staleEpoch)
        #expect(rejection.currentEpoch == Epoch(2))
        #expect(rejection.messageID == carolFrame.header.messageID)
        #expect(carolActions.replies.first?.origin == ClientOrigin(2))
        #expect(room.sequencer.lastSequence == LogSequence(2))

        // Everyone merges the winner (Carol drops her own); the sequencer's tree is the members' tree.
        try room.merge(bobOutput.commit, committer: 1)
        for member in room.members {
            #expect(member.epoch == Epoch(2))
            #expect(member.group.context.treeHash == room.sequencer.group.treeHash)
        }
    }

    @Test func aCommitWithAWelcomeReachesTheAddedMemberAfterDurability() throws {
        var room = try Room(["alice", "bob"], seed: 11)
        var dave = TestClient("dave", provider: room.members[0].group.provider, using: &room.generator)
        let keyPackage = try dave.keyPackage(using: &room.generator)
        let reference = keyPackage.reference(provider: dave.provider).bytes
        let output = try room.members[0].client.group!.commit(
            CommitOptions(proposals: [.add(AddProposal(keyPackage: keyPackage))]),
            using: &room.generator
        )
        let welcome = try #require(output.welcome)
        let frame = try room.members[0].handshake(.commit, output.commit, welcome: welcome)

        // Before durability: the commit and the Welcome mailbox record are persisted together, nothing is sent.
        let admitted = room.shell.handle(.frame(frame, origin: ClientOrigin(0)))
        #expect(admitted.kinds == ["persist"])
        let persisted = try #require(admitted.first?.persisted)
        #expect(try appends(in: persisted.batch).map(\.sequence) == [LogSequence(2)])
        let records = stateRecords(in: persisted.batch)
        #expect(records.count == 2)
        let mailbox = try #require(records[RoomSequencer.welcomeKey(room: Room.id, sequence: LogSequence(2))])
        let entry = try #require(try appends(in: persisted.batch).first?.entry)
        #expect(
            try WelcomeRecord(decoding: mailbox)
                == WelcomeRecord(
                    room: Room.id,
                    sequence: LogSequence(2),
                    chainHash: entry.chainHash,
                    welcome: welcome.encoded()
                )
        )
        #expect(records[RoomSequencer.invitationKey(room: Room.id, keyPackage: reference)] == [0, 0, 0, 0, 0, 0, 0, 2])

        let durable = try room.shell.carryOut(admitted)
        #expect(durable.kinds == ["reply.accepted", "broadcast", "sendWelcome"])
        let sent = try #require(durable.last?.welcomed)
        #expect(sent.keyPackages == [reference])
        #expect(sent.frame.header.opcode == .welcome)
        #expect(sent.frame.header.sequence == LogSequence(2))
        try sent.frame.verifySignature(with: Room.serverKey.verifyingKey)
        let sentPayload = try WelcomePayload(decoding: sent.frame)
        let welcomeBytes = sentPayload.welcome
        #expect(welcomeBytes == welcome.encoded())
        // The joiner checks the log from the chain hash at the commit.
        #expect(
            sentPayload.chainHash
                == (try AcceptedPayload(decoding: try #require(durable.first?.replied).frame)).chainHash
        )

        // Dave joins from what the sequencer sent and can speak in the room.
        try room.merge(output.commit, committer: 0)
        try dave.join(Welcome.decode(welcomeBytes))
        room.members.append(try Member(dave))
        #expect(room.members[2].group.context.treeHash == room.sequencer.group.treeHash)
        #expect(room.sequencer.group.memberLeaves.count == 3)
        let (_, actions) = try room.send("hello from dave", from: 2)
        #expect(actions.acceptedSequence == LogSequence(3))
    }

    @Test func proposalsAreAdmittedInOrderAndCommittedByReference() throws {
        var room = try Room(["alice", "bob", "carol", "dave", "erin", "frank"], seed: 12)
        for index in 1...5 {
            let (frame, actions) = try room.proposeUpdate(from: index)
            #expect(actions.kinds == ["persist", "reply.accepted", "broadcast"])
            #expect(actions.acceptedSequence == LogSequence(UInt64(index) + 1))
            #expect(try DeliverPayload(decoding: try #require(actions.broadcasts.first)).frame == bytes(of: frame))
            #expect(room.sequencer.group.pendingProposalCount == index)
            #expect(room.sequencer.epoch == Epoch(1))
        }
        // Alice covers all five by reference (her commit carries no proposal by value).
        let output = try room.members[0].client.group!.commit(
            CommitOptions(includePendingProposals: true),
            using: &room.generator
        )
        let frame = try room.members[0].handshake(.commit, output.commit)
        let actions = try room.shell.send(frame, from: ClientOrigin(0))
        #expect(actions.acceptedSequence == LogSequence(7))
        #expect(room.sequencer.epoch == Epoch(2))
        #expect(room.sequencer.group.pendingProposalCount == 0)
        try room.members[0].client.group!.confirmPendingCommit()
        for index in 1...5 {
            let processed = try room.members[index].client.receive(output.commit)
            guard case .commit = processed.content else {
                Issue.record("member \(index) did not read a commit")
                continue
            }
            #expect(room.members[index].epoch == Epoch(2))
            #expect(room.members[index].group.context.treeHash == room.sequencer.group.treeHash)
        }
        #expect(room.members[0].group.context.treeHash == room.sequencer.group.treeHash)
    }

    /// What a delivery service can check of a handshake, each refused with its code; the room stays as it was.
    @Test func handshakesThatBreakTheRulesAreRefused() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 13)
        let proposal = try room.members[1].client.group!.proposeUpdate(using: &room.generator)
        let proposalBytes = proposal.encoded()

        // A proposal in a commit frame, and a Welcome riding with a proposal.
        let asCommit = try room.members[1].handshake(.commit, proposal)
        #expect(try room.refusal(asCommit).code == .malformed)
        let withWelcome = try room.members[1].frame(
            .proposal,
            payload: HandshakePayload(message: proposalBytes, welcome: [1, 2, 3]).cbor,
            messageID: 101
        )
        #expect(try room.refusal(withWelcome).code == .malformed)
        // Not an MLSMessage; a payload map with a foreign key.
        let notMLS = try room.members[1].frame(
            .proposal,
            payload: HandshakePayload(message: [0, 1, 0, 9]).cbor,
            messageID: 102
        )
        #expect(try room.refusal(notMLS).code == .malformed)
        let foreignKey = try room.members[1].frame(
            .proposal,
            payload: .map([.init(key: 0, value: .byteString(proposalBytes)), .init(key: 7, value: 0)]),
            messageID: 103
        )
        #expect(try room.refusal(foreignKey).code == .malformed)
        // Carol signs the frame of Bob's proposal: the frame's signer must be the MLS sender.
        let carolCarriesBobs = try room.members[2].handshake(.proposal, proposal)
        #expect(try room.refusal(carolCarriesBobs).code == .senderMismatch)
        let carolAsBob = try room.members[2].frame(
            .proposal,
            payload: HandshakePayload(message: proposalBytes).cbor,
            messageID: 99,
            senderID: room.members[1].senderID
        )
        #expect(try room.refusal(carolAsBob).code == .badSignature)
        // A proposal whose MLS signature is broken (the frame signature is Bob's and valid).
        var tampered = proposalBytes
        tampered[tampered.count - 40] ^= 0x01
        let badMLS = try room.members[1].frame(
            .proposal,
            payload: HandshakePayload(message: tampered).cbor,
            messageID: 104
        )
        #expect(try room.refusal(badMLS).code == .invalidHandshake)
        // A Welcome that does not decode travels with a commit.
        let output = try room.members[2].client.group!.commit(CommitOptions(forcePath: true), using: &room.generator)
        let badWelcome = try room.members[2].frame(
            .commit,
            payload: HandshakePayload(message: output.commit.encoded(), welcome: [0xFF]).cbor,
            messageID: 105
        )
        #expect(try room.refusal(badWelcome).code == .malformed)
        room.members[2].client.group!.discardPendingCommit()

        // Bob's proposal never reached the sequencer, yet Carol received it and covers it by reference.
        try room.members[2].client.receive(proposal)
        let unknownReference = try room.members[2].client.group!.commit(CommitOptions(), using: &room.generator)
        let unknownFrame = try room.members[2].handshake(.commit, unknownReference.commit)
        #expect(try room.refusal(unknownFrame).code == .invalidHandshake)
        room.members[2].client.group!.discardPendingCommit()

        // The proposal itself is still admissible.
        let admitted = try room.members[1].handshake(.proposal, proposal)
        #expect(try room.shell.send(admitted).acceptedSequence == LogSequence(2))
    }

    @Test func aHandshakeOfAnotherEpochOrGroupIsRefused() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 14)
        // Bob keeps a proposal made in epoch 1 and sends it after the epoch moved, under a current header.
        let oldProposal = try room.members[1].client.group!.proposeUpdate(using: &room.generator)
        let (_, _, actions) = try room.commit(by: 0, CommitOptions(includePendingProposals: false, forcePath: true))
        #expect(actions.acceptedSequence == LogSequence(2))
        let stale = try room.members[1].handshake(.proposal, oldProposal)
        #expect(stale.header.epoch == Epoch(2))
        #expect(try room.shell.send(stale).rejection().code == .malformed)

        // A member of another group, at a leaf this room does not have, in the same epoch number.
        let (others, _) = try TestClient.group(["u0", "u1", "u2", "u3", "u4", "u5"], seed: 15)
        var outsider = try Member(others[5])
        var generator = DeterministicGenerator(seed: 16)
        _ = try room.commit(by: 0, CommitOptions(forcePath: true))
        #expect(room.sequencer.epoch == Epoch(3))
        // Bring the outsider's group to epoch 3 as well: the sender index, not the epoch, is what is wrong.
        for _ in 0..<2 {
            _ = try outsider.client.group!.commit(CommitOptions(forcePath: true), using: &generator)
            try outsider.client.group!.confirmPendingCommit()
        }
        #expect(outsider.epoch == Epoch(3))
        let foreign = try outsider.client.group!.proposeUpdate(using: &generator)
        let foreignFrame = try outsider.handshake(.proposal, foreign)
        #expect(try room.shell.send(foreignFrame).rejection().code == .notAMember)

        // A PrivateMessage handshake cannot be followed by the sequencer.
        var privateConfiguration = GroupConfiguration()
        privateConfiguration.handshakeWireFormat = .privateMessage
        let (privateClients, _) = try TestClient.group(["p0", "p1"], seed: 17, configuration: privateConfiguration)
        var privateMember = try Member(privateClients[0])
        var privateGenerator = DeterministicGenerator(seed: 18)
        for _ in 0..<2 {
            _ = try privateMember.client.group!.commit(CommitOptions(forcePath: true), using: &privateGenerator)
            try privateMember.client.group!.confirmPendingCommit()
        }
        let privateProposal = try privateMember.client.group!.proposeUpdate(using: &privateGenerator)
        guard case .privateMessage = privateProposal.body else {
            Issue.record("expected a PrivateMessage")
            return
        }
        let privateFrame = try privateMember.handshake(.proposal, privateProposal)
        #expect(privateFrame.header.epoch == room.sequencer.epoch)
        #expect(try room.shell.send(privateFrame).rejection().code == .malformed)
        #expect(room.sequencer.lastSequence == LogSequence(3))
    }
}
