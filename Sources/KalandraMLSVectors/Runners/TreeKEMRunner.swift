import KalandraCore
import KalandraCrypto
import KalandraMLS

/// treekem.json (RFC 9420 §7.4–§7.6, §12.4.2): every member's private state is consistent with the tree; every
/// UpdatePath merges (parent hashes valid), gives every other member the expected path secret and commit secret, and
/// the expected tree hash; then a new UpdatePath from the same leaf is processed by every other member with the same
/// commit secret.
enum TreeKEMRunner: EntryRunner {
    struct Entry: Decodable {
        let cipherSuite: UInt16
        @HexBytes var groupId: [UInt8]
        let epoch: UInt64
        @HexBytes var confirmedTranscriptHash: [UInt8]
        @HexBytes var ratchetTree: [UInt8]
        let leavesPrivate: [LeafPrivate]
        let updatePaths: [PathEntry]
    }

    struct LeafPrivate: Decodable {
        let index: UInt32
        @HexBytes var encryptionPriv: [UInt8]
        @HexBytes var signaturePriv: [UInt8]
        let pathSecrets: [NodeSecret]
    }

    struct NodeSecret: Decodable {
        let node: UInt32
        @HexBytes var pathSecret: [UInt8]
    }

    struct PathEntry: Decodable {
        let sender: UInt32
        @HexBytes var updatePath: [UInt8]
        let pathSecrets: [HexElement?]
        @HexBytes var commitSecret: [UInt8]
        @HexBytes var treeHashAfter: [UInt8]
    }

    /// The members whose private state the entry gives.
    struct Members {
        var states: [LeafIndex: TreeKEMPrivateState] = [:]
        var signatureKeys: [LeafIndex: SignaturePrivateKey] = [:]
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func summary(of entry: Entry) -> String? { "\(entry.updatePaths.count) update paths" }

    /// Checks one entry; the items are (path, receiver) pairs processed.
    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        let tree = try step("ratchet_tree") {
            try RatchetTreeState(RatchetTree.decode(entry.ratchetTree), provider: provider)
        }
        let members = try loadMembers(entry, tree, provider, &check)
        var processed = 0
        for (position, path) in entry.updatePaths.enumerated() {
            processed += try checkGivenPath(path, "update_paths[\(position)]", entry, tree, members, provider, &check)
            processed += try checkNewPath(path, "update_paths[\(position)]", entry, tree, members, provider, &check)
        }
        return processed
    }

    private static func loadMembers(
        _ entry: Entry,
        _ tree: RatchetTreeState,
        _ provider: any CipherSuiteProvider,
        _ check: inout EntryCheck
    ) throws(EntryFailure) -> Members {
        var members = Members()
        for member in entry.leavesPrivate {
            let leaf = try require(LeafIndex(rawValue: member.index), "leaves_private index \(member.index)")
            var state = TreeKEMPrivateState(
                leaf: leaf,
                leafPrivateKey: HPKEPrivateKey(SecretBytes(copying: member.encryptionPriv))
            )
            for secret in member.pathSecrets {
                try step("leaves_private[\(member.index)] path secret of node \(secret.node)") {
                    try state.setPathSecret(
                        SecretBytes(copying: secret.pathSecret),
                        at: NodeIndex(secret.node),
                        provider: provider
                    )
                }
            }
            check.expect(
                state.isConsistent(with: tree),
                "leaves_private[\(member.index)] is inconsistent with the tree"
            )
            members.states[leaf] = state
            members.signatureKeys[leaf] = SignaturePrivateKey(SecretBytes(copying: member.signaturePriv))
        }
        return members
    }

    private static func context(
        _ entry: Entry,
        _ provider: any CipherSuiteProvider,
        _ treeHash: [UInt8]
    ) -> GroupContext {
        GroupContext(
            cipherSuite: provider.cipherSuite,
            groupID: entry.groupId,
            epoch: entry.epoch,
            treeHash: treeHash,
            confirmedTranscriptHash: entry.confirmedTranscriptHash,
            extensions: []
        )
    }

    /// Merges the vector's UpdatePath and has every other member apply it; returns the receivers processed.
    private static func checkGivenPath(
        _ path: PathEntry,
        _ place: String,
        _ entry: Entry,
        _ tree: RatchetTreeState,
        _ members: Members,
        _ provider: any CipherSuiteProvider,
        _ check: inout EntryCheck
    ) throws(EntryFailure) -> Int {
        let sender = try require(LeafIndex(rawValue: path.sender), "\(place).sender")
        let updatePath = try step("\(place).update_path") { try UpdatePath.decode(path.updatePath) }
        var merged = tree
        try step("\(place): merging") { try merged.merge(updatePath, from: sender, groupID: entry.groupId) }
        check.expectEqual(merged.treeHash, path.treeHashAfter, "\(place).tree_hash_after")
        check.expect(merged.parentHashViolations().isEmpty, "\(place): parent hashes do not verify after merging")
        var processed = 0
        for (receiver, state) in members.states where receiver != sender {
            var state = state
            let who = "\(place) at leaf \(receiver.rawValue)"
            let secrets = try step("\(who): applying") {
                try state.apply(
                    updatePath,
                    from: sender,
                    mergedTree: merged,
                    groupContext: context(entry, provider, merged.treeHash)
                )
            }
            let position = Int(receiver.rawValue)
            let expected = try require(
                position < path.pathSecrets.count ? path.pathSecrets[position] : nil,
                "\(place).path_secrets[\(position)] is missing"
            )
            check.expectSecret(secrets.pathSecret, expected.bytes, "\(place).path_secrets[\(position)]")
            check.expectSecret(secrets.commitSecret, path.commitSecret, "\(who): commit_secret")
            check.expect(state.isConsistent(with: merged), "\(who): private state inconsistent after applying")
            processed += 1
        }
        return processed
    }

    /// Creates a new UpdatePath from the same sender and has every other member process it; returns the receivers.
    private static func checkNewPath(
        _ path: PathEntry,
        _ place: String,
        _ entry: Entry,
        _ tree: RatchetTreeState,
        _ members: Members,
        _ provider: any CipherSuiteProvider,
        _ check: inout EntryCheck
    ) throws(EntryFailure) -> Int {
        let sender = try require(LeafIndex(rawValue: path.sender), "\(place).sender")
        let signatureKey = try require(members.signatureKeys[sender], "\(place): no private keys for the sender")
        var creatorTree = tree
        var generator = DeterministicGenerator(seed: UInt64(path.sender) + 1)
        let created = try step("\(place): creating a new path") {
            try creatorTree.createUpdatePath(
                from: sender,
                signaturePrivateKey: signatureKey,
                groupID: entry.groupId,
                groupContext: { context(entry, provider, $0) },
                using: &generator
            )
        }
        check.expect(created.privateState.isConsistent(with: creatorTree), "\(place): new path's state inconsistent")
        check.expect(creatorTree.parentHashViolations().isEmpty, "\(place): new path's parent hashes do not verify")
        var processed = 0
        for (receiver, state) in members.states where receiver != sender {
            let who = "\(place) (new path) at leaf \(receiver.rawValue)"
            var receiverTree = tree
            try step("\(who): merging") {
                try receiverTree.merge(created.updatePath, from: sender, groupID: entry.groupId)
            }
            check.expectEqual(receiverTree.treeHash, creatorTree.treeHash, "\(who): tree hash")
            var state = state
            let secrets = try step("\(who): applying") {
                try state.apply(
                    created.updatePath,
                    from: sender,
                    mergedTree: receiverTree,
                    groupContext: created.groupContext
                )
            }
            check.expect(
                secrets.commitSecret == created.commitSecret,
                "\(who): commit secret differs from the creator's"
            )
            processed += 1
        }
        return processed
    }
}
