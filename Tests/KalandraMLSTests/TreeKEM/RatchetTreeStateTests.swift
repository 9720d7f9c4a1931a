import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// Malformed trees, broken validation rules and misuse of RatchetTreeState and TreeKEMPrivateState (RFC 9420 §7,
/// §12.1, §12.4.2, §12.4.3), on trees from tree-validation.json and treekem.json (suite 1).
@Suite struct RatchetTreeStateTests {
    struct ValidationVector: Decodable {
        let cipherSuite: UInt16
        @HexEncoded var tree: [UInt8]
        @HexEncoded var groupId: [UInt8]
    }

    let provider: any CipherSuiteProvider
    let vectors: [ValidationVector]

    init() throws {
        provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        vectors = try VectorLoader.load([ValidationVector].self, from: "tree-validation.json")
    }

    /// Vector `index`'s tree and group ID.
    private func fixture(_ index: Int) throws -> (tree: RatchetTreeState, groupID: [UInt8]) {
        (try RatchetTreeState(RatchetTree.decode(vectors[index].tree), provider: provider), vectors[index].groupId)
    }

    @Test func importRefusesMalformedTrees() throws {
        expectError(.invalidValue("ratchet tree has no nodes")) {
            _ = try RatchetTreeState(RatchetTree(nodes: []), provider: provider)
        }
        let (tree, _) = try fixture(0)
        let nodes = tree.ratchetTree.nodes
        expectError(.invalidValue("ratchet tree ends with a blank node")) {
            _ = try RatchetTreeState(RatchetTree(nodes: nodes + [nil]), provider: provider)
        }
        expectError(.invalidValue("leaf node at parent position")) {
            _ = try RatchetTreeState(RatchetTree(nodes: [nodes[0], nodes[0], nodes[2]]), provider: provider)
        }
    }

    @Test func accessorsAndBlankTrees() throws {
        let (tree, _) = try fixture(0)
        #expect(tree.leafCount == 2)
        #expect(tree.nonBlankLeaves.count == 2)
        #expect(!tree.isBlank(NodeIndex(1)))
        #expect(tree.isBlank(NodeIndex(99)))
        #expect(tree.parentNode(at: NodeIndex(0)) == nil)
        #expect(tree.treeHash(of: NodeIndex(99)).isEmpty)
        #expect(tree.resolution(of: NodeIndex(99)).isEmpty)
        #expect(tree.filteredDirectPath(of: LeafIndex(rawValue: 0)!) == [NodeIndex(1)])
        #expect(tree.filteredDirectPath(of: LeafIndex(rawValue: 5)!) == nil)
        #expect(tree.parentHash(of: NodeIndex(0), copathChild: NodeIndex(2)) == nil)
        let blank = RatchetTreeState(blankTreeOf: TreeSize(leafCount: 4)!, provider: provider)
        #expect(blank.nonBlankLeaves.isEmpty)
        #expect(blank.resolution(of: blank.size.root).isEmpty)
        let founder = RatchetTreeState(
            founder: try #require(tree.leafNode(at: LeafIndex(rawValue: 0)!)),
            provider: provider
        )
        #expect(founder.leafCount == 1)
        #expect(founder.ratchetTree.nodes.count == 1)
    }

    @Test func validationNamesTheBrokenRule() throws {
        let (tree, groupID) = try fixture(13)
        #expect(tree.firstViolation(groupID: groupID) == nil)
        #expect(tree.firstViolation(groupID: groupID, treeHash: [1]) == .treeHashMismatch)
        #expect(tree.firstViolation(groupID: [9]) == .leafSignatureInvalid(LeafIndex(rawValue: 0)!))
        expectError(.invalidValue(RatchetTreeViolation.treeHashMismatch.description)) {
            try tree.validate(groupID: groupID, treeHash: [1])
        }

        var nodes = tree.ratchetTree.nodes
        guard case .leaf(var leaf0)? = nodes[0], case .leaf(let leaf1)? = nodes[2] else {
            Issue.record("fixture leaves")
            return
        }
        leaf0.encryptionKey = leaf1.encryptionKey
        nodes[0] = .leaf(leaf0)
        var broken = try RatchetTreeState(RatchetTree(nodes: nodes), provider: provider)
        #expect(broken.firstViolation(groupID: groupID) == .duplicateEncryptionKey(NodeIndex(0), NodeIndex(2)))

        nodes = tree.ratchetTree.nodes
        leaf0 = try #require(tree.leafNode(at: LeafIndex(rawValue: 0)!))
        leaf0.signatureKey = leaf1.signatureKey
        nodes[0] = .leaf(leaf0)
        broken = try RatchetTreeState(RatchetTree(nodes: nodes), provider: provider)
        #expect(
            broken.firstViolation(groupID: groupID)
                == .duplicateSignatureKey(LeafIndex(rawValue: 0)!, LeafIndex(rawValue: 1)!)
        )
    }

    @Test func capabilityAndParentHashRules() throws {
        let (tree, groupID) = try fixture(13)
        var nodes = tree.ratchetTree.nodes
        var leaf0 = try #require(tree.leafNode(at: LeafIndex(rawValue: 0)!))
        leaf0.extensions.append(Extension(extensionType: ExtensionType(rawValue: 0xff00), extensionData: []))
        nodes[0] = .leaf(leaf0)
        var broken = try RatchetTreeState(RatchetTree(nodes: nodes), provider: provider)
        let violation = broken.firstViolation(groupID: groupID)
        // The signature no longer covers the leaf either; it is checked first.
        #expect(violation == .leafSignatureInvalid(LeafIndex(rawValue: 0)!))

        nodes = tree.ratchetTree.nodes
        guard case .parent(var parent)? = nodes[1] else {
            Issue.record("fixture parent")
            return
        }
        parent.parentHash = [0]
        nodes[1] = .parent(parent)
        broken = try RatchetTreeState(RatchetTree(nodes: nodes), provider: provider)
        #expect(broken.parentHashViolations().contains { $0.parent == NodeIndex(1) })
        #expect(broken.firstViolation(groupID: groupID) != nil)
        for violation in [
            RatchetTreeViolation.parentHashInvalid(parent: NodeIndex(1), validDescendants: 0),
            .leafExtensionNotInCapabilities(LeafIndex(rawValue: 0)!, ExtensionType(rawValue: 9)),
            .leafCredentialNotInCapabilities(LeafIndex(rawValue: 0)!, .x509),
            .unmergedLeafNotDescendant(parent: NodeIndex(1), leaf: LeafIndex(rawValue: 3)!),
            .unmergedLeafBlank(parent: NodeIndex(1), leaf: LeafIndex(rawValue: 3)!),
            .unmergedLeafMissingBelow(parent: NodeIndex(3), intermediate: NodeIndex(1), leaf: LeafIndex(rawValue: 0)!),
        ] {
            #expect(violation.description.contains("§"))
        }
    }

    @Test func unmergedLeafRules() throws {
        // get_tree(8) plus an added member: leaf 7 is unmerged at its non-blank ancestors.
        let (tree, groupID) = try fixture(12)
        let rootIndex = tree.size.root
        let root = try #require(tree.parentNode(at: rootIndex))
        var nodes = tree.ratchetTree.nodes

        var outside = root
        outside.unmergedLeaves.append(LeafIndex(rawValue: 100)!)
        nodes[Int(rootIndex.rawValue)] = .parent(outside)
        var broken = try RatchetTreeState(RatchetTree(nodes: nodes), provider: provider)
        #expect(
            broken.firstViolation(groupID: groupID)
                == .unmergedLeafNotDescendant(parent: rootIndex, leaf: LeafIndex(rawValue: 100)!)
        )

        nodes = tree.ratchetTree.nodes
        nodes[2] = nil
        var blankLeaf = root
        blankLeaf.unmergedLeaves = [LeafIndex(rawValue: 1)!]
        nodes[Int(rootIndex.rawValue)] = .parent(blankLeaf)
        broken = try RatchetTreeState(RatchetTree(nodes: nodes), provider: provider)
        #expect(
            broken.firstViolation(groupID: groupID)
                == .unmergedLeafBlank(parent: rootIndex, leaf: LeafIndex(rawValue: 1)!)
        )

        nodes = tree.ratchetTree.nodes
        var missing = root
        missing.unmergedLeaves = [LeafIndex(rawValue: 0)!]
        nodes[Int(rootIndex.rawValue)] = .parent(missing)
        broken = try RatchetTreeState(RatchetTree(nodes: nodes), provider: provider)
        let violation = try #require(broken.firstViolation(groupID: groupID))
        guard case .unmergedLeafMissingBelow(rootIndex, _, LeafIndex(rawValue: 0)!) = violation else {
            Issue.record("unexpected \(violation)")
            return
        }

        // Unsorted or repeated lists are refused before anything searches them (a hostile list of 2^20 repeats
        // would otherwise cost quadratic time).
        for list in [[7, 7], [7, 6], [6, 7, 7]] {
            nodes = tree.ratchetTree.nodes
            var unsorted = root
            unsorted.unmergedLeaves = list.map { LeafIndex(rawValue: UInt32($0))! }
            nodes[Int(rootIndex.rawValue)] = .parent(unsorted)
            broken = try RatchetTreeState(RatchetTree(nodes: nodes), provider: provider)
            #expect(broken.firstViolation(groupID: groupID) == .unmergedLeavesNotSorted(parent: rootIndex), "\(list)")
        }
    }

    /// Leaves that came from KeyPackages are checked against the time the caller gives, when it gives one.
    @Test func lifetimesAreCheckedAgainstTheGivenTime() throws {
        var generator = DeterministicGenerator(seed: 7)
        let signatureKeys = provider.generateSignatureKeyPair(using: &generator)
        let encryptionKeys = try provider.generateHPKEKeyPair(using: &generator)
        var leaf = LeafNode(
            encryptionKey: encryptionKeys.publicKey,
            signatureKey: signatureKeys.publicKey,
            credential: .basic(identity: Array("alice".utf8)),
            capabilities: Capabilities(
                versions: [.mls10],
                cipherSuites: [provider.cipherSuite],
                extensions: [],
                proposals: [],
                credentials: [.basic]
            ),
            source: .keyPackage(Lifetime(notBeforeSeconds: 1_000, notAfterSeconds: 2_000)),
            extensions: [],
            signature: []
        )
        let groupID = Array("group".utf8)
        try leaf.sign(
            groupID: groupID,
            leafIndex: LeafIndex(rawValue: 0)!,
            privateKey: signatureKeys.privateKey,
            provider: provider
        )
        let tree = RatchetTreeState(founder: leaf, provider: provider)
        #expect(tree.firstViolation(groupID: groupID) == nil)
        for now: UInt64 in [1_000, 1_500, 2_000] {
            #expect(tree.firstViolation(groupID: groupID, nowSeconds: now) == nil)
        }
        for now: UInt64 in [0, 999, 2_001, .max] {
            #expect(
                tree.firstViolation(groupID: groupID, nowSeconds: now) == .leafLifetimeExpired(LeafIndex(rawValue: 0)!)
            )
        }
        expectError(.invalidValue(RatchetTreeViolation.leafLifetimeExpired(LeafIndex(rawValue: 0)!).description)) {
            try tree.validate(groupID: groupID, nowSeconds: 5_000)
        }
    }

    /// A blank node costs a byte on the wire; a tree over the leaf limit is refused before anything is allocated.
    @Test func importRefusesTreesOverTheLeafLimit() throws {
        let (tree, _) = try fixture(0)
        let leaf = tree.ratchetTree.nodes[0]
        let blanks = [Node?](repeating: nil, count: 2 * 8 - 2)
        expectError(.lengthLimitExceeded(length: 16, limit: 15)) {
            _ = try RatchetTreeState(RatchetTree(nodes: blanks + [nil, leaf]), provider: provider, maximumLeafCount: 8)
        }
        let atLimit = try RatchetTreeState(RatchetTree(nodes: blanks + [leaf]), provider: provider, maximumLeafCount: 8)
        #expect(atLimit.leafCount == 8)
        #expect(RatchetTreeState.defaultMaximumLeafCount == 65_536)
    }

    @Test func membershipChangesRefuseBlankLeaves() throws {
        var (tree, _) = try fixture(0)
        let leaf = try #require(tree.leafNode(at: LeafIndex(rawValue: 1)!))
        expectError(.invalidValue("leaf 5 is blank or outside the tree")) {
            try tree.remove(LeafIndex(rawValue: 5)!)
        }
        expectError(.invalidValue("leaf 5 is blank or outside the tree")) {
            try tree.update(LeafIndex(rawValue: 5)!, with: leaf)
        }
        try tree.remove(LeafIndex(rawValue: 1)!)
        #expect(tree.leafCount == 1)
        let added = try tree.add(leaf)
        #expect(added == LeafIndex(rawValue: 1)!)
        #expect(tree.leafCount == 2)
        try tree.add(leaf)
        #expect(tree.leafCount == 4)
    }

    /// The batch add fills blanks left to right and extends the tree exactly as one add after another does, on
    /// every tree of tree-validation.json (blanks, unmerged leaves and non-blank parents included).
    @Test func batchAddEqualsAddsOneByOne() throws {
        for index in vectors.indices where vectors[index].cipherSuite == 1 {
            var (sequential, _) = try fixture(index)
            var batch = sequential
            let template = try #require(sequential.nonBlankLeaves.first.flatMap { sequential.leafNode(at: $0) })
            let newcomers = (0..<Int(sequential.leafCount) + 3).map { count in
                var leaf = template
                leaf.signature = [UInt8(truncatingIfNeeded: count)]  // distinct leaves, distinct tree hashes
                return leaf
            }
            var oneByOne: [LeafIndex] = []
            for leaf in newcomers { oneByOne.append(try sequential.add(leaf)) }
            #expect(try batch.add(newcomers) == oneByOne, "vector \(index)")
            #expect(batch.treeHash == sequential.treeHash, "vector \(index)")
            #expect(batch.ratchetTree == sequential.ratchetTree, "vector \(index)")
        }
    }

    @Test func updatePathMisuseIsRefused() throws {
        let (tree, groupID) = try fixture(13)
        var generator = DeterministicGenerator(seed: 7)
        var committerTree = tree
        let sender = LeafIndex(rawValue: 0)!
        expectError(.invalidValue("committer leaf 100 is blank or outside the tree")) {
            _ = try committerTree.createUpdatePath(
                from: LeafIndex(rawValue: 100)!,
                signaturePrivateKey: SignaturePrivateKey(SecretBytes(copying: [UInt8](repeating: 1, count: 32))),
                groupID: groupID,
                groupContext: { self.context($0, groupID) },
                using: &generator
            )
        }
        let created = try committerTree.createUpdatePath(
            from: sender,
            signaturePrivateKey: SignaturePrivateKey(SecretBytes(copying: [UInt8](repeating: 1, count: 32))),
            groupID: groupID,
            newMembers: [LeafIndex(rawValue: 1)!],
            groupContext: { self.context($0, groupID) },
            using: &generator
        )
        #expect(created.pathSecrets.count == created.updatePath.nodes.count)
        var receiver = tree
        // The leaf was re-signed with another key than the one in its leaf node.
        expectError(.signatureInvalid) { try receiver.merge(created.updatePath, from: sender, groupID: groupID) }
        expectError(.invalidValue("UpdatePath sender leaf 100 is blank or outside the tree")) {
            try receiver.merge(created.updatePath, from: LeafIndex(rawValue: 100)!, groupID: groupID)
        }
        var notCommit = created.updatePath
        notCommit.leafNode.source = .update
        expectError(.invalidValue("UpdatePath leaf node source is not commit")) {
            try receiver.merge(notCommit, from: sender, groupID: groupID)
        }
        #expect(receiver.treeHash == tree.treeHash)

        var state = created.privateState
        expectError(.invalidValue("a member cannot process its own UpdatePath")) {
            _ = try state.apply(
                created.updatePath,
                from: sender,
                mergedTree: committerTree,
                groupContext: created.groupContext
            )
        }
        var other = TreeKEMPrivateState(
            leaf: LeafIndex(rawValue: 1)!,
            leafPrivateKey: HPKEPrivateKey(SecretBytes(copying: [UInt8](repeating: 2, count: 32)))
        )
        #expect(!other.isConsistent(with: tree))
        #expect(other.nodesWithPrivateKeys == [NodeIndex(2)])
        var shortPath = created.updatePath
        shortPath.nodes.removeLast()
        expectError(.invalidValue("UpdatePath does not fit the sender's filtered direct path")) {
            _ = try other.apply(shortPath, from: sender, mergedTree: committerTree, groupContext: created.groupContext)
        }
        // Leaf 1 was excluded as a new member, so nothing was encrypted to it.
        expectError(.invalidValue("0 encrypted path secrets for a resolution of 1")) {
            _ = try other.apply(
                created.updatePath,
                from: sender,
                mergedTree: committerTree,
                groupContext: created.groupContext
            )
        }
        #expect(other.privateKey(at: NodeIndex(1)) == nil)
    }

    private func context(_ treeHash: [UInt8], _ groupID: [UInt8]) -> GroupContext {
        GroupContext(
            cipherSuite: .x25519Aes128GcmSha256Ed25519,
            groupID: groupID,
            epoch: 1,
            treeHash: treeHash,
            confirmedTranscriptHash: [],
            extensions: []
        )
    }
}
