import KalandraCore
import KalandraCrypto
import KalandraMLSTesting
import Testing

@testable import KalandraMLS

/// The group engine end to end among clients of our own: create, add, join, commit, remove, application messages,
/// external commits and external proposals, with every member agreeing on the epoch's secrets.
@Suite struct GroupLifecycleTests {
    /// Every active member's group is in the same epoch with the same authenticator, exporter and tree hash.
    static func expectAgreement(_ clients: [TestClient], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let groups = clients.compactMap(\.group)
        guard let first = groups.first else { return }
        for group in groups.dropFirst() {
            #expect(group.epoch == first.epoch, sourceLocation: sourceLocation)
            #expect(
                group.epochAuthenticator.testBytes == first.epochAuthenticator.testBytes,
                sourceLocation: sourceLocation
            )
            #expect(group.tree.treeHash == first.tree.treeHash, sourceLocation: sourceLocation)
            #expect(
                try group.exporter(label: "test", context: [1], length: 32).testBytes
                    == first.exporter(label: "test", context: [1], length: 32).testBytes,
                sourceLocation: sourceLocation
            )
        }
    }

    @Test(arguments: [GroupConfiguration.HandshakeWireFormat.publicMessage, .privateMessage])
    func threeMembersThroughAddsCommitsAndRemoves(_ format: GroupConfiguration.HandshakeWireFormat) throws {
        var generator = DeterministicGenerator(seed: 1)
        let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        let configuration = GroupConfiguration(handshakeWireFormat: format)
        var alice = TestClient("alice", provider: provider, using: &generator)
        var bob = TestClient("bob", provider: provider, using: &generator)
        var carol = TestClient("carol", provider: provider, using: &generator)
        try alice.createGroup("room", configuration: configuration, using: &generator)

        // Alice adds Bob and Carol in one commit without a path.
        let bobPackage = try bob.keyPackage(using: &generator)
        let carolPackage = try carol.keyPackage(using: &generator)
        var output = try alice.group!.commit(
            CommitOptions(proposals: [
                .add(AddProposal(keyPackage: bobPackage)), .add(AddProposal(keyPackage: carolPackage)),
            ]),
            using: &generator
        )
        #expect(alice.group!.epoch == 0)
        try alice.group!.confirmPendingCommit()
        #expect(alice.group!.epoch == 1)
        let welcome = try #require(output.welcome)
        try bob.join(welcome, configuration: configuration)
        try carol.join(welcome, configuration: configuration)
        try Self.expectAgreement([alice, bob, carol])
        #expect(bob.group!.memberCount == 3)

        // Bob commits with a path; the others process it.
        output = try bob.group!.commit(CommitOptions(), using: &generator)
        try bob.group!.confirmPendingCommit()
        try alice.receive(output.commit)
        try carol.receive(output.commit)
        try Self.expectAgreement([alice, bob, carol])

        // Application messages both ways.
        let hello = try carol.group!.encrypt(Array("hello".utf8), using: &generator)
        let received = try alice.receive(hello)
        guard case .application(let data) = received.content else { Issue.record("not application"); return }
        #expect(data == Array("hello".utf8))
        #expect(received.sender == .member(carol.group!.ownLeaf))
        guard case .application(let atBob) = try bob.receive(hello).content else {
            Issue.record("not application"); return
        }
        #expect(atBob == Array("hello".utf8))

        // Alice proposes Bob's removal; Carol commits it by reference.
        let proposal = try alice.group!.propose(.remove(RemoveProposal(removed: bob.group!.ownLeaf)), using: &generator)
        try carol.receive(proposal)
        try bob.receive(proposal)
        output = try carol.group!.commit(CommitOptions(), using: &generator)
        try carol.group!.confirmPendingCommit()
        try alice.receive(output.commit)
        let atRemoved = try bob.receive(output.commit)
        guard case .commit(let staged) = atRemoved.content else { Issue.record("not a commit"); return }
        #expect(staged.removesSelf)
        #expect(!bob.group!.isActive)
        #expect(throws: MLSError.self) { try bob.group!.encrypt([1], using: &generator) }
        try Self.expectAgreement([alice, carol])
        #expect(alice.group!.memberCount == 2)

        // Bob, removed, cannot read what follows.
        let secret = try alice.group!.encrypt(Array("after".utf8), using: &generator)
        #expect(throws: MLSError.self) { try bob.receive(secret) }
        try carol.receive(secret)
    }

    @Test func lateApplicationMessageOfThePreviousEpochIsRead() throws {
        var (clients, generator) = try TestClient.group(["alice", "bob"], seed: 2)
        var (alice, bob) = (clients[0], clients[1])
        let late = try bob.group!.encrypt([7, 7], using: &generator)
        let early = try bob.group!.encrypt([8], using: &generator)
        let commit = try alice.group!.commit(CommitOptions(), using: &generator)
        // Received while Alice's commit is pending: its key stays spent in the epoch Alice keeps as a past one.
        try alice.receive(early)
        try alice.group!.confirmPendingCommit()
        #expect(throws: MLSError.self) { try alice.receive(early) }
        try bob.receive(commit.commit)
        let processed = try alice.receive(late)
        #expect(processed.epoch == 1)
        #expect(alice.group!.epoch == 2)
        // A second delivery of the same message is refused: its key was used.
        #expect(throws: MLSError.self) { try alice.receive(late) }
    }

    @Test func externalCommitJoinsAndResyncs() throws {
        var generator = DeterministicGenerator(seed: 3)
        let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        var alice = TestClient("alice", provider: provider, using: &generator)
        var dave = TestClient("dave", provider: provider, using: &generator)
        try alice.createGroup("open", using: &generator)
        let (leaf, _) = try dave.leafNode(using: &generator)
        let join = try MLSGroup.joinByExternalCommit(
            groupInfo: alice.group!.groupInfo(),
            leafNode: leaf,
            signaturePrivateKey: dave.signatureKeys.privateKey,
            using: &generator
        )
        dave.group = join.group
        try alice.receive(join.commit)
        try Self.expectAgreement([alice, dave])
        #expect(alice.group!.memberCount == 2)

        // Dave loses his state and rejoins, removing his old leaf.
        let oldLeaf = dave.group!.ownLeaf
        let rejoin = try MLSGroup.joinByExternalCommit(
            groupInfo: alice.group!.groupInfo(),
            leafNode: leaf,
            signaturePrivateKey: dave.signatureKeys.privateKey,
            resyncing: oldLeaf,
            using: &generator
        )
        dave.group = rejoin.group
        try alice.receive(rejoin.commit)
        try Self.expectAgreement([alice, dave])
        #expect(alice.group!.memberCount == 2)
    }

    @Test func externalCommitWithAnUnsupportedCredentialIsRefused() throws {
        var generator = DeterministicGenerator(seed: 7)
        let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        var alice = TestClient("alice", provider: provider, using: &generator)
        let mallory = TestClient("mallory", provider: provider, using: &generator)
        try alice.createGroup("picky", using: &generator)
        // Mallory's leaf claims an X.509 credential that Alice's capabilities do not list.
        var (leaf, _) = try mallory.leafNode(using: &generator)
        leaf.credential = .x509(certificates: [])
        leaf.capabilities.credentials = [.basic, .x509]
        let join = try MLSGroup.joinByExternalCommit(
            groupInfo: alice.group!.groupInfo(),
            leafNode: leaf,
            signaturePrivateKey: mallory.signatureKeys.privateKey,
            using: &generator
        )
        expectError(.leafNodeCredentialUnsupportedByMember) { try alice.receive(join.commit) }
        #expect(alice.group!.epoch == 0)
    }

    @Test func groupContextExtensionsCommitChangesTheContextForEveryone() throws {
        var (clients, generator) = try TestClient.group(["alice", "bob"], seed: 8)
        var (alice, bob) = (clients[0], clients[1])
        let server = alice.provider.generateSignatureKeyPair(using: &generator)
        let senders = ExternalSender.extensionValue([
            ExternalSender(signatureKey: server.publicKey, credential: .basic(identity: Array("server".utf8)))
        ])
        // Bob proposes the extension by reference; Alice commits it (a path is required).
        let proposal = try bob.group!.propose(
            .groupContextExtensions(GroupContextExtensionsProposal(extensions: [senders])),
            using: &generator
        )
        try alice.receive(proposal)
        let commit = try alice.group!.commit(CommitOptions(), using: &generator)
        try alice.group!.confirmPendingCommit()
        let processed = try bob.receive(commit.commit)
        guard case .commit(let staged) = processed.content else { Issue.record("not a commit"); return }
        #expect(staged.hasPath)
        #expect(bob.group!.context.extensions == [senders])
        try GroupLifecycleTests.expectAgreement([alice, bob])
    }

    @Test func externalSenderProposesARemovalThatAMemberCommits() throws {
        var generator = DeterministicGenerator(seed: 4)
        let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        let server = provider.generateSignatureKeyPair(using: &generator)
        let senders = ExternalSender.extensionValue([
            ExternalSender(signatureKey: server.publicKey, credential: .basic(identity: Array("server".utf8)))
        ])
        var alice = TestClient("alice", provider: provider, using: &generator)
        var bob = TestClient("bob", provider: provider, using: &generator)
        try alice.createGroup("moderated", extensions: [senders], using: &generator)
        let package = try bob.keyPackage(using: &generator)
        let output = try alice.group!.commit(
            CommitOptions(proposals: [.add(AddProposal(keyPackage: package))]),
            using: &generator
        )
        try alice.group!.confirmPendingCommit()
        try bob.join(try #require(output.welcome))

        let removal = try MLSGroup.externalProposal(
            .remove(RemoveProposal(removed: bob.group!.ownLeaf)),
            groupID: alice.group!.groupID,
            epoch: alice.group!.epoch,
            senderIndex: 0,
            signaturePrivateKey: server.privateKey,
            provider: provider
        )
        let processed = try alice.receive(removal)
        #expect(processed.sender == .external(senderIndex: 0))
        let commit = try alice.group!.commit(CommitOptions(), using: &generator)
        try alice.group!.confirmPendingCommit()
        #expect(alice.group!.memberCount == 1)

        // A proposal signed by a key that is not the listed external sender is refused.
        let impostor = provider.generateSignatureKeyPair(using: &generator)
        let forged = try MLSGroup.externalProposal(
            .remove(RemoveProposal(removed: alice.group!.ownLeaf)),
            groupID: alice.group!.groupID,
            epoch: alice.group!.epoch,
            senderIndex: 0,
            signaturePrivateKey: impostor.privateKey,
            provider: provider
        )
        expectError(.signatureInvalid) { try alice.receive(forged) }
        _ = commit
    }

    @Test func updateProposalOfAMemberIsCommittedByAnother() throws {
        var (clients, generator) = try TestClient.group(["alice", "bob", "carol"], seed: 5)
        var (alice, bob, carol) = (clients[0], clients[1], clients[2])
        let update = try bob.group!.proposeUpdate(using: &generator)
        try alice.receive(update)
        try carol.receive(update)
        let commit = try alice.group!.commit(CommitOptions(), using: &generator)
        try alice.group!.confirmPendingCommit()
        try bob.receive(commit.commit)
        try carol.receive(commit.commit)
        try Self.expectAgreement([alice, bob, carol])
    }

    @Test func losingCommitIsDiscardedWhenTheWinnerIsMerged() throws {
        var (clients, generator) = try TestClient.group(["alice", "bob"], seed: 6)
        var (alice, bob) = (clients[0], clients[1])
        // Both commit in epoch 1; the server orders Bob's first.
        let aliceCommit = try alice.group!.commit(CommitOptions(), using: &generator)
        let bobCommit = try bob.group!.commit(CommitOptions(), using: &generator)
        #expect(throws: MLSError.self) { try alice.group!.commit(CommitOptions(), using: &generator) }
        try bob.group!.confirmPendingCommit()
        try alice.receive(bobCommit.commit)
        #expect(!alice.group!.hasPendingCommit)
        try Self.expectAgreement([alice, bob])
        // Alice's losing commit is now for a past epoch.
        #expect(throws: MLSError.self) { try bob.receive(aliceCommit.commit) }
    }
}

/// PSKs, ReInit and branching (RFC 9420 §8.4, §11.2, §11.3).
@Suite struct GroupResumptionTests {
    /// Alice and Bob in epoch 1, from a Welcome.
    static func pair(seed: UInt64) throws -> (TestClient, TestClient, DeterministicGenerator) {
        let (clients, generator) = try TestClient.group(["alice", "bob"], seed: seed)
        return (clients[0], clients[1], generator)
    }

    @Test func externalPSKProposalEntersTheKeySchedule() throws {
        var (alice, bob, generator) = try Self.pair(seed: 11)
        let id = Array("shared psk".utf8)
        let store = PreSharedKeyStore(external: [id: SecretBytes(copying: [UInt8](repeating: 9, count: 32))])
        let psk = PreSharedKeyID(key: .external(id: id), nonce: [UInt8](repeating: 1, count: 32))
        let output = try alice.group!.commit(
            CommitOptions(proposals: [.preSharedKey(PreSharedKeyProposal(psk: psk))]),
            psks: store,
            using: &generator
        )
        try alice.group!.confirmPendingCommit()
        // Without the PSK Bob cannot follow; with it he agrees.
        var without = bob
        expectError(.pskNotFound) { try without.receive(output.commit) }
        try bob.receive(output.commit, psks: store)
        try GroupLifecycleTests.expectAgreement([alice, bob])
        // A different PSK value gives another epoch: the confirmation tag fails.
        let otherStore = PreSharedKeyStore(external: [id: SecretBytes(copying: [UInt8](repeating: 8, count: 32))])
        expectError(.confirmationTagInvalid) { try without.receive(output.commit, psks: otherStore) }
    }

    @Test func reInitClosesTheGroupAndItsSuccessorIsJoinedWithTheResumptionPSK() throws {
        var (alice, bob, generator) = try Self.pair(seed: 12)
        let reInit = ReInitProposal(
            groupID: Array("second".utf8),
            version: .mls10,
            cipherSuite: .x25519ChaCha20Poly1305Sha256Ed25519,
            extensions: []
        )
        let output = try alice.group!.commit(CommitOptions(proposals: [.reInit(reInit)]), using: &generator)
        try alice.group!.confirmPendingCommit()
        try bob.receive(output.commit)
        #expect(bob.group!.pendingReInit == reInit)
        #expect(!bob.group!.isActive)
        #expect(throws: MLSError.self) { try alice.group!.encrypt([1], using: &generator) }

        // Alice creates the successor in the new suite (both suites sign with Ed25519, so the keys carry over); Bob
        // joins it with a KeyPackage of that suite.
        let newProvider = try CipherSuite.x25519ChaCha20Poly1305Sha256Ed25519.provider()
        var bobNew = TestClient("bob", provider: newProvider, signatureKeys: bob.signatureKeys)
        var aliceNew = TestClient("alice", provider: newProvider, signatureKeys: alice.signatureKeys)
        let package = try bobNew.keyPackage(using: &generator)
        let (leaf, leafKey) = try aliceNew.leafNode(using: &generator)
        let resumed = try alice.group!.reinitialize(
            leafNode: leaf,
            leafPrivateKey: leafKey,
            keyPackages: [package],
            using: &generator
        )
        #expect(resumed.group.epoch == 1)
        #expect(resumed.group.groupID == Array("second".utf8))
        aliceNew.group = resumed.group
        try bobNew.join(resumed.welcome, psks: PreSharedKeyStore(resumption: bob.group!.resumptionPSKs))
        try GroupLifecycleTests.expectAgreement([aliceNew, bobNew])
        // Without the old group's resumption secret the Welcome cannot be opened.
        var stranger = bobNew
        expectError(.pskNotFound) { try stranger.join(resumed.welcome) }
    }

    @Test func branchMakesASubgroupLinkedToTheEpoch() throws {
        var (alice, bob, generator) = try Self.pair(seed: 13)
        let package = try bob.keyPackage(using: &generator)
        let (leaf, leafKey) = try alice.leafNode(using: &generator)
        let branch = try alice.group!.branch(
            newGroupID: Array("side room".utf8),
            leafNode: leaf,
            leafPrivateKey: leafKey,
            keyPackages: [package],
            using: &generator
        )
        var bobBranch = bob
        try bobBranch.join(branch.welcome, psks: PreSharedKeyStore(resumption: bob.group!.resumptionPSKs))
        var aliceBranch = alice
        aliceBranch.group = branch.group
        try GroupLifecycleTests.expectAgreement([aliceBranch, bobBranch])
        #expect(bobBranch.group!.epoch == 1)
        // The original group goes on.
        let message = try alice.group!.encrypt([5], using: &generator)
        try bob.receive(message)
    }
}
