import KalandraCrypto

/// A member's private view of the ratchet tree (RFC 9420 §7.4–§7.6): its leaf and the HPKE private keys it holds,
/// for its leaf and for the nodes above it whose path secrets it learnt. Keys are `SecretBytes`, wiped on release.
public struct TreeKEMPrivateState: Sendable {
    /// The member's leaf.
    public let leaf: LeafIndex
    /// The private keys held, by node.
    private var privateKeys: [NodeIndex: HPKEPrivateKey]

    /// The state of the member at `leaf` holding only its leaf's private key.
    public init(leaf: LeafIndex, leafPrivateKey: HPKEPrivateKey) {
        self.leaf = leaf
        self.privateKeys = [leaf.nodeIndex: leafPrivateKey]
    }

    /// The nodes whose private keys are held, in array order.
    public var nodesWithPrivateKeys: [NodeIndex] { privateKeys.keys.sorted() }

    /// The private key held for `node`, if any.
    public func privateKey(at node: NodeIndex) -> HPKEPrivateKey? { privateKeys[node] }

    /// The key pair of a node whose path secret is `pathSecret` (§7.4): `node_secret = DeriveSecret(path_secret,
    /// "node")`, then `KEM.DeriveKeyPair(node_secret)`.
    public static func nodeKeyPair(
        pathSecret: SecretBytes,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> HPKEKeyPair {
        let nodeSecret = try provider.deriveSecret(secret: pathSecret, label: "node")
        return try provider.deriveHPKEKeyPair(inputKeyMaterial: nodeSecret)
    }

    /// Stores the private key derived from `pathSecret` at `node` and returns its public key.
    @discardableResult
    public mutating func setPathSecret(
        _ pathSecret: SecretBytes,
        at node: NodeIndex,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> HPKEPublicKey {
        let keyPair = try Self.nodeKeyPair(pathSecret: pathSecret, provider: provider)
        privateKeys[node] = keyPair.privateKey
        return keyPair.publicKey
    }

    /// Drops the private keys of parent nodes that are blank in `tree`: proposals blank nodes (§12.1.2, §12.1.3),
    /// and a key for a blank node must not be used again.
    mutating func dropKeys(ofBlankNodesIn tree: RatchetTreeState) {
        for node in Array(privateKeys.keys) where node != leaf.nodeIndex && tree.isBlank(node) {
            privateKeys[node] = nil
        }
    }

    /// Replaces the leaf's private key, when an Update proposal of this member is committed (§12.1.2).
    mutating func replaceLeafPrivateKey(_ key: HPKEPrivateKey) {
        privateKeys[leaf.nodeIndex] = key
    }

    /// Derives the private keys of `committer`'s filtered direct path from `node` upwards, starting from
    /// `pathSecret` (a Welcome's `path_secret`, §12.4.3.1), and checks each public key against `tree`.
    mutating func setPathSecrets(
        from pathSecret: SecretBytes,
        at node: NodeIndex,
        committer: LeafIndex,
        tree: RatchetTreeState
    ) throws(MLSError) {
        guard let filtered = tree.filteredDirectPath(of: committer), let start = filtered.firstIndex(of: node) else {
            throw MLSError(.pathSecretMismatch, context: "\(node) is not on the committer's filtered direct path")
        }
        var current = pathSecret
        for parent in filtered[start...] {
            guard try setPathSecret(current, at: parent, provider: tree.provider) == tree.encryptionKey(at: parent)
            else {
                throw MLSError(.pathSecretMismatch, context: "\(parent)")
            }
            current = try tree.provider.deriveSecret(secret: current, label: "path")
        }
    }

    /// Whether every private key held belongs to a non-blank node of `tree` with the matching public key, and the
    /// leaf is in the tree.
    public func isConsistent(with tree: RatchetTreeState) -> Bool {
        guard tree.leafNode(at: leaf) != nil else { return false }
        for (node, privateKey) in privateKeys {
            guard let publicKey = tree.encryptionKey(at: node),
                let derived = try? tree.provider.hpkePublicKey(for: privateKey),
                derived == publicKey
            else { return false }
        }
        return true
    }

    /// Processes the UpdatePath `path` of the member at `sender` (§7.5, §12.4.2) once it is merged into `tree`
    /// (`RatchetTreeState.merge(_:from:groupID:)`): finds the lowest node of the sender's filtered direct path above
    /// this member, decrypts its path secret with a private key of the copath child's resolution (without
    /// `newMembers`, who get their secrets through the Welcome) under the provisional `groupContext`, derives the
    /// path secrets above it, checks every derived public key against the path, and replaces the private keys of
    /// the sender's direct path. Nothing changes when it throws.
    public mutating func apply(
        _ path: UpdatePath,
        from sender: LeafIndex,
        mergedTree tree: RatchetTreeState,
        groupContext: GroupContext,
        newMembers: Set<LeafIndex> = []
    ) throws(MLSError) -> UpdatePathSecrets {
        guard sender != leaf else {
            throw MLSError(.invalidValue("a member cannot process its own UpdatePath"), context: "§12.4.2")
        }
        let filtered = tree.filteredDirectPathWithCopath(of: sender)
        guard filtered.count == path.nodes.count else {
            throw MLSError(.invalidValue("UpdatePath does not fit the sender's filtered direct path"), context: "§7.6")
        }
        let ancestor = leaf.nodeIndex.commonAncestor(with: sender.nodeIndex)
        guard let position = filtered.firstIndex(where: { $0.parent == ancestor }) else {
            throw MLSError(.invalidValue("no path node above \(leaf) in the UpdatePath"), context: "§12.4.2")
        }
        let resolution = tree.resolution(of: filtered[position].copathChild, excluding: newMembers)
        let ciphertexts = path.nodes[position].encryptedPathSecret
        guard ciphertexts.count == resolution.count else {
            throw MLSError(
                .invalidValue("\(ciphertexts.count) encrypted path secrets for a resolution of \(resolution.count)"),
                context: "UpdatePath node \(position), §7.6"
            )
        }
        guard let slot = resolution.firstIndex(where: { privateKeys[$0] != nil }),
            let key = privateKeys[resolution[slot]]
        else { throw MLSError(.invalidValue("no private key for the copath resolution"), context: "§12.4.2") }
        var decrypted = try tree.provider.decryptWithLabel(
            privateKey: key,
            label: "UpdatePathNode",
            context: groupContext.encoded(),
            ciphertext: ciphertexts[slot]
        )
        let pathSecret = SecretBytes(copying: decrypted)
        Zeroize.bytes(&decrypted)
        var updated = self
        for node in sender.directPath(in: tree.size) ?? [] { updated.privateKeys[node] = nil }
        var current = pathSecret
        for index in position..<filtered.count {
            let publicKey = try updated.setPathSecret(current, at: filtered[index].parent, provider: tree.provider)
            guard publicKey == path.nodes[index].encryptionKey else {
                throw MLSError(
                    .invalidValue("derived public key differs from the UpdatePath's"),
                    context: "UpdatePath node \(index), §12.4.2"
                )
            }
            current = try tree.provider.deriveSecret(secret: current, label: "path")
        }
        self = updated
        return UpdatePathSecrets(node: ancestor, pathSecret: pathSecret, commitSecret: current)
    }
}

/// What processing an UpdatePath yields (§12.4.2): the path secret decrypted for `node` (the lowest common ancestor
/// of sender and receiver, which a Welcome's `path_secret` also carries) and the `commit_secret` for the key
/// schedule (§8).
public struct UpdatePathSecrets: Sendable {
    /// The node whose path secret was decrypted.
    public let node: NodeIndex
    /// The decrypted path secret.
    public let pathSecret: SecretBytes
    /// `commit_secret`: the path secret one step past the root (§8).
    public let commitSecret: SecretBytes
}

// MARK: - Restoring (MLSGroup+Persistence.swift)

extension TreeKEMPrivateState {
    /// The state of the member at `leaf` holding `privateKeys`, as `nodesWithPrivateKeys` and `privateKey(at:)`
    /// listed them when it was saved. Throws unless the leaf's own key is among them; whether the keys fit a tree
    /// is `isConsistent(with:)`'s to check.
    init(restoring leaf: LeafIndex, privateKeys: [NodeIndex: HPKEPrivateKey]) throws(MLSError) {
        guard privateKeys[leaf.nodeIndex] != nil else {
            throw MLSError(.invalidValue("no private key for the member's own leaf"), context: "\(leaf)")
        }
        self.leaf = leaf
        self.privateKeys = privateKeys
    }
}
