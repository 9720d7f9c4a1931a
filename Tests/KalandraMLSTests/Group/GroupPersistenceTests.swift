import KalandraCore
import KalandraCrypto
import KalandraMLSTesting
import Testing

@testable import KalandraMLS

/// Group state persistence: `serialized()` and `load(_:limits:)` round-trip every kind of state byte for byte, a
/// loaded group keeps working with the others, and damaged bytes are refused without a crash.
@Suite struct GroupPersistenceTests {
    static let provider = try! CipherSuite.x25519Aes128GcmSha256Ed25519.provider()

    // MARK: - Round trips

    @Test(arguments: [GroupConfiguration.HandshakeWireFormat.publicMessage, .privateMessage])
    func roundTripsAtEveryStageAndKeepsWorking(_ format: GroupConfiguration.HandshakeWireFormat) throws {
        var generator = DeterministicGenerator(seed: 40)
        let configuration = GroupConfiguration(handshakeWireFormat: format)
        var alice = TestClient("alice", provider: Self.provider, using: &generator)
        var bob = TestClient("bob", provider: Self.provider, using: &generator)
        var carol = TestClient("carol", provider: Self.provider, using: &generator)
        var dave = TestClient("dave", provider: Self.provider, using: &generator)

        // Fresh.
        try alice.createGroup("saved", configuration: configuration, using: &generator)
        let fresh = try alice.reloadGroup()
        #expect(fresh.starts(with: Array("KGST".utf8) + [0, 1]))

        // After adds.
        let packages = [try bob.keyPackage(using: &generator), try carol.keyPackage(using: &generator)]
        let added = try alice.group!.commit(
            CommitOptions(proposals: packages.map { .add(AddProposal(keyPackage: $0)) }),
            using: &generator
        )
        // A pending commit is not saved: the loaded state is the one before it, and serialises the same.
        let beforeConfirm = alice.group!.serialized()
        #expect(alice.group!.hasPendingCommit)
        #expect(try MLSGroup.load(beforeConfirm).serialized() == beforeConfirm)
        try alice.group!.confirmPendingCommit()
        try bob.join(try #require(added.welcome), configuration: configuration)
        try carol.join(try #require(added.welcome), configuration: configuration)
        try alice.reloadGroup()
        try bob.reloadGroup()
        try carol.reloadGroup()
        try GroupLifecycleTests.expectAgreement([alice, bob, carol])

        // Held proposals (Carol's Add of Dave) and a pending Update key (Bob's).
        let davePackage = try dave.keyPackage(using: &generator)
        let proposal = try carol.group!.propose(.add(AddProposal(keyPackage: davePackage)), using: &generator)
        try alice.receive(proposal)
        try bob.receive(proposal)
        let update = try bob.group!.proposeUpdate(using: &generator)
        try alice.receive(update)
        try carol.receive(update)
        try alice.reloadGroup()
        try bob.reloadGroup()
        try carol.reloadGroup()
        #expect(alice.group!.pendingProposals.count == 2)

        // Bob sends three application messages; Alice reads only the last, skipping two generations.
        let early = try (0..<3).map { index in try bob.group!.encrypt([0xB0, UInt8(index)], using: &generator) }
        try alice.expectApplication(early[2], plaintext: [0xB0, 2], from: bob.group!.ownLeaf, epoch: 1)
        try alice.reloadGroup()
        try alice.expectApplication(early[1], plaintext: [0xB0, 1], from: bob.group!.ownLeaf, epoch: 1)
        try alice.reloadGroup()

        // Alice commits both proposals; the epoch moves on while early[0] is still unread.
        let commit = try alice.group!.commit(CommitOptions(), using: &generator)
        try alice.group!.confirmPendingCommit()
        try bob.receive(commit.commit)
        try carol.receive(commit.commit)
        try dave.join(try #require(commit.welcome), configuration: configuration)
        for client in [alice, bob, carol, dave] { #expect(client.group!.epoch == 2) }

        // With past epochs and skipped keys saved, every member reloads and reads the late messages of epoch 1.
        try alice.reloadGroup()
        try bob.reloadGroup()
        try carol.reloadGroup()
        try dave.reloadGroup()
        try alice.expectApplication(early[0], plaintext: [0xB0, 0], from: bob.group!.ownLeaf, epoch: 1)
        // Its key was used before the save: a second delivery is still refused.
        #expect(throws: MLSError.self) { try alice.receive(early[1]) }
        for index in early.indices.reversed() {
            try carol.expectApplication(
                early[index],
                plaintext: [0xB0, UInt8(index)],
                from: bob.group!.ownLeaf,
                epoch: 1
            )
            try carol.reloadGroup()
        }

        // The loaded groups process the next commit and agree.
        let next = try dave.group!.commit(CommitOptions(), using: &generator)
        try dave.group!.confirmPendingCommit()
        try alice.receive(next.commit)
        try bob.receive(next.commit)
        try carol.receive(next.commit)
        try GroupLifecycleTests.expectAgreement([alice, bob, carol, dave])
        #expect(alice.group!.epoch == 3 && alice.group!.memberCount == 4)
        let hello = try dave.group!.encrypt(Array("after restarts".utf8), using: &generator)
        try bob.expectApplication(hello, plaintext: Array("after restarts".utf8), from: dave.group!.ownLeaf, epoch: 3)
    }

    @Test func removedAndReinitialisedStatesRoundTrip() throws {
        var generator = DeterministicGenerator(seed: 41)
        var alice = TestClient("alice", provider: Self.provider, using: &generator)
        var bob = TestClient("bob", provider: Self.provider, using: &generator)
        try alice.createGroup("leaving", using: &generator)
        let package = try bob.keyPackage(using: &generator)
        let added = try alice.group!.commit(
            CommitOptions(proposals: [.add(AddProposal(keyPackage: package))]),
            using: &generator
        )
        try alice.group!.confirmPendingCommit()
        try bob.join(try #require(added.welcome))

        let removal = try alice.group!.commit(
            CommitOptions(proposals: [.remove(RemoveProposal(removed: bob.group!.ownLeaf))]),
            using: &generator
        )
        try bob.receive(removal.commit)
        #expect(!bob.group!.isActive)
        try bob.reloadGroup()
        #expect(!bob.group!.isActive)
        expectError(.groupInactive) { _ = try bob.group!.encrypt([1], using: &generator) }

        // Alice's pending removal is dropped on save; she makes the commit again and it goes through.
        try alice.reloadGroup()
        #expect(alice.group!.memberCount == 2)
        let reInit = ReInitProposal(
            groupID: Array("successor".utf8),
            version: .mls10,
            cipherSuite: Self.provider.cipherSuite,
            extensions: []
        )
        _ = try alice.group!.commit(CommitOptions(proposals: [.reInit(reInit)]), using: &generator)
        try alice.group!.confirmPendingCommit()
        #expect(alice.group!.pendingReInit == reInit)
        try alice.reloadGroup()
        #expect(alice.group!.pendingReInit == reInit)
        #expect(!alice.group!.isActive)
    }

    // MARK: - A long random run with a restart after every step

    /// Seeds of the random run; even seeds send handshakes as PrivateMessages.
    @Test(arguments: [UInt64(7), 18, 29])
    func groupSurvivesSaveAndLoadAtEveryStepOfARandomRun(seed: UInt64) throws {
        var run = try PersistenceRun(seed: seed)
        try run.start(memberCount: 4 + Int(seed % 3))
        for step in 0..<150 {
            try run.randomStep()
            try run.reloadAll()
            try GroupLifecycleTests.expectAgreement(run.members)
            #expect(run.members.allSatisfy { $0.group?.isActive == true }, "step \(step)")
        }
        // Every kind of step ran, and the application plaintexts were all checked.
        #expect(run.stepCounts.count == PersistenceRun.Step.allCases.count, "\(run.stepCounts)")
        #expect(run.deliveredPlaintexts > 100)
    }

    // MARK: - Damaged input

    @Test func truncatedStatesAreRefusedAtEveryLength() throws {
        let bytes = try Self.richState()
        let stride = max(1, bytes.count / 1_500)
        let lengths = Array(0..<min(bytes.count, 256)) + Array(Swift.stride(from: 256, to: bytes.count, by: stride))
        for length in lengths {
            expectError(.groupStateInvalid) { _ = try MLSGroup.load(Array(bytes[..<length])) }
        }
        #expect(try MLSGroup.load(bytes).serialized() == bytes)
    }

    @Test func wrongMagicVersionTrailingBytesAndCountsAreNamed() throws {
        let bytes = try Self.richState()
        var magic = bytes
        magic.replaceSubrange(GroupStateLayout.magic, with: Array("KGS2".utf8))
        Self.expectStateError(magic, mentioning: "magic")
        for version: UInt16 in [0, 2, 0x0100, .max] {
            var versioned = bytes
            versioned.replaceSubrange(GroupStateLayout.version, with: [UInt8(version >> 8), UInt8(version & 0xFF)])
            Self.expectStateError(versioned, mentioning: "version")
        }
        Self.expectStateError(bytes + [0], mentioning: "end")
        Self.expectStateError([], mentioning: "magic")
        // A bound from the state itself: fewer past epochs allowed than the state holds.
        var bounded = bytes
        bounded.replaceSubrange(GroupStateLayout.pastEpochCount, with: [0, 0, 0, 0, 0, 0, 0, 1])
        Self.expectStateError(bounded, mentioning: "pastEpochs")
        // A negative count and one above GroupConfiguration.maximumPastEpochCount are refused; the largest allowed
        // one loads.
        bounded.replaceSubrange(GroupStateLayout.pastEpochCount, with: [0x80, 0, 0, 0, 0, 0, 0, 0])
        Self.expectStateError(bounded, mentioning: "configuration")
        bounded.replaceSubrange(GroupStateLayout.pastEpochCount, with: [0x7F] + [UInt8](repeating: 0xFF, count: 7))
        Self.expectStateError(bounded, mentioning: "configuration")
        bounded.replaceSubrange(GroupStateLayout.pastEpochCount, with: [0, 0, 0, 0, 0, 0, 0, 64])
        #expect(try MLSGroup.load(bounded).serialized() == bounded)
    }

    @Test func everySingleByteChangeOfTheHeaderIsRefused() throws {
        let bytes = try Self.richState()
        for position in GroupStateLayout.header {
            for mask in UInt8(1)...UInt8.max {
                var changed = bytes
                changed[position] ^= mask
                expectError(.groupStateInvalid) { _ = try MLSGroup.load(changed) }
            }
        }
    }

    /// A changed byte after the header either makes the load fail or, when it lies in a field the checks cannot
    /// judge (a secret, a count of the configuration, a proposal's contents), loads the state those bytes describe:
    /// the loaded group serialises to exactly the changed bytes. Never a crash.
    @Test func changedBytesInTheBodyNeverCrashAndLoadOnlyWhatTheyEncode() throws {
        let bytes = try Self.richState()
        var generator = DeterministicGenerator(seed: 43)
        var refused = 0
        for position in stride(
            from: GroupStateLayout.header.upperBound,
            to: bytes.count,
            by: max(1, bytes.count / 1_200)
        ) {
            var changed = bytes
            changed[position] ^= UInt8.random(in: 1...UInt8.max, using: &generator)
            do {
                let loaded = try MLSGroup.load(changed)
                #expect(loaded.serialized() == changed, "byte \(position)")
            } catch {
                #expect(error.kind == .groupStateInvalid, "byte \(position): \(error)")
                refused += 1
            }
        }
        #expect(refused > 0)
    }

    // MARK: - Restoring the key schedule's parts

    @Test func restoredRatchetsAndSecretTreesKeepTheirInvariants() throws {
        let provider = Self.provider
        let secret = SecretBytes(copying: [UInt8](repeating: 7, count: provider.kdfLength))
        let limits = RatchetLimits(maximumRetainedGenerations: 2, maximumForwardJump: 10)
        var ratchet = try HashRatchet(secret: secret, provider: provider, limits: limits)
        _ = try ratchet.key(for: 3)
        #expect(ratchet.retainedKeys.map(\.generation) == [1, 2])
        let restored = try HashRatchet(
            restoringGeneration: ratchet.generation,
            secret: ratchet.currentSecret,
            retainedKeys: ratchet.retainedKeys,
            provider: provider,
            limits: limits
        )
        let keys = ratchet.retainedKeys
        var original = ratchet
        var copy = restored
        #expect(try copy.key(for: 2).key == original.key(for: 2).key)
        #expect(try copy.key(for: 4).key == original.key(for: 4).key)
        // More keys than the window allows, out of order, ahead of the position, or exhausted too early.
        let spare = RatchetKeyNonce(generation: 0, key: keys[0].key, nonce: keys[0].nonce)
        for (generation, retained, currentSecret) in [
            (ratchet.generation, [spare] + keys, ratchet.currentSecret),
            (ratchet.generation, keys.reversed(), ratchet.currentSecret),
            (UInt32(1), keys, ratchet.currentSecret),
            (ratchet.generation, keys, nil),
        ] {
            #expect(throws: MLSError.self) {
                try HashRatchet(
                    restoringGeneration: generation,
                    secret: currentSecret,
                    retainedKeys: Array(retained),
                    provider: provider,
                    limits: limits
                )
            }
        }

        let size = try #require(TreeSize(leafCount: 4))
        var tree = try SecretTree(encryptionSecret: secret, treeSize: size, provider: provider)
        _ = try tree.nextKey(for: LeafIndex(rawValue: 0)!, type: .application)
        let parts = (nodes: tree.storedNodeSecrets, ratchets: tree.startedRatchets)
        #expect(parts.nodes.map(\.node) == [NodeIndex(2), NodeIndex(5)])
        var restoredTree = try SecretTree(
            restoring: size,
            limits: tree.limits,
            provider: provider,
            nodeSecrets: parts.nodes,
            startedRatchets: parts.ratchets
        )
        #expect(
            try restoredTree.nextKey(for: LeafIndex(rawValue: 3)!, type: .handshake).key
                == tree.nextKey(for: LeafIndex(rawValue: 3)!, type: .handshake).key
        )
        // A lost subtree, a node stored below another, and a started leaf whose secret is still stored.
        for nodes in [
            [parts.nodes[0]],
            parts.nodes + [(node: NodeIndex(6), secret: secret)],
            [(node: NodeIndex(0), secret: secret)] + parts.nodes,
        ] {
            #expect(throws: MLSError.self) {
                try SecretTree(
                    restoring: size,
                    limits: tree.limits,
                    provider: provider,
                    nodeSecrets: nodes,
                    startedRatchets: parts.ratchets
                )
            }
        }
    }

    // MARK: - Helpers

    /// Records an issue unless loading `bytes` throws `groupStateInvalid` whose context mentions `field`.
    static func expectStateError(
        _ bytes: [UInt8],
        mentioning field: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try MLSGroup.load(bytes)
            Issue.record("the state loaded", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == .groupStateInvalid, sourceLocation: sourceLocation)
            #expect(error.context.contains(field), "\(error)", sourceLocation: sourceLocation)
        }
    }

    /// A state with something in every field: three members, two past epochs, retained keys in a past and the
    /// current epoch, a held proposal, a pending Update key.
    static func richState() throws -> [UInt8] {
        var generator = DeterministicGenerator(seed: 42)
        var alice = TestClient("alice", provider: provider, using: &generator)
        var bob = TestClient("bob", provider: provider, using: &generator)
        var carol = TestClient("carol", provider: provider, using: &generator)
        try alice.createGroup("rich", using: &generator)
        let packages = [try bob.keyPackage(using: &generator), try carol.keyPackage(using: &generator)]
        let added = try alice.group!.commit(
            CommitOptions(proposals: packages.map { .add(AddProposal(keyPackage: $0)) }),
            using: &generator
        )
        try alice.group!.confirmPendingCommit()
        try bob.join(try #require(added.welcome))
        try carol.join(try #require(added.welcome))
        let late = try (0..<3).map { _ in try bob.group!.encrypt([1], using: &generator) }
        try alice.receive(late[2])
        let commit = try carol.group!.commit(CommitOptions(), using: &generator)
        try carol.group!.confirmPendingCommit()
        try alice.receive(commit.commit)
        try bob.receive(commit.commit)
        let current = try (0..<2).map { _ in try carol.group!.encrypt([2], using: &generator) }
        try alice.receive(current[1])
        try alice.receive(bob.group!.propose(.remove(RemoveProposal(removed: carol.group!.ownLeaf)), using: &generator))
        _ = try alice.group!.proposeUpdate(using: &generator)
        return alice.group!.serialized()
    }
}

/// A random run among 4 to 8 members (`groupSurvivesSaveAndLoadAtEveryStepOfARandomRun`): each step is one of
/// `Step`, every member's group is saved and loaded in the middle of the steps that span a state worth keeping
/// (held proposals, sent but undelivered messages) and after every step.
struct PersistenceRun {
    enum Step: CaseIterable {
        case add, remove, emptyCommit, updateThenCommit, proposalThenCommit, application, lateApplication
    }

    var generator: DeterministicGenerator
    let configuration: GroupConfiguration
    /// The active members.
    var members: [TestClient] = []
    var clientCount = 0
    var stepCounts: [Step: Int] = [:]
    var deliveredPlaintexts = 0

    init(seed: UInt64) throws {
        generator = DeterministicGenerator(seed: seed)
        configuration = GroupConfiguration(
            handshakeWireFormat: seed.isMultiple(of: 2) ? .privateMessage : .publicMessage
        )
    }

    mutating func newClient() -> TestClient {
        clientCount += 1
        return TestClient("client\(clientCount)", provider: GroupPersistenceTests.provider, using: &generator)
    }

    /// A group of `memberCount` members, all saved and loaded.
    mutating func start(memberCount: Int) throws {
        var founder = newClient()
        try founder.createGroup("random run", configuration: configuration, using: &generator)
        members = [founder]
        var joiners = (1..<memberCount).map { _ in newClient() }
        let packages = try joiners.indices.map { try joiners[$0].keyPackage(using: &generator) }
        try commit(
            by: 0,
            CommitOptions(proposals: packages.map { .add(AddProposal(keyPackage: $0)) }),
            joiners: joiners
        )
        try reloadAll()
    }

    mutating func reloadAll() throws {
        for index in members.indices { try members[index].reloadGroup() }
    }

    mutating func randomMember(excluding excluded: Set<Int> = []) -> Int {
        let candidates = members.indices.filter { !excluded.contains($0) }
        return candidates.randomElement(using: &generator)!
    }

    mutating func randomStep() throws {
        var step = Step.allCases.randomElement(using: &generator)!
        if step == .add && members.count >= 8 { step = .remove }
        if step == .remove && members.count <= 2 { step = .add }
        if step == .proposalThenCommit && members.count <= 2 { step = .updateThenCommit }
        stepCounts[step, default: 0] += 1
        switch step {
        case .add:
            var joiner = newClient()
            let package = try joiner.keyPackage(using: &generator)
            try commit(
                by: randomMember(),
                CommitOptions(proposals: [.add(AddProposal(keyPackage: package))]),
                joiners: [joiner]
            )
        case .remove:
            let committer = randomMember()
            let removed = randomMember(excluding: [committer])
            let leaf = members[removed].group!.ownLeaf
            try commit(by: committer, CommitOptions(proposals: [.remove(RemoveProposal(removed: leaf))]))
        case .emptyCommit:
            try commit(by: randomMember(), CommitOptions(forcePath: Bool.random(using: &generator)))
        case .updateThenCommit:
            let proposer = randomMember()
            let update = try members[proposer].group!.proposeUpdate(using: &generator)
            try deliver(update, from: proposer)
            try reloadAll()
            try commit(by: randomMember(excluding: [proposer]), CommitOptions())
        case .proposalThenCommit:
            let proposer = randomMember()
            let committer = randomMember(excluding: [proposer])
            var joiners: [TestClient] = []
            let proposal: Proposal
            if Bool.random(using: &generator) && members.count < 8 {
                var joiner = newClient()
                proposal = .add(AddProposal(keyPackage: try joiner.keyPackage(using: &generator)))
                joiners.append(joiner)
            } else {
                let removed = randomMember(excluding: [proposer, committer])
                proposal = .remove(RemoveProposal(removed: members[removed].group!.ownLeaf))
            }
            let message = try members[proposer].group!.propose(proposal, using: &generator)
            try deliver(message, from: proposer)
            try reloadAll()
            try commit(by: committer, CommitOptions(), joiners: joiners)
        case .application:
            let sender = randomMember()
            let sent = try (0..<Int.random(in: 1...3, using: &generator)).map { _ in try encrypt(by: sender) }
            // Each member reads them in its own order and restarts halfway, so skipped keys are saved.
            for receiver in members.indices where receiver != sender {
                let order = sent.shuffled(using: &generator)
                for (position, item) in order.enumerated() {
                    try members[receiver].expectApplication(
                        item.message,
                        plaintext: item.plaintext,
                        from: members[sender].group!.ownLeaf,
                        epoch: item.epoch
                    )
                    deliveredPlaintexts += 1
                    if position == 0 { try members[receiver].reloadGroup() }
                }
            }
        case .lateApplication:
            let sender = randomMember()
            let senderLeaf = members[sender].group!.ownLeaf
            let senderName = members[sender].name
            let sent = try encrypt(by: sender)
            try reloadAll()
            try commit(by: randomMember(), CommitOptions())
            try reloadAll()
            for receiver in members.indices where members[receiver].name != senderName {
                try members[receiver].expectApplication(
                    sent.message,
                    plaintext: sent.plaintext,
                    from: senderLeaf,
                    epoch: sent.epoch
                )
                deliveredPlaintexts += 1
            }
        }
    }

    /// A random plaintext from `sender`, encrypted in its current epoch.
    mutating func encrypt(by sender: Int) throws -> (message: MLSMessage, plaintext: [UInt8], epoch: UInt64) {
        let plaintext = (0..<Int.random(in: 1...64, using: &generator)).map { _ in
            UInt8.random(in: 0...255, using: &generator)
        }
        let message = try members[sender].group!.encrypt(plaintext, using: &generator)
        return (message, plaintext, members[sender].group!.epoch)
    }

    /// Delivers a proposal to every member but its sender.
    mutating func deliver(_ message: MLSMessage, from sender: Int) throws {
        for receiver in members.indices where receiver != sender {
            guard case .proposal = try members[receiver].receive(message).content else {
                Issue.record("not a proposal")
                return
            }
        }
    }

    /// `committer` commits with `options`; the others merge it, removed members leave (after their state is saved
    /// and loaded once more), and `joiners` join by the Welcome.
    mutating func commit(by committer: Int, _ options: CommitOptions, joiners: [TestClient] = []) throws {
        let output = try members[committer].group!.commit(options, using: &generator)
        try members[committer].group!.confirmPendingCommit()
        var remaining: [TestClient] = []
        for index in members.indices {
            var member = members[index]
            if index != committer {
                guard case .commit(let staged) = try member.receive(output.commit).content else {
                    Issue.record("\(member.name) did not receive a commit")
                    continue
                }
                #expect(staged.removesSelf == !member.group!.isActive)
                if staged.removesSelf {
                    try member.reloadGroup()
                    #expect(!member.group!.isActive)
                    continue
                }
            }
            remaining.append(member)
        }
        for var joiner in joiners {
            try joiner.join(try #require(output.welcome), configuration: configuration)
            remaining.append(joiner)
        }
        members = remaining
    }
}
