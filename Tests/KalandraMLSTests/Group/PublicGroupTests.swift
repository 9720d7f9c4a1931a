import KalandraCore
import KalandraCrypto
import KalandraMLSTesting
import Testing

@testable import KalandraMLS

/// `PublicGroup`, the delivery service's view: it follows real groups through their handshakes and agrees with the
/// members on epoch, tree hash and membership; it refuses what a server must refuse.
@Suite struct PublicGroupTests {
    /// An observer of `client`'s group, started from its GroupInfo with the tree out of band.
    static func observer(of client: TestClient) throws -> PublicGroup {
        let group = try #require(client.group)
        return try PublicGroup(groupInfo: group.groupInfo(), ratchetTree: group.tree.ratchetTree)
    }

    static func expectAgreement(
        _ observer: PublicGroup,
        _ client: TestClient,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(observer.epoch == client.group?.epoch, sourceLocation: sourceLocation)
        #expect(observer.treeHash == client.group?.tree.treeHash, sourceLocation: sourceLocation)
        #expect(observer.memberLeaves == client.group?.memberLeaves, sourceLocation: sourceLocation)
        #expect(observer.context == client.group?.context, sourceLocation: sourceLocation)
    }

    /// Processes and merges a commit at the observer, through the wire encoding.
    static func follow(_ observer: inout PublicGroup, _ message: MLSMessage) throws -> PublicStagedCommit {
        guard case .commit(let staged) = try observer.process(MLSMessage.decode(message.encoded())) else {
            throw MLSError(.invalidValue("not a commit"))
        }
        try observer.merge(staged)
        return staged
    }

    /// Expects `body` to throw an `MLSError` of `kind`, whatever its context.
    static func expectError(
        _ kind: MLSError.Kind,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        #expect(sourceLocation: sourceLocation) { try body() } throws: { ($0 as? MLSError)?.kind == kind }
    }

    @Test func followsAddsPathsProposalsByReferenceRemovesAndExternalJoins() throws {
        var (clients, generator) = try TestClient.group(["alice", "bob"], seed: 11)
        var observer = try Self.observer(of: clients[0])
        Self.expectAgreement(observer, clients[0])

        // Alice adds Carol by value.
        var carol = TestClient("carol", provider: clients[0].provider, using: &generator)
        var output = try clients[0].group!.commit(
            CommitOptions(proposals: [.add(AddProposal(keyPackage: try carol.keyPackage(using: &generator)))]),
            using: &generator
        )
        var staged = try Self.follow(&observer, output.commit)
        #expect(staged.addedMembers == [LeafIndex(rawValue: 2)!])
        #expect(staged.committerLeaf == LeafIndex(rawValue: 0)!)
        try clients[0].group!.confirmPendingCommit()
        try clients[1].receive(output.commit)
        try carol.join(try #require(output.welcome))
        clients.append(carol)
        Self.expectAgreement(observer, clients[2])

        // Bob proposes an Update, Carol proposes removing Alice; Bob commits both by reference with a path.
        let update = try clients[1].group!.proposeUpdate(using: &generator)
        let remove = try clients[2].group!.propose(
            .remove(RemoveProposal(removed: LeafIndex(rawValue: 0)!)),
            using: &generator
        )
        for proposal in [update, remove] {
            guard case .proposal = try observer.process(MLSMessage.decode(proposal.encoded())) else {
                Issue.record("not taken as a proposal")
                return
            }
            for index in clients.indices { _ = try? clients[index].receive(proposal) }
        }
        #expect(observer.pendingProposalCount == 2)
        output = try clients[2].group!.commit(CommitOptions(), using: &generator)
        staged = try Self.follow(&observer, output.commit)
        #expect(staged.removedMembers == [LeafIndex(rawValue: 0)!])
        #expect(observer.pendingProposalCount == 0)
        try clients[2].group!.confirmPendingCommit()
        try clients[1].receive(output.commit)
        Self.expectAgreement(observer, clients[1])
        Self.expectAgreement(observer, clients[2])
        #expect(observer.memberLeaves == [LeafIndex(rawValue: 1)!, LeafIndex(rawValue: 2)!])

        // Dave joins by an external commit from the GroupInfo.
        let dave = TestClient("dave", provider: clients[0].provider, using: &generator)
        let (daveLeaf, _) = try dave.leafNode(using: &generator)
        let join = try MLSGroup.joinByExternalCommit(
            groupInfo: clients[1].group!.groupInfo(),
            ratchetTree: clients[1].group!.tree.ratchetTree,
            leafNode: daveLeaf,
            signaturePrivateKey: dave.signatureKeys.privateKey,
            using: &generator
        )
        staged = try Self.follow(&observer, join.commit)
        #expect(staged.sender == .newMemberCommit)
        try clients[1].receive(join.commit)
        #expect(observer.epoch == join.group.epoch)
        #expect(observer.treeHash == join.group.tree.treeHash)
        Self.expectAgreement(observer, clients[1])
    }

    @Test func aCompetingCommitOfTheSameEpochIsStaleOnceTheFirstIsMerged() throws {
        var (clients, generator) = try TestClient.group(["alice", "bob", "carol"], seed: 12)
        var observer = try Self.observer(of: clients[0])
        let first = try clients[1].group!.commit(CommitOptions(), using: &generator)
        let second = try clients[2].group!.commit(CommitOptions(), using: &generator)
        // Both are valid for epoch 1; the first one merged wins.
        guard case .commit = try observer.process(second.commit) else { Issue.record("second not staged"); return }
        _ = try Self.follow(&observer, first.commit)
        Self.expectError(.staleHandshake) { _ = try observer.process(second.commit) }
        #expect(observer.epoch == 2)
    }

    @Test func refusesForgedSignaturesNonMembersAndPrivateMessages() throws {
        var (clients, generator) = try TestClient.group(["alice", "bob"], seed: 13)
        var observer = try Self.observer(of: clients[0])
        let output = try clients[1].group!.commit(CommitOptions(), using: &generator)
        guard case .publicMessage(let message) = output.commit.body else {
            Issue.record("commit not a PublicMessage")
            return
        }
        var auth = message.auth
        auth.signature[0] ^= 1
        let forged = try PublicMessage(content: message.content, auth: auth, membershipTag: message.membershipTag)
        Self.expectError(.signatureInvalid) { _ = try observer.process(MLSMessage(.publicMessage(forged))) }
        // Claiming a blank leaf.
        var content = message.content
        content.sender = .member(LeafIndex(rawValue: 5)!)
        let impostor = try PublicMessage(content: content, auth: message.auth, membershipTag: message.membershipTag)
        Self.expectError(.senderNotMember) { _ = try observer.process(MLSMessage(.publicMessage(impostor))) }
        // A PrivateMessage cannot be followed.
        let application = try clients[0].group!.encrypt([1, 2, 3], using: &generator)
        #expect(throws: MLSError.self) { _ = try observer.process(application) }
        // Nothing was taken.
        #expect(observer.epoch == 1)
        #expect(observer.pendingProposalCount == 0)
        _ = try Self.follow(&observer, output.commit)
        #expect(observer.epoch == 2)
    }

    @Test func refusesAGroupInfoWhoseTreeWasChanged() throws {
        // The tree travels out of band (a GroupInfo with the extension ignores the argument).
        var (clients, generator) = try TestClient.group(
            ["alice"],
            seed: 14,
            configuration: GroupConfiguration(ratchetTreeInWelcome: false)
        )
        let group = try #require(clients[0].group)
        #expect(try PublicGroup(groupInfo: group.groupInfo(), ratchetTree: group.tree.ratchetTree).epoch == 0)
        // Swap in another tree: Carol's group, whose hash the GroupInfo does not carry.
        var other = TestClient("carol", provider: clients[0].provider, using: &generator)
        try other.createGroup("other", using: &generator)
        let nodes = other.group!.tree.ratchetTree.nodes
        #expect(throws: MLSError.self) {
            _ = try PublicGroup(groupInfo: group.groupInfo(), ratchetTree: RatchetTree(nodes: nodes))
        }
        var groupInfo = try group.groupInfo()
        groupInfo.signature[3] ^= 0x40
        Self.expectError(.signatureInvalid) {
            _ = try PublicGroup(groupInfo: groupInfo, ratchetTree: group.tree.ratchetTree)
        }
    }
}
