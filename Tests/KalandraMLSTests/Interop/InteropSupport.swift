import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraMLSTesting
import Testing

/// Shared pieces of the interop tests against mls-rs (MLSRSInteropTests).
enum Interop {
    /// The exporter every member is asked for after each epoch.
    static let label = "kalandra interop"
    static let context = Array("interop context".utf8)

    /// The only suite the mls-rs wheel speaks.
    static func provider() throws -> any CipherSuiteProvider {
        try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
    }

    /// A driver, or a failure (never a skip): CI installs the wheel through scripts/bootstrap.
    static func startPeer() throws -> MLSRSPeer {
        try #require(
            MLSRSPeer.isAvailable,
            "mls-rs interop needs python3 with agentvault-mls-rs-uniffi==0.1.1 (run scripts/bootstrap)"
        )
        return try MLSRSPeer()
    }

    /// The group's exporter value at an mls-rs member.
    static func exporter(of name: String, at peer: MLSRSPeer) throws -> [UInt8] {
        try peer.export(name, label: Array(label.utf8), context: context, length: 32)
    }

    /// Leaf index → identity, as an mls-rs member's tree has it.
    static func roster(of name: String, at peer: MLSRSPeer) throws -> [UInt32: String] {
        var roster: [UInt32: String] = [:]
        for member in try peer.roster(name) {
            roster[member.leafIndex] = String(decoding: member.identity, as: UTF8.self)
        }
        return roster
    }

    /// Why a run stopped: a disagreement between members, or an operation that failed, with what was going on.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `body`, naming `step` in any error it throws, so a failure deep in a long run says where it happened.
    static func during<T>(_ step: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "\(step()): \(error)")
        }
    }
}

extension TestClient {
    /// A fresh KeyPackage as the MLSMessage bytes mls-rs takes.
    mutating func keyPackageMessage(using generator: inout some RandomNumberGenerator) throws -> [UInt8] {
        MLSMessage(.keyPackage(try keyPackage(using: &generator))).encoded()
    }

    /// Joins from Welcome bytes (an MLSMessage), with the tree out of band when the Welcome lacks it.
    mutating func join(
        welcomeBytes: [UInt8],
        ratchetTree: [UInt8]?,
        configuration: GroupConfiguration = .default
    ) throws {
        guard case .welcome(let welcome) = try MLSMessage.decode(welcomeBytes).body else {
            throw Interop.Failure(description: "\(name): not a Welcome")
        }
        try join(welcome, ratchetTree: try ratchetTree.map { try RatchetTree.decode($0) }, configuration: configuration)
    }

    /// This member's exporter value of its current epoch.
    func exporter() throws -> [UInt8] {
        guard let group else { throw Interop.Failure(description: "\(name) is in no group") }
        return try group.exporter(label: Interop.label, context: Interop.context, length: 32).testBytes
    }

    /// Leaf index → identity, from this member's tree.
    var roster: [UInt32: String] {
        var roster: [UInt32: String] = [:]
        for leaf in group?.memberLeaves ?? [] {
            if case .basic(let identity) = group?.tree.leafNode(at: leaf)?.credential {
                roster[leaf.rawValue] = String(decoding: identity, as: UTF8.self)
            } else {
                roster[leaf.rawValue] = "<not a basic credential>"
            }
        }
        return roster
    }
}

/// A group of our clients and mls-rs clients, with the test as the delivery service: it orders the commits,
/// has the committer confirm its pending commit, hands every commit, proposal and application message to every
/// other member, and after each epoch checks that all members agree.
///
/// Member names are identities: ours are "k1", "k2", …, mls-rs's "r1", "r2", ….
struct MixedGroup {
    enum Side { case ours, mlsRS }

    /// What a commit (or the proposal it covers) does.
    enum Change {
        /// Adds new members, one per side listed.
        case add([Side])
        /// Removes the named member.
        case remove(String)
        /// Changes nothing; a commit with a path.
        case empty
    }

    let peer: MLSRSPeer
    let provider: any CipherSuiteProvider
    /// The wire formats our members choose from for their handshakes.
    let handshakeFormats: [GroupConfiguration.HandshakeWireFormat]
    /// Our crypto randomness and our members' configuration choices (mls-rs has its own randomness).
    var generator: DeterministicGenerator
    var ours: [String: TestClient] = [:]
    /// Our members' and mls-rs's members' names, in a fixed order so seeded choices repeat.
    private(set) var ourNames: [String] = []
    private(set) var mlsRSNames: [String] = []
    private(set) var epoch: UInt64 = 0
    private(set) var adds = 0
    private(set) var removes = 0
    private(set) var messages = 0
    private var created = 0

    var members: [String] { ourNames + mlsRSNames }
    var count: Int { ourNames.count + mlsRSNames.count }
    func isOurs(_ name: String) -> Bool { ours[name] != nil }

    /// A group of one: its creator, of `side`.
    init(
        creator side: Side,
        peer: MLSRSPeer,
        handshakeFormats: [GroupConfiguration.HandshakeWireFormat],
        seed: UInt64
    ) throws {
        self.peer = peer
        self.provider = try Interop.provider()
        self.handshakeFormats = handshakeFormats
        self.generator = DeterministicGenerator(seed: seed)
        let name = newName(side)
        switch side {
        case .ours:
            var client = TestClient(name, provider: provider, using: &generator)
            try client.createGroup("mixed", configuration: newConfiguration(), using: &generator)
            ours[name] = client
            ourNames.append(name)
        case .mlsRS:
            try peer.newClient(name, ratchetTreeExtension: Bool.random(using: &generator))
            try peer.createGroup(name, groupID: Array("mixed".utf8))
            mlsRSNames.append(name)
        }
    }

    // MARK: - Operations

    /// `committer` commits `change` by value; everyone processes it and new members join.
    mutating func commit(_ change: Change, by committer: String) throws {
        let what = "epoch \(epoch): \(committer) commits \(change)"
        var joiners: [Joiner] = []
        let sent: Sent
        if var client = ours[committer] {
            var proposals: [Proposal] = []
            switch change {
            case .add(let sides):
                for side in sides {
                    let joiner = try newJoiner(side)
                    joiners.append(joiner)
                    proposals.append(.add(AddProposal(keyPackage: joiner.keyPackage)))
                }
            case .remove(let target):
                proposals = [.remove(RemoveProposal(removed: try leaf(of: target)))]
            case .empty:
                break
            }
            // Adds alone need no path; sometimes send one anyway.
            let forcePath = proposals.isEmpty || Bool.random(using: &generator)
            let output = try Interop.during(what) {
                try client.group!.commit(CommitOptions(proposals: proposals, forcePath: forcePath), using: &generator)
            }
            ours[committer] = client
            sent = Sent(ours: output, configuration: client.group!.configuration)
        } else {
            let output: MLSRSPeer.CommitOutput
            switch change {
            case .add(let sides):
                for side in sides { joiners.append(try newJoiner(side)) }
                output = try Interop.during(what) { try peer.add(committer, keyPackages: joiners.map(\.message)) }
            case .remove(let target):
                // The driver finds members by identity or by leaf; use both.
                if Bool.random(using: &generator) {
                    output = try Interop.during(what) { try peer.remove(committer, identities: [Array(target.utf8)]) }
                } else {
                    let leaf = try leaf(of: target).rawValue
                    output = try Interop.during(what) { try peer.remove(committer, leafIndices: [leaf]) }
                }
            case .empty:
                output = try Interop.during(what) { try peer.commit(committer) }
            }
            sent = Sent(commit: output.commit, welcome: output.welcome, ratchetTree: output.ratchetTree)
        }
        try deliver(sent, from: committer, joiners: joiners, removed: change.removed, byReference: false, what)
    }

    /// `proposer` proposes `change` (one Add or a Remove), every other member receives the proposal, and
    /// `committer` commits it by reference.
    mutating func proposeAndCommit(_ change: Change, proposer: String, committer: String) throws {
        let what = "epoch \(epoch): \(proposer) proposes \(change), \(committer) commits it"
        var joiners: [Joiner] = []
        let proposal: [UInt8]
        if var client = ours[proposer] {
            let body: Proposal
            switch change {
            case .add(let sides) where sides.count == 1:
                joiners = [try newJoiner(sides[0])]
                body = .add(AddProposal(keyPackage: joiners[0].keyPackage))
            case .remove(let target):
                body = .remove(RemoveProposal(removed: try leaf(of: target)))
            default:
                throw Interop.Failure(description: "\(what): one Add or a Remove only")
            }
            proposal = try Interop.during(what) { try client.group!.propose(body, using: &generator).encoded() }
            ours[proposer] = client
        } else {
            let proposals: [[UInt8]]
            switch change {
            case .add(let sides) where sides.count == 1:
                joiners = [try newJoiner(sides[0])]
                proposals = try Interop.during(what) {
                    try peer.proposeAdd(proposer, keyPackages: [joiners[0].message])
                }
            case .remove(let target):
                proposals = try Interop.during(what) {
                    try peer.proposeRemove(proposer, identities: [Array(target.utf8)])
                }
            default:
                throw Interop.Failure(description: "\(what): one Add or a Remove only")
            }
            guard proposals.count == 1 else {
                throw Interop.Failure(description: "\(what): \(proposals.count) proposals")
            }
            proposal = proposals[0]
        }
        let message = try MLSMessage.decode(proposal)
        for name in ourNames where name != proposer {
            let processed = try Interop.during("\(what): \(name) processes the proposal") {
                try ours[name]!.receive(message)
            }
            guard case .proposal = processed.content else {
                throw Interop.Failure(description: "\(what): \(name) did not see a proposal")
            }
        }
        let others = mlsRSNames.filter { $0 != proposer }
        if !others.isEmpty {
            let results = try Interop.during("\(what): mls-rs members process the proposal") {
                try peer.process(others, message: proposal)
            }
            guard results.count == others.count, results.values.allSatisfy({ $0.kind == .proposal }) else {
                throw Interop.Failure(description: "\(what): mls-rs members answered \(results)")
            }
        }
        let sent: Sent
        if var client = ours[committer] {
            let output = try Interop.during(what) { try client.group!.commit(CommitOptions(), using: &generator) }
            ours[committer] = client
            sent = Sent(ours: output, configuration: client.group!.configuration)
        } else {
            let output = try Interop.during(what) { try peer.commit(committer) }
            sent = Sent(commit: output.commit, welcome: output.welcome, ratchetTree: output.ratchetTree)
        }
        try deliver(sent, from: committer, joiners: joiners, removed: change.removed, byReference: true, what)
    }

    /// `sender` encrypts an application message; every other member decrypts it to the same plaintext.
    mutating func sendApplicationMessage(from sender: String) throws {
        let what = "epoch \(epoch): application message from \(sender)"
        let text = Array("message \(messages) in epoch \(epoch) from \(sender)".utf8)
        let bytes: [UInt8]
        if var client = ours[sender] {
            bytes = try Interop.during(what) { try client.group!.encrypt(text, using: &generator).encoded() }
            ours[sender] = client
        } else {
            bytes = try Interop.during(what) { try peer.encrypt(sender, data: text) }
        }
        let message = try MLSMessage.decode(bytes)
        for name in ourNames where name != sender {
            let processed = try Interop.during("\(what): \(name) decrypts") { try ours[name]!.receive(message) }
            guard case .application(let data) = processed.content, data == text else {
                throw Interop.Failure(description: "\(what): \(name) read \(processed.content)")
            }
        }
        let others = mlsRSNames.filter { $0 != sender }
        if !others.isEmpty {
            let results = try Interop.during("\(what): mls-rs members decrypt") {
                try peer.process(others, message: bytes)
            }
            guard results.count == others.count,
                results.values.allSatisfy({ $0.kind == .application && $0.data == text })
            else {
                throw Interop.Failure(description: "\(what): mls-rs members read \(results)")
            }
        }
        messages += 1
    }

    /// Our members agree on the epoch, epoch authenticator and tree hash; every member, ours and mls-rs's, on the
    /// exporter value and the roster, which holds exactly the members this group tracks.
    func checkAgreement() throws {
        let expected = Set(members)
        var reference: (name: String, exporter: [UInt8], roster: [UInt32: String])?
        func compare(_ name: String, _ exporter: [UInt8], _ roster: [UInt32: String]) throws {
            guard let reference else {
                guard Set(roster.values) == expected, roster.count == expected.count else {
                    throw Interop.Failure(description: "epoch \(epoch): \(name)'s roster \(roster) is not \(expected)")
                }
                return
            }
            guard exporter == reference.exporter else {
                throw Interop.Failure(
                    description: "epoch \(epoch): exporter of \(name) differs from \(reference.name)'s"
                )
            }
            guard roster == reference.roster else {
                throw Interop.Failure(
                    description:
                        "epoch \(epoch): roster of \(name) \(roster) differs from \(reference.name)'s \(reference.roster)"
                )
            }
        }
        let first = ourNames.first.flatMap { ours[$0]?.group }
        for name in ourNames {
            guard let group = ours[name]?.group, group.isActive else {
                throw Interop.Failure(description: "epoch \(epoch): \(name) has no active group")
            }
            guard group.epoch == epoch, group.epochAuthenticator.testBytes == first?.epochAuthenticator.testBytes,
                group.tree.treeHash == first?.tree.treeHash
            else {
                throw Interop.Failure(
                    description: "epoch \(epoch): \(name) (epoch \(group.epoch)) disagrees with \(ourNames[0]) "
                        + "on the epoch, epoch authenticator or tree hash"
                )
            }
            let exporter = try ours[name]!.exporter()
            try compare(name, exporter, ours[name]!.roster)
            reference = reference ?? (name, exporter, ours[name]!.roster)
        }
        for name in mlsRSNames {
            let exporter = try Interop.during("export at \(name)") { try Interop.exporter(of: name, at: peer) }
            let roster = try Interop.during("roster at \(name)") { try Interop.roster(of: name, at: peer) }
            try compare(name, exporter, roster)
            reference = reference ?? (name, exporter, roster)
        }
        if let name = mlsRSNames.first {
            let theirs = try peer.epoch(name)
            guard theirs == epoch else {
                throw Interop.Failure(description: "epoch \(epoch): mls-rs member \(name) is in epoch \(theirs)")
            }
        }
    }

    // MARK: - Pieces

    /// A commit on its way out, as bytes whoever made it.
    private struct Sent {
        let commit: [UInt8]
        let welcome: [UInt8]?
        /// The new epoch's tree, when the Welcome does not carry it.
        let ratchetTree: [UInt8]?

        init(commit: [UInt8], welcome: [UInt8]?, ratchetTree: [UInt8]?) {
            self.commit = commit
            self.welcome = welcome
            self.ratchetTree = ratchetTree
        }

        init(ours output: CommitOutput, configuration: GroupConfiguration) {
            commit = output.commit.encoded()
            welcome = output.welcome.map { MLSMessage(.welcome($0)).encoded() }
            ratchetTree = configuration.ratchetTreeInWelcome ? nil : output.ratchetTree.encoded()
        }
    }

    /// A member to be added: a KeyPackage made by our client or by an mls-rs client.
    private struct Joiner {
        let name: String
        /// Our client, holding the KeyPackage's private keys; nil for mls-rs.
        let client: TestClient?
        let keyPackage: KeyPackage
        /// The KeyPackage as an MLSMessage.
        let message: [UInt8]
    }

    private mutating func newName(_ side: Side) -> String {
        created += 1
        return side == .ours ? "k\(created)" : "r\(created)"
    }

    private mutating func newConfiguration() -> GroupConfiguration {
        GroupConfiguration(
            handshakeWireFormat: handshakeFormats.randomElement(using: &generator)!,
            ratchetTreeInWelcome: Bool.random(using: &generator)
        )
    }

    private mutating func newJoiner(_ side: Side) throws -> Joiner {
        let name = newName(side)
        switch side {
        case .ours:
            var client = TestClient(name, provider: provider, using: &generator)
            let message = try client.keyPackageMessage(using: &generator)
            guard case .keyPackage(let keyPackage) = try MLSMessage.decode(message).body else {
                throw Interop.Failure(description: "not a KeyPackage")
            }
            return Joiner(name: name, client: client, keyPackage: keyPackage, message: message)
        case .mlsRS:
            try peer.newClient(name, ratchetTreeExtension: Bool.random(using: &generator))
            let message = try peer.keyPackage(name)
            guard case .keyPackage(let keyPackage) = try MLSMessage.decode(message).body else {
                throw Interop.Failure(description: "mls-rs KeyPackage of \(name) is not a KeyPackage message")
            }
            return Joiner(name: name, client: nil, keyPackage: keyPackage, message: message)
        }
    }

    /// The leaf of the named member, from our first member's tree (or mls-rs's roster when we have none).
    private func leaf(of name: String) throws -> LeafIndex {
        let roster = try ourNames.first.map { ours[$0]!.roster } ?? Interop.roster(of: mlsRSNames[0], at: peer)
        guard let index = roster.first(where: { $0.value == name })?.key, let leaf = LeafIndex(rawValue: index) else {
            throw Interop.Failure(description: "\(name) is not in the tree")
        }
        return leaf
    }

    /// The committer confirms first (the delivery service accepted its commit), then every other member processes
    /// the commit; exactly the expected members learn they were removed; the joiners join; all must agree.
    private mutating func deliver(
        _ sent: Sent,
        from committer: String,
        joiners: [Joiner],
        removed expected: Set<String>,
        byReference: Bool,
        _ what: String
    ) throws {
        if isOurs(committer) {
            try Interop.during("\(what): confirming") { try ours[committer]!.group!.confirmPendingCommit() }
        } else {
            let result = try Interop.during("\(what): apply_pending") { try peer.applyPending(committer) }
            guard result.effect == .newEpoch, result.epoch == epoch + 1 else {
                throw Interop.Failure(description: "\(what): apply_pending gave \(result)")
            }
        }
        let message = try MLSMessage.decode(sent.commit)
        var removed: Set<String> = []
        for name in ourNames where name != committer {
            let processed = try Interop.during("\(what): \(name) processes the commit") {
                try ours[name]!.receive(message)
            }
            guard case .commit(let staged) = processed.content else {
                throw Interop.Failure(description: "\(what): \(name) did not see a commit")
            }
            guard staged.proposals.allSatisfy({ ($0.reference != nil) == byReference }) else {
                throw Interop.Failure(description: "\(what): proposals by reference should be \(byReference)")
            }
            if staged.removesSelf { removed.insert(name) }
        }
        let others = mlsRSNames.filter { $0 != committer }
        if !others.isEmpty {
            let results = try Interop.during("\(what): mls-rs members process the commit") {
                try peer.process(others, message: sent.commit)
            }
            for name in others {
                switch results[name]?.effect {
                case .removed: removed.insert(name)
                case .newEpoch where results[name]?.epoch == epoch + 1: break
                default:
                    throw Interop.Failure(description: "\(what): \(name) answered \(String(describing: results[name]))")
                }
            }
        }
        guard removed == expected else {
            throw Interop.Failure(description: "\(what): removed \(removed.sorted()), expected \(expected.sorted())")
        }
        ourNames.removeAll { removed.contains($0) }
        mlsRSNames.removeAll { removed.contains($0) }
        for name in removed { ours[name] = nil }
        epoch += 1
        removes += removed.count
        for joiner in joiners {
            guard let welcome = sent.welcome else { throw Interop.Failure(description: "\(what): no Welcome") }
            if var client = joiner.client {
                let configuration = newConfiguration()
                try Interop.during("\(what): \(joiner.name) joins") {
                    try client.join(welcomeBytes: welcome, ratchetTree: sent.ratchetTree, configuration: configuration)
                }
                ours[joiner.name] = client
                ourNames.append(joiner.name)
            } else {
                let joined = try Interop.during("\(what): \(joiner.name) joins") {
                    try peer.join(joiner.name, welcome: welcome, ratchetTree: sent.ratchetTree)
                }
                guard joined.epoch == epoch else {
                    throw Interop.Failure(description: "\(what): \(joiner.name) joined epoch \(joined.epoch)")
                }
                mlsRSNames.append(joiner.name)
            }
            adds += 1
        }
        try Interop.during("after \(what)") { try checkAgreement() }
    }
}

extension MixedGroup.Change: CustomStringConvertible {
    var description: String {
        switch self {
        case .add(let sides): "add " + sides.map { $0 == .ours ? "ours" : "mls-rs" }.joined(separator: ", ")
        case .remove(let name): "remove \(name)"
        case .empty: "an empty commit"
        }
    }

    /// The members this change removes.
    var removed: Set<String> {
        if case .remove(let name) = self { return [name] }
        return []
    }
}
