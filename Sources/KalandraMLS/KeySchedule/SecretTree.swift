import KalandraCrypto

/// The secret tree of one epoch (RFC 9420 §9): from the `encryption_secret` at the root, a secret for every node of
/// the ratchet tree's shape, and for every leaf a handshake and an application `HashRatchet`.
///
/// Secrets are derived lazily, when a leaf's ratchets are first needed, and deleted as they are consumed (§9.2): a
/// node's secret is released once its children's secrets are derived, and a leaf's once its two ratchets are
/// started. Only the secrets of nodes not yet on any used path remain stored.
public struct SecretTree: Sendable {
    /// The two ratchets of a leaf (§9, §9.1).
    public enum RatchetType: Sendable, Hashable {
        /// The ratchet for Proposal and Commit content, started from `ExpandWithLabel(leaf, "handshake", "", Nh)`.
        case handshake
        /// The ratchet for application data, started from `ExpandWithLabel(leaf, "application", "", Nh)`.
        case application
    }

    private struct LeafRatchets: Sendable {
        var handshake: HashRatchet
        var application: HashRatchet
    }

    /// The shape of the tree: the group's ratchet tree size.
    public let treeSize: TreeSize
    /// The limits every leaf ratchet is created with.
    public let limits: RatchetLimits

    private let provider: any CipherSuiteProvider
    /// Secrets of nodes whose children have not been derived yet; the root's at first.
    private var nodeSecrets: [NodeIndex: SecretBytes]
    /// The ratchets of the leaves used so far.
    private var ratchets: [LeafIndex: LeafRatchets] = [:]

    /// The tree of an epoch whose `encryption_secret` (`KDF.Nh` bytes) is `encryptionSecret`, for a group of
    /// `treeSize`. The tree holds the secret from here on; the caller should drop its own reference (§9.2).
    public init(
        encryptionSecret: SecretBytes,
        treeSize: TreeSize,
        provider: any CipherSuiteProvider,
        limits: RatchetLimits = .default
    ) throws(MLSError) {
        try provider.checkSecretLength(encryptionSecret, "encryption_secret")
        self.treeSize = treeSize
        self.limits = limits
        self.provider = provider
        self.nodeSecrets = [treeSize.root: encryptionSecret]
    }

    /// How many node secrets are still stored (for checking the deletion schedule).
    public var storedNodeSecretCount: Int { nodeSecrets.count }

    /// The next key and nonce of `leaf`'s ratchet of `type`, for sending (§9.1).
    public mutating func nextKey(for leaf: LeafIndex, type: RatchetType) throws(MLSError) -> RatchetKeyNonce {
        var pair = try leafRatchets(for: leaf)
        defer { ratchets[leaf] = pair }
        switch type {
        case .handshake: return try pair.handshake.next()
        case .application: return try pair.application.next()
        }
    }

    /// The key and nonce of `generation` in `leaf`'s ratchet of `type`, for a received message (§9.1); see
    /// `HashRatchet.key(for:)` for the retention rules and the ways this fails.
    public mutating func key(
        for leaf: LeafIndex,
        type: RatchetType,
        generation: UInt32
    ) throws(MLSError) -> RatchetKeyNonce {
        var pair = try leafRatchets(for: leaf)
        defer { ratchets[leaf] = pair }
        switch type {
        case .handshake: return try pair.handshake.key(for: generation)
        case .application: return try pair.application.key(for: generation)
        }
    }

    /// The generation the next key of `leaf`'s ratchet of `type` will have: 0 for a ratchet not used yet, nil for a
    /// leaf outside the tree.
    public func generation(of leaf: LeafIndex, type: RatchetType) -> UInt32? {
        guard treeSize.contains(leaf) else { return nil }
        guard let pair = ratchets[leaf] else { return 0 }
        switch type {
        case .handshake: return pair.handshake.generation
        case .application: return pair.application.generation
        }
    }

    /// The ratchets of `leaf`, started now when it is the leaf's first use. The stored entry is removed while the
    /// caller uses the ratchets, so the mutation does not copy their retained keys.
    private mutating func leafRatchets(for leaf: LeafIndex) throws(MLSError) -> LeafRatchets {
        if let pair = ratchets.removeValue(forKey: leaf) { return pair }
        guard treeSize.contains(leaf) else {
            throw MLSError(.invalidValue("leaf is outside the secret tree"), context: "\(leaf), \(treeSize)")
        }
        let leafSecret = try deriveLeafSecret(leaf)
        return LeafRatchets(
            handshake: try startRatchet(leafSecret, label: "handshake"),
            application: try startRatchet(leafSecret, label: "application")
        )
    }

    private func startRatchet(_ leafSecret: SecretBytes, label: String) throws(MLSError) -> HashRatchet {
        let secret = try provider.expandWithLabel(
            secret: leafSecret,
            label: label,
            context: [],
            length: provider.kdfLength
        )
        return try HashRatchet(secret: secret, provider: provider, limits: limits)
    }

    /// Derives the secret of `leaf` from its lowest ancestor whose secret is stored, storing the secrets of the
    /// siblings along the way and deleting the consumed ones: the ancestor's and every node's between it and the leaf
    /// (§9.2). All derivations happen before the stored secrets change, so a failure leaves the tree as it was.
    private mutating func deriveLeafSecret(_ leaf: LeafIndex) throws(MLSError) -> SecretBytes {
        // The leaf's node and its direct path: at most 32 nodes, from the leaf up to the root.
        guard let directPath = leaf.directPath(in: treeSize) else {
            throw MLSError(.invalidValue("leaf is outside the secret tree"), context: "\(leaf), \(treeSize)")
        }
        let path = [leaf.nodeIndex] + directPath
        guard let start = path.firstIndex(where: { nodeSecrets[$0] != nil }), var secret = nodeSecrets[path[start]]
        else {
            // Every ancestor's secret is gone, so this leaf's ratchets were started and are held in `ratchets`;
            // reaching here means the tree's bookkeeping is broken.
            throw MLSError(.invalidValue("secret tree node secret was already consumed"), context: "\(leaf)")
        }
        var derivedSiblings: [(NodeIndex, SecretBytes)] = []
        for level in stride(from: start, to: 0, by: -1) {
            let (left, right) = try children(of: path[level], secret: secret)
            let onPath = path[level - 1]
            guard let leftNode = path[level].left, let rightNode = path[level].right else {
                throw MLSError(.invalidValue("secret tree parent has no children"), context: "\(path[level])")
            }
            if onPath == leftNode {
                derivedSiblings.append((rightNode, right))
                secret = left
            } else {
                derivedSiblings.append((leftNode, left))
                secret = right
            }
        }
        nodeSecrets.removeValue(forKey: path[start])
        for (node, siblingSecret) in derivedSiblings { nodeSecrets[node] = siblingSecret }
        return secret
    }

    /// `tree_node_[left(N)]_secret` and `tree_node_[right(N)]_secret` (§9).
    private func children(
        of node: NodeIndex,
        secret: SecretBytes
    ) throws(MLSError) -> (left: SecretBytes, right: SecretBytes) {
        let left = try provider.expandWithLabel(
            secret: secret,
            label: "tree",
            context: Array("left".utf8),
            length: provider.kdfLength
        )
        let right = try provider.expandWithLabel(
            secret: secret,
            label: "tree",
            context: Array("right".utf8),
            length: provider.kdfLength
        )
        return (left, right)
    }
}

// MARK: - Saving and restoring (MLSGroup+Persistence.swift)

extension SecretTree {
    /// The stored node secrets in node order; for saving the tree.
    var storedNodeSecrets: [(node: NodeIndex, secret: SecretBytes)] {
        nodeSecrets.keys.sorted().compactMap { node in nodeSecrets[node].map { (node, $0) } }
    }

    /// The ratchets of the leaves used so far, in leaf order; for saving the tree.
    var startedRatchets: [(leaf: LeafIndex, handshake: HashRatchet, application: HashRatchet)] {
        ratchets.keys.sorted().compactMap { leaf in ratchets[leaf].map { (leaf, $0.handshake, $0.application) } }
    }

    /// A tree restored from the parts `storedNodeSecrets` and `startedRatchets` gave. Throws unless they could
    /// belong to a tree of `treeSize`: nodes and leaves inside it, each in strictly increasing order, `KDF.Nh`-byte
    /// secrets, and every leaf either started or below exactly one stored node, no stored node below another (the
    /// deletion schedule of §9.2 keeps exactly this shape; anything else would derive a key twice or lose one).
    init(
        restoring treeSize: TreeSize,
        limits: RatchetLimits,
        provider: any CipherSuiteProvider,
        nodeSecrets: [(node: NodeIndex, secret: SecretBytes)],
        startedRatchets: [(leaf: LeafIndex, handshake: HashRatchet, application: HashRatchet)]
    ) throws(MLSError) {
        var secrets: [NodeIndex: SecretBytes] = [:]
        var previousNode: NodeIndex?
        for (node, secret) in nodeSecrets {
            guard treeSize.contains(node), previousNode.map({ $0 < node }) ?? true else {
                throw MLSError(.invalidValue("secret tree nodes out of the tree or out of order"), context: "\(node)")
            }
            try provider.checkSecretLength(secret, "secret tree node secret")
            secrets[node] = secret
            previousNode = node
        }
        var leafRatchets: [LeafIndex: LeafRatchets] = [:]
        var previousLeaf: LeafIndex?
        for (leaf, handshake, application) in startedRatchets {
            guard treeSize.contains(leaf), previousLeaf.map({ $0 < leaf }) ?? true else {
                throw MLSError(.invalidValue("secret tree leaves out of the tree or out of order"), context: "\(leaf)")
            }
            leafRatchets[leaf] = LeafRatchets(handshake: handshake, application: application)
            previousLeaf = leaf
        }
        // No stored node on the path from another stored node or a started leaf to the root, and together they
        // cover every leaf once: the stored subtrees and the started leaves partition the leaves.
        var covered: UInt64 = UInt64(leafRatchets.count)
        for node in Array(secrets.keys) + leafRatchets.keys.map(\.nodeIndex) {
            for ancestor in node.directPath(in: treeSize) ?? [] where secrets[ancestor] != nil {
                throw MLSError(.invalidValue("secret tree stores \(ancestor) above \(node)"))
            }
        }
        for (leaf, _) in leafRatchets where secrets[leaf.nodeIndex] != nil {
            throw MLSError(.invalidValue("secret tree stores the secret of a started leaf"), context: "\(leaf)")
        }
        for node in secrets.keys { covered += UInt64(1) << node.level }
        guard covered == UInt64(treeSize.leafCount) else {
            throw MLSError(
                .invalidValue("secret tree covers \(covered) of \(treeSize.leafCount) leaves"),
                context: "§9.2 deletion schedule"
            )
        }
        self.treeSize = treeSize
        self.limits = limits
        self.provider = provider
        self.nodeSecrets = secrets
        self.ratchets = leafRatchets
    }
}
