import KalandraCrypto

/// UpdatePaths on the public tree (RFC 9420 §7.5, §7.6, §12.4.2): merging a received one, and creating one.
extension RatchetTreeState {
    /// The label path secrets are encrypted under (§7.6).
    static let updatePathNodeLabel = "UpdatePathNode"

    /// The filtered direct path of `leaf` (§4.1.2) with, for each node, its child on the leaf's copath.
    func filteredDirectPathWithCopath(of leaf: LeafIndex) -> [(parent: NodeIndex, copathChild: NodeIndex)] {
        guard let directPath = leaf.directPath(in: size), let copath = leaf.copath(in: size) else { return [] }
        return zip(directPath, copath).filter { !resolutionIsEmpty($0.1) }.map { ($0.0, $0.1) }
    }

    /// The resolution of `index` without the leaves of `newMembers` (§7.6: new members get their path secret from
    /// the Welcome).
    func resolution(of index: NodeIndex, excluding newMembers: Set<LeafIndex>) -> [NodeIndex] {
        let resolution = resolution(of: index)
        guard !newMembers.isEmpty else { return resolution }
        return resolution.filter { node in node.leafIndex.map { !newMembers.contains($0) } ?? true }
    }

    /// The encryption key of the node at `index`, or nil when it is blank.
    public func encryptionKey(at index: NodeIndex) -> HPKEPublicKey? {
        switch node(at: index) {
        case .leaf(let leafNode): leafNode.encryptionKey
        case .parent(let parentNode): parentNode.encryptionKey
        case nil: nil
        }
    }

    /// Merges the UpdatePath `path` of the member at `sender` into the tree (§7.5 "merges UpdatePath into the
    /// tree"). First it validates the path (§12.4.2, §7.3) without changing anything: the leaf node's source is
    /// `commit`, its encryption key differs from the sender's current one, its extensions and credential type are in
    /// its capabilities, no key of the path (leaf or parent) appears in the tree or twice in the path, its signature
    /// verifies for `groupID`, and the path has one node per node of the sender's filtered direct path. Then it
    /// blanks the direct path, sets the new keys with empty unmerged leaves, computes the parent hashes root first
    /// and checks the leaf node's `parent_hash` against them (§7.9.2). Nothing changes when it throws.
    ///
    /// `isNewLeaf` is for an external commit (§12.4.3.2): the joiner's leaf was just added with the path's own leaf
    /// node, so its key is not compared with itself.
    public mutating func merge(
        _ path: UpdatePath,
        from sender: LeafIndex,
        groupID: [UInt8],
        isNewLeaf: Bool = false
    ) throws(MLSError) {
        guard let currentLeaf = leafNode(at: sender) else {
            throw MLSError(
                .invalidValue("UpdatePath sender \(sender) is blank or outside the tree"),
                context: "§12.4.2"
            )
        }
        guard case .commit(let signedParentHash) = path.leafNode.source else {
            throw MLSError(.updatePathLeafSourceNotCommit, context: "§7.3, §12.4.2")
        }
        guard isNewLeaf || path.leafNode.encryptionKey != currentLeaf.encryptionKey else {
            throw MLSError(.updatePathLeafKeyUnchanged, context: "\(sender)")
        }
        if let violation = capabilityViolation(of: path.leafNode, at: sender) {
            throw MLSError(.updatePathLeafNodeInvalid, context: violation.description)
        }
        try checkUpdatePathKeysAreNew(path, ignoring: isNewLeaf ? sender.nodeIndex : nil)
        try path.leafNode.verifySignature(groupID: groupID, leafIndex: sender, provider: provider)
        let filtered = filteredDirectPathWithCopath(of: sender)
        guard filtered.count == path.nodes.count else {
            throw MLSError(
                .invalidValue(
                    "UpdatePath has \(path.nodes.count) nodes for a filtered direct path of \(filtered.count)"
                ),
                context: "§7.6"
            )
        }
        var updated = self
        let leafParentHash = updated.setPath(filtered, keys: path.nodes.map(\.encryptionKey), below: sender)
        guard leafParentHash == signedParentHash else {
            throw MLSError(.invalidValue("UpdatePath leaf node parent hash does not match the path"), context: "§7.9.2")
        }
        updated.setNode(.leaf(path.leafNode), at: sender.nodeIndex)
        updated.refreshTreeHashes()
        self = updated
    }

    /// Throws `updatePathDuplicateEncryptionKey` when a key of `path` (its leaf node's, or a path node's) is the
    /// encryption key of a node of the tree, or occurs twice in the path (§7.3, §12.4.2: every encryption key in the
    /// tree is unique). The path holds at most one key per level, so this is linear in the tree's size.
    private func checkUpdatePathKeysAreNew(_ path: UpdatePath, ignoring ignored: NodeIndex?) throws(MLSError) {
        var treeKeys: [HPKEPublicKey: NodeIndex] = [:]
        for position in nodes.indices {
            let index = NodeIndex(UInt32(position))
            if index != ignored, let key = encryptionKey(at: index) { treeKeys[key] = index }
        }
        var pathKeys: Set<HPKEPublicKey> = []
        let keys = [path.leafNode.encryptionKey] + path.nodes.map(\.encryptionKey)
        for (position, key) in keys.enumerated() {
            let place = position == 0 ? "the leaf node" : "path node \(position - 1)"
            if let existing = treeKeys[key] {
                throw MLSError(.updatePathDuplicateEncryptionKey, context: "\(place) has the key of \(existing)")
            }
            guard pathKeys.insert(key).inserted else {
                throw MLSError(.updatePathDuplicateEncryptionKey, context: "\(place) repeats a key of the path")
            }
        }
    }

    /// Blanks the direct path of `leaf`, sets parent nodes with `keys` on its filtered direct path `filtered` with
    /// their parent hashes (root first, §7.9) and returns the parent hash the leaf node must carry.
    private mutating func setPath(
        _ filtered: [(parent: NodeIndex, copathChild: NodeIndex)],
        keys: [HPKEPublicKey],
        below leaf: LeafIndex
    ) -> [UInt8] {
        precondition(filtered.count == keys.count, "one key per filtered direct path node")
        blankDirectPath(of: leaf)
        var parentHash: [UInt8] = []
        for (entry, key) in zip(filtered, keys).reversed() {
            setNode(
                .parent(ParentNode(encryptionKey: key, parentHash: parentHash, unmergedLeaves: [])),
                at: entry.parent
            )
            // The copath child is not below the changed nodes, so its memoised tree hash is current.
            parentHash = Self.parentHash(
                encryptionKey: key,
                parentHash: parentHash,
                originalSiblingTreeHash: treeHashes[Int(entry.copathChild.rawValue)],
                provider: provider
            )
        }
        return parentHash
    }

    /// Creates an UpdatePath for the member at `leaf` (§7.4–§7.6, §12.4.2) and merges it into the tree: a fresh leaf
    /// key pair, a random first path secret and the secrets derived from it, the new parent nodes and parent hashes,
    /// the leaf node re-signed with source `commit` (its other fields kept, the signature with `signaturePrivateKey`),
    /// then each path secret encrypted to the copath child's resolution without `newMembers`, under the provisional
    /// GroupContext that `groupContext` builds from the new tree hash. Nothing changes when it throws.
    public mutating func createUpdatePath(
        from leaf: LeafIndex,
        signaturePrivateKey: SignaturePrivateKey,
        groupID: [UInt8],
        newMembers: Set<LeafIndex> = [],
        groupContext: (_ treeHash: [UInt8]) -> GroupContext,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> CreatedUpdatePath {
        guard var leafNode = leafNode(at: leaf) else {
            throw MLSError(.invalidValue("committer \(leaf) is blank or outside the tree"), context: "§12.4.2")
        }
        let filtered = filteredDirectPathWithCopath(of: leaf)
        let leafKeyPair = try provider.generateHPKEKeyPair(using: &generator)
        var privateState = TreeKEMPrivateState(leaf: leaf, leafPrivateKey: leafKeyPair.privateKey)
        var pathSecrets = [SecretBytes(randomCount: provider.kdfLength, using: &generator)]
        var keys: [HPKEPublicKey] = []
        for entry in filtered {
            keys.append(try privateState.setPathSecret(pathSecrets[keys.count], at: entry.parent, provider: provider))
            pathSecrets.append(try provider.deriveSecret(secret: pathSecrets[keys.count - 1], label: "path"))
        }
        var updated = self
        let parentHash = updated.setPath(filtered, keys: keys, below: leaf)
        leafNode.encryptionKey = leafKeyPair.publicKey
        leafNode.source = .commit(parentHash: parentHash)
        try leafNode.sign(groupID: groupID, leafIndex: leaf, privateKey: signaturePrivateKey, provider: provider)
        updated.setNode(.leaf(leafNode), at: leaf.nodeIndex)
        updated.refreshTreeHashes()
        let context = groupContext(updated.treeHash)
        let contextBytes = context.encoded()
        // Every path secret goes to the resolution of its copath child, all under the same context: one batch of
        // encryptions, drawing randomness in the order of the nodes and their resolutions.
        var recipients: [(publicKey: HPKEPublicKey, plaintext: [UInt8])] = []
        var recipientCounts: [Int] = []
        defer { for index in recipients.indices { Zeroize.bytes(&recipients[index].plaintext) } }
        for (index, entry) in filtered.enumerated() {
            let recipientKeys = updated.resolution(of: entry.copathChild, excluding: newMembers).compactMap {
                updated.encryptionKey(at: $0)
            }
            // The copies share one buffer; wiping each in turn ends with the last, unshared one wiped in place.
            let plaintext = pathSecrets[index].withUnsafeBytes { Array($0) }
            recipients.append(contentsOf: recipientKeys.map { ($0, plaintext) })
            recipientCounts.append(recipientKeys.count)
        }
        var ciphertexts = try provider.encryptWithLabel(
            recipients,
            label: Self.updatePathNodeLabel,
            context: contextBytes,
            using: &generator
        )[...]
        var pathNodes: [UpdatePathNode] = []
        for (index, count) in recipientCounts.enumerated() {
            pathNodes.append(
                UpdatePathNode(encryptionKey: keys[index], encryptedPathSecret: Array(ciphertexts.prefix(count)))
            )
            ciphertexts = ciphertexts.dropFirst(count)
        }
        self = updated
        return CreatedUpdatePath(
            updatePath: UpdatePath(leafNode: leafNode, nodes: pathNodes),
            privateState: privateState,
            pathSecrets: Array(zip(filtered.map(\.parent), pathSecrets)),
            commitSecret: pathSecrets[filtered.count],
            groupContext: context
        )
    }
}

/// What creating an UpdatePath yields (§12.4.2).
public struct CreatedUpdatePath: Sendable {
    /// The UpdatePath to send in the Commit.
    public let updatePath: UpdatePath
    /// The committer's private keys: its new leaf key and the keys of its filtered direct path.
    public let privateState: TreeKEMPrivateState
    /// The path secret of each node of the filtered direct path, leaf to root (for Welcome `path_secret`s).
    public let pathSecrets: [(node: NodeIndex, secret: SecretBytes)]
    /// `commit_secret`: the path secret one step past the root (§8).
    public let commitSecret: SecretBytes
    /// The provisional GroupContext the path secrets were encrypted under.
    public let groupContext: GroupContext
}
