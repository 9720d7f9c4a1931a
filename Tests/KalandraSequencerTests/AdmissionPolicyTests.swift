import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraMLSTesting
import KalandraWire
import NIOCore
import Testing

@testable import KalandraSequencer

/// Who may change a room, and what a commit may carry: only members propose and commit, a Welcome travels only for
/// the members its commit adds, and an oversized credential is refused rather than stored.
@Suite struct AdmissionPolicyTests {
    @Test func aNewMembersOwnAddProposalIsRefused() throws {
        var room = try Room(["alice", "bob"], seed: 81)
        var outsider = TestClient("mallory", provider: room.members[0].client.provider, using: &room.generator)
        let keyPackage = try outsider.keyPackage(using: &room.generator)
        let proposal = try MLSGroup.newMemberAddProposal(
            keyPackage: keyPackage,
            groupID: room.members[0].group.groupID,
            epoch: room.members[0].group.epoch,
            signaturePrivateKey: outsider.signatureKeys.privateKey,
            provider: outsider.provider
        )
        let signingKey = try SenderKeyEpoch.signingKey(for: outsider.signatureKeys.privateKey)
        let frame = try room.members[0].frame(
            .proposal,
            payload: HandshakePayload(message: proposal.encoded()).cbor,
            messageID: 1,
            senderID: SenderID(signatureKey: outsider.signatureKeys.publicKey.bytes),
            key: signingKey
        )
        #expect(try room.refusal(frame).code == .notAMember)
        #expect(room.sequencer.group.pendingProposalCount == 0)
        #expect(room.sequencer.lastSequence == LogSequence(1))
    }

    @Test func aWelcomeMustBeForTheMembersTheCommitAdds() throws {
        var room = try Room(["alice", "bob"], seed: 82)
        var carol = TestClient("carol", provider: room.members[0].client.provider, using: &room.generator)
        var dave = TestClient("dave", provider: room.members[0].client.provider, using: &room.generator)
        let carolPackage = try carol.keyPackage(using: &room.generator)
        let davePackage = try dave.keyPackage(using: &room.generator)
        // Bob makes a commit adding Dave, only to take its Welcome; Alice's commit adds Carol.
        var bobGroup = room.members[1].group
        let forDave = try bobGroup.commit(
            CommitOptions(proposals: [.add(AddProposal(keyPackage: davePackage))]),
            using: &room.generator
        )
        let output = try room.members[0].client.group!.commit(
            CommitOptions(proposals: [.add(AddProposal(keyPackage: carolPackage))]),
            using: &room.generator
        )
        let mismatched = try room.members[0].handshake(.commit, output.commit, welcome: forDave.welcome)
        let refusal = try room.refusal(mismatched)
        #expect(refusal.code == .malformed)
        #expect(refusal.detail.contains("Welcome"))
        #expect(room.sequencer.epoch == Epoch(1))
        // The same commit with its own Welcome goes in.
        let matching = try room.members[0].handshake(.commit, output.commit, welcome: output.welcome)
        #expect(try room.shell.send(matching).acceptedSequence == LogSequence(2))
    }

    @Test func anOversizedCredentialIsRefusedNotStored() throws {
        let longName = String(repeating: "b", count: StoredEntry.maximumAuthorBytes + 1)
        var room = try Room(["alice", longName], seed: 83)
        let (_, actions) = try room.send("hello", from: 1)
        #expect(try actions.rejection().code == .tooLarge)
        #expect(room.sequencer.lastSequence == LogSequence(1))
        // A member with an ordinary credential is not affected.
        #expect(try room.send("hi", from: 0).actions.acceptedSequence == LogSequence(2))
    }
}
