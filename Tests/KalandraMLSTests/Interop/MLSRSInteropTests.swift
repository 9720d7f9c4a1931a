import KalandraCore
import KalandraCrypto
import KalandraMLSTesting
import Testing

@testable import KalandraMLS

/// Our engine against mls-rs (an independent RFC 9420 implementation, driven through MLSRSPeer): joins both ways,
/// commits of every kind the wheel can make or read, application messages, and a long random mixed-group run. The
/// members must agree on the exporter and the roster after every epoch; a negative control shows the checks bite.
@Suite struct MLSRSInteropTests {
    /// mls-rs creates the group and adds our client, with the tree in the Welcome or out of band.
    @Test(arguments: [true, false])
    func mlsRSAddsOurClient(treeInWelcome: Bool) throws {
        let peer = try Interop.startPeer()
        defer { peer.shutdown() }
        var generator = DeterministicGenerator(seed: 11)
        try peer.newClient("alice", ratchetTreeExtension: treeInWelcome)
        try peer.createGroup("alice", groupID: Array("from mls-rs".utf8))
        var bob = TestClient("bob", provider: try Interop.provider(), using: &generator)
        let output = try peer.add("alice", keyPackages: [try bob.keyPackageMessage(using: &generator)])
        #expect((output.ratchetTree == nil) == treeInWelcome)
        #expect(try peer.applyPending("alice").epoch == 1)

        try bob.join(welcomeBytes: try #require(output.welcome), ratchetTree: output.ratchetTree)
        #expect(bob.group?.epoch == 1)
        #expect(try bob.exporter() == Interop.exporter(of: "alice", at: peer))
        #expect(bob.roster == [0: "alice", 1: "bob"])
        #expect(try Interop.roster(of: "alice", at: peer) == bob.roster)
    }

    /// Our client creates the group and adds an mls-rs client, with the tree in the Welcome or out of band.
    @Test(arguments: [true, false])
    func ourClientAddsMLSRS(treeInWelcome: Bool) throws {
        let peer = try Interop.startPeer()
        defer { peer.shutdown() }
        var generator = DeterministicGenerator(seed: 12)
        var alice = TestClient("alice", provider: try Interop.provider(), using: &generator)
        try alice.createGroup(
            "from kalandra",
            configuration: GroupConfiguration(ratchetTreeInWelcome: treeInWelcome),
            using: &generator
        )
        try peer.newClient("bob")
        guard case .keyPackage(let keyPackage) = try MLSMessage.decode(peer.keyPackage("bob")).body else {
            Issue.record("mls-rs KeyPackage is not a KeyPackage message")
            return
        }
        let output = try alice.group!.commit(
            CommitOptions(proposals: [.add(AddProposal(keyPackage: keyPackage))]),
            using: &generator
        )
        try alice.group!.confirmPendingCommit()

        let welcome = MLSMessage(.welcome(try #require(output.welcome))).encoded()
        let joined = try peer.join(
            "bob",
            welcome: welcome,
            ratchetTree: treeInWelcome ? nil : output.ratchetTree.encoded()
        )
        #expect(joined.groupID == Array("from kalandra".utf8))
        #expect(joined.epoch == 1)
        #expect(try alice.exporter() == Interop.exporter(of: "bob", at: peer))
        #expect(try Interop.roster(of: "bob", at: peer) == [0: "alice", 1: "bob"])
    }

    /// Adds, removes (by value and by reference), empty commits and application messages from both sides, with
    /// our handshakes in either wire format; everyone agrees after every epoch (checked inside MixedGroup).
    @Test(arguments: [GroupConfiguration.HandshakeWireFormat.publicMessage, .privateMessage])
    func commitsBothWays(format: GroupConfiguration.HandshakeWireFormat) throws {
        let peer = try Interop.startPeer()
        defer { peer.shutdown() }
        var group = try MixedGroup(creator: .ours, peer: peer, handshakeFormats: [format], seed: 13)
        try group.commit(.add([.mlsRS]), by: "k1")  // r2
        try group.commit(.add([.ours]), by: "r2")  // k3
        try group.commit(.empty, by: "k3")
        try group.commit(.empty, by: "r2")
        try group.commit(.add([.mlsRS, .ours]), by: "k3")  // r4, k5
        #expect(group.members == ["k1", "k3", "k5", "r2", "r4"])
        for sender in group.members { try group.sendApplicationMessage(from: sender) }

        try group.proposeAndCommit(.add([.ours]), proposer: "r2", committer: "k1")  // k6
        try group.proposeAndCommit(.remove("k3"), proposer: "k1", committer: "r4")
        try group.proposeAndCommit(.add([.mlsRS]), proposer: "k5", committer: "r2")  // r7
        try group.proposeAndCommit(.remove("r4"), proposer: "r7", committer: "k6")
        try group.commit(.remove("r2"), by: "k5")
        try group.commit(.remove("k1"), by: "r7")
        try group.commit(.empty, by: "k6")
        #expect(group.members == ["k5", "k6", "r7"])
        #expect(group.epoch == 12)
        for sender in group.members { try group.sendApplicationMessage(from: sender) }
    }

    /// A group of about 50 members, half ours and half mls-rs's, through 100 epochs of seeded random commits.
    @Test(arguments: [UInt64(1), 2])
    func randomMixedGroup(seed: UInt64) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let peer = try Interop.startPeer()
        defer { peer.shutdown() }
        var choices = DeterministicGenerator(seed: seed)
        // Odd seeds start from our creator, even ones from mls-rs's.
        var group = try MixedGroup(
            creator: seed % 2 == 1 ? .ours : .mlsRS,
            peer: peer,
            handshakeFormats: [.publicMessage, .privateMessage],
            seed: seed &+ 1000
        )
        let sides = (1..<50).map { $0 % 2 == 0 ? MixedGroup.Side.ours : .mlsRS }
        try group.commit(.add(sides), by: group.members[0])

        for _ in 0..<100 {
            let members = group.members
            let committer = members.randomElement(using: &choices)!
            let others = members.filter { $0 != committer }
            // A joiner or a removed member from the smaller or larger side keeps the halves near 50/50.
            let imbalance = group.ourNames.count - group.mlsRSNames.count
            let joinerSide: MixedGroup.Side =
                abs(imbalance) > 4 ? (imbalance > 0 ? .mlsRS : .ours) : Bool.random(using: &choices) ? .ours : .mlsRS
            let removable = abs(imbalance) > 4 ? others.filter { group.isOurs($0) == (imbalance > 0) } : others
            let target = (removable.isEmpty ? others : removable).randomElement(using: &choices)!
            var operation = Int.random(in: 0..<4, using: &choices)
            if group.count <= 42 { operation = 0 }
            if group.count >= 58 { operation = 1 }
            switch operation {
            case 0:
                try group.commit(.add([joinerSide]), by: committer)
            case 1:
                try group.commit(.remove(target), by: committer)
            case 2:
                try group.commit(.empty, by: committer)
            default:
                // A proposal by another member that the committer covers by reference: always between two of
                // ours when the committer is ours, so our proposal path runs often.
                let proposers = others.filter { $0 != target && (!group.isOurs(committer) || group.isOurs($0)) }
                let proposer = proposers.randomElement(using: &choices)!
                let change: MixedGroup.Change = Bool.random(using: &choices) ? .add([joinerSide]) : .remove(target)
                try group.proposeAndCommit(change, proposer: proposer, committer: committer)
            }
            if Int.random(in: 0..<3, using: &choices) == 0 {
                try group.sendApplicationMessage(from: group.members.randomElement(using: &choices)!)
            }
        }
        #expect(group.epoch == 101)
        #expect((40...60).contains(group.count))
        print(
            "mls-rs interop seed \(seed): \(group.epoch) epochs, \(group.adds) adds, \(group.removes) removes, "
                + "\(group.messages) messages, \(group.count) members (\(group.ourNames.count) ours) at the end, "
                + "\(clock.now - start)"
        )
    }

    /// The checks bite: a commit of mls-rs with one byte flipped is refused by our engine, by the membership tag
    /// or, once that is recomputed, by the signature (and one of ours by mls-rs); a member one epoch behind has a
    /// different exporter value.
    @Test func tamperedCommitsAreRefusedAndStaleEpochsDisagree() throws {
        let peer = try Interop.startPeer()
        defer { peer.shutdown() }
        var generator = DeterministicGenerator(seed: 15)
        try peer.newClient("alice")
        try peer.createGroup("alice")
        var bob = TestClient("bob", provider: try Interop.provider(), using: &generator)
        let add = try peer.add("alice", keyPackages: [try bob.keyPackageMessage(using: &generator)])
        try peer.applyPending("alice")
        try bob.join(welcomeBytes: try #require(add.welcome), ratchetTree: add.ratchetTree)

        // A PublicMessage commit ends with signature<V> (64 B), confirmation_tag<V> and membership_tag<V> (32 B).
        let commit = try peer.commit("alice").commit
        let signature = commit.count - 33 - 33 - 64
        try #require([commit[signature - 1], commit[signature + 64], commit[commit.count - 33]] == [0x40, 0x20, 0x20])
        for (index, retag, expected) in [
            (signature + 10, false, MLSError.Kind.membershipTagInvalid),
            (signature + 10, true, .signatureInvalid),
            (commit.count / 2, true, .signatureInvalid),  // inside the path
        ] {
            var tampered = commit
            tampered[index] ^= 0x01
            var message = try MLSMessage.decode(tampered)  // still well-formed: the group checks must catch it
            if retag { message = try Self.retagged(message, for: bob.group!) }
            expectError(expected) { try bob.receive(message) }
        }
        #expect(bob.group?.epoch == 1)

        // Alice has merged her commit, Bob has not: their exporters differ until he processes it.
        try peer.applyPending("alice")
        #expect(try bob.exporter() != Interop.exporter(of: "alice", at: peer))
        try bob.receive(MLSMessage.decode(commit))
        #expect(try bob.exporter() == Interop.exporter(of: "alice", at: peer))

        // And the other way: mls-rs refuses a commit of ours with a flipped signature byte.
        let ours = try bob.group!.commit(CommitOptions(forcePath: true), using: &generator).commit.encoded()
        var tampered = ours
        tampered[ours.count - 32 - 1 - 32 - 1 - 64 + 10] ^= 0x01
        #expect(throws: MLSRSPeer.Failure.self) { try peer.process("alice", message: tampered) }
        try bob.group!.confirmPendingCommit()
        #expect(try peer.process("alice", message: ours).epoch == 3)
        #expect(try bob.exporter() == Interop.exporter(of: "alice", at: peer))
    }

    /// `message` (a member's PublicMessage) with its membership tag recomputed, so only the signature can catch a
    /// change in the content.
    static func retagged(_ message: MLSMessage, for group: MLSGroup) throws -> MLSMessage {
        guard case .publicMessage(let framed) = message.body else { throw Interop.Failure(description: "not public") }
        let content = try AuthenticatedContent(wireFormat: .publicMessage, content: framed.content, auth: framed.auth)
        return MLSMessage(
            .publicMessage(
                try PublicMessage.protect(
                    content,
                    context: group.context,
                    membershipKey: group.epochSecrets.membershipKey,
                    provider: group.provider
                )
            )
        )
    }

    /// The mixed group's agreement check fails when one member moves on alone (behind the harness's back).
    @Test func agreementCheckCatchesAMemberThatMovedAlone() throws {
        let peer = try Interop.startPeer()
        defer { peer.shutdown() }
        var group = try MixedGroup(creator: .ours, peer: peer, handshakeFormats: [.publicMessage], seed: 16)
        try group.commit(.add([.mlsRS, .mlsRS]), by: "k1")  // r2, r3
        try group.checkAgreement()
        _ = try peer.commit("r3")
        try peer.applyPending("r3")
        #expect(throws: Interop.Failure.self) { try group.checkAgreement() }
    }
}
