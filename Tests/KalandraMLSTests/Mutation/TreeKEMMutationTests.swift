import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// treekem.json (RFC 9420 §7.6, §12.4.2) with one byte flipped in every encrypted path secret of an UpdatePath (its
/// ciphertext, or its KEM output): the path still merges, since the ciphertexts are not part of the tree, but no
/// receiver can decrypt its path secret; and with each UpdatePath validation rule of §12.4.2 broken (the leaf node
/// re-signed with the sender's key), which `merge` refuses without changing the tree; for suites 1 and 3.
@Suite struct TreeKEMMutationTests {
    struct Vector: SuiteTaggedVector {
        let cipherSuite: UInt16
        @HexEncoded var groupId: [UInt8]
        let epoch: UInt64
        @HexEncoded var confirmedTranscriptHash: [UInt8]
        @HexEncoded var ratchetTree: [UInt8]
        let leavesPrivate: [LeafPrivate]
        let updatePaths: [PathEntry]
    }

    struct LeafPrivate: Decodable {
        let index: UInt32
        @HexEncoded var encryptionPriv: [UInt8]
        @HexEncoded var signaturePriv: [UInt8]
        let pathSecrets: [NodeSecret]
    }

    struct NodeSecret: Decodable {
        let node: UInt32
        @HexEncoded var pathSecret: [UInt8]
    }

    struct PathEntry: Decodable {
        let sender: UInt32
        @HexEncoded var updatePath: [UInt8]
    }

    /// Which part of each `HPKECiphertext` is flipped.
    enum Field: CaseIterable {
        case ciphertext
        case kemOutput
    }

    @Test(arguments: Field.allCases)
    func flippedEncryptedPathSecretIsRefused(_ field: Field) throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "treekem.json") {
            let tree = try RatchetTreeState(RatchetTree.decode(vector.ratchetTree), provider: provider)
            let states = try privateStates(vector, provider: provider)
            for (pathNumber, entry) in vector.updatePaths.enumerated() {
                let sender = try #require(LeafIndex(rawValue: entry.sender))
                let path = try UpdatePath.decode(entry.updatePath)
                // The position rotates with the path so that first, middle and last bytes all occur.
                let mutated = flipped(path, field: field, rotatingBy: pathNumber)
                var merged = tree
                try merged.merge(mutated, from: sender, groupID: vector.groupId)
                let context = GroupContext(
                    cipherSuite: provider.cipherSuite,
                    groupID: vector.groupId,
                    epoch: vector.epoch,
                    treeHash: merged.treeHash,
                    confirmedTranscriptHash: vector.confirmedTranscriptHash,
                    extensions: []
                )
                for (receiver, state) in states where receiver != sender {
                    var state = state
                    let what = "suite \(vector.cipherSuite) \(sender) → \(receiver) \(field) flipped"
                    expectRejection(.decryptionFailed, what) {
                        _ = try state.apply(mutated, from: sender, mergedTree: merged, groupContext: context)
                    }
                    // A refused path changes nothing: the state still matches the tree before the commit.
                    #expect(state.isConsistent(with: tree), "\(what)")
                    checked += 1
                }
            }
        }
        #expect(checked > 0)
    }

    /// One broken rule of UpdatePath validation (§12.4.2, §7.3).
    enum BrokenRule: CaseIterable {
        case leafKeyUnchanged
        case leafKeyElsewhereInTree
        case pathKeyElsewhereInTree
        case pathKeyRepeated
        case sourceNotCommit
        case extensionNotInCapabilities
        case credentialNotInCapabilities

        /// The error `merge` must throw.
        var kind: MLSError.Kind {
            switch self {
            case .leafKeyUnchanged: .updatePathLeafKeyUnchanged
            case .leafKeyElsewhereInTree, .pathKeyElsewhereInTree, .pathKeyRepeated: .updatePathDuplicateEncryptionKey
            case .sourceNotCommit: .updatePathLeafSourceNotCommit
            case .extensionNotInCapabilities, .credentialNotInCapabilities: .updatePathLeafNodeInvalid
            }
        }
    }

    @Test(arguments: BrokenRule.allCases)
    func updatePathBreakingARuleIsRefused(_ rule: BrokenRule) throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "treekem.json") {
            let tree = try RatchetTreeState(RatchetTree.decode(vector.ratchetTree), provider: provider)
            for entry in vector.updatePaths {
                let sender = try #require(LeafIndex(rawValue: entry.sender))
                let path = try UpdatePath.decode(entry.updatePath)
                let mutation = (rule: rule, sender: sender)
                guard let mutated = try broken(path, mutation, tree: tree, vector: vector, provider: provider) else {
                    continue
                }
                var merged = tree
                expectRejection(rule.kind, "suite \(vector.cipherSuite) \(sender) \(rule)") {
                    try merged.merge(mutated, from: sender, groupID: vector.groupId)
                }
                #expect(merged.treeHash == tree.treeHash, "a refused UpdatePath changed the tree")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    /// `path` of `sender` with `rule` broken and its leaf node re-signed with the sender's signature key, or nil when
    /// the rule cannot be broken in this tree (no other key to copy, a path too short to repeat a key).
    private func broken(
        _ path: UpdatePath,
        _ mutation: (rule: BrokenRule, sender: LeafIndex),
        tree: RatchetTreeState,
        vector: Vector,
        provider: any CipherSuiteProvider
    ) throws -> UpdatePath? {
        let (rule, sender) = mutation
        var mutated = path
        let otherKey = (0..<tree.leafCount).lazy
            .compactMap { LeafIndex(rawValue: UInt32($0)) }
            .filter { $0 != sender }
            .compactMap { tree.encryptionKey(at: $0.nodeIndex) }
            .first
        switch rule {
        case .leafKeyUnchanged:
            mutated.leafNode.encryptionKey = try #require(tree.encryptionKey(at: sender.nodeIndex))
        case .leafKeyElsewhereInTree:
            guard let otherKey else { return nil }
            mutated.leafNode.encryptionKey = otherKey
        case .pathKeyElsewhereInTree:
            guard let otherKey, !mutated.nodes.isEmpty else { return nil }
            mutated.nodes[0].encryptionKey = otherKey
        case .pathKeyRepeated:
            guard mutated.nodes.count >= 2 else { return nil }
            mutated.nodes[1].encryptionKey = mutated.nodes[0].encryptionKey
        case .sourceNotCommit: mutated.leafNode.source = .update
        case .extensionNotInCapabilities:
            mutated.leafNode.extensions.append(
                Extension(extensionType: ExtensionType(rawValue: 0xF0F0), extensionData: [])
            )
        case .credentialNotInCapabilities: mutated.leafNode.capabilities.credentials = []
        }
        let signer = try #require(vector.leavesPrivate.first { $0.index == sender.rawValue })
        try mutated.leafNode.sign(
            groupID: vector.groupId,
            leafIndex: sender,
            privateKey: SignaturePrivateKey(SecretBytes(copying: signer.signaturePriv)),
            provider: provider
        )
        return mutated
    }

    /// Every member's private state from the vector's path secrets.
    private func privateStates(
        _ vector: Vector,
        provider: any CipherSuiteProvider
    ) throws -> [LeafIndex: TreeKEMPrivateState] {
        var states: [LeafIndex: TreeKEMPrivateState] = [:]
        for entry in vector.leavesPrivate {
            let leaf = try #require(LeafIndex(rawValue: entry.index))
            var state = TreeKEMPrivateState(
                leaf: leaf,
                leafPrivateKey: HPKEPrivateKey(SecretBytes(copying: entry.encryptionPriv))
            )
            for secret in entry.pathSecrets {
                _ = try state.setPathSecret(
                    SecretBytes(copying: secret.pathSecret),
                    at: NodeIndex(secret.node),
                    provider: provider
                )
            }
            states[leaf] = state
        }
        return states
    }

    /// `path` with one byte of `field` flipped in every encrypted path secret of every node.
    private func flipped(_ path: UpdatePath, field: Field, rotatingBy selector: Int) -> UpdatePath {
        var mutated = path
        for node in mutated.nodes.indices {
            for slot in mutated.nodes[node].encryptedPathSecret.indices {
                var sealed = mutated.nodes[node].encryptedPathSecret[slot]
                switch field {
                case .ciphertext:
                    sealed.ciphertext = ByteFlip.variant(of: sealed.ciphertext, rotatingBy: selector).bytes
                case .kemOutput: sealed.kemOutput = ByteFlip.variant(of: sealed.kemOutput, rotatingBy: selector).bytes
                }
                mutated.nodes[node].encryptedPathSecret[slot] = sealed
            }
        }
        return mutated
    }
}
