/// Tree hashes (RFC 9420 §7.8).
extension RatchetTreeState {
    /// The tree hash of the root: the `tree_hash` of the GroupContext (§8.1).
    public var treeHash: [UInt8] { treeHash(of: size.root) }

    /// The tree hash of `index` (§7.8), memoised; empty outside the tree.
    public func treeHash(of index: NodeIndex) -> [UInt8] {
        assert(pendingHashNodes.isEmpty, "tree hashes read before refreshTreeHashes()")
        return size.contains(index) ? treeHashes[Int(index.rawValue)] : []
    }

    /// Recomputes the tree hash of every node, leaves first: O(n) hashes.
    mutating func recomputeAllTreeHashes() {
        pendingHashNodes.removeAll()
        let rootLevel = size.root.level
        for level in 0...rootLevel {
            // Nodes of level k sit at positions (2^k - 1) + j · 2^(k+1).
            let first = (1 << level) - 1
            for position in stride(from: first, to: nodes.count, by: 1 << (level + 1)) {
                treeHashes[position] = computeTreeHash(of: NodeIndex(UInt32(position)))
            }
        }
    }

    /// Recomputes the tree hashes of the nodes changed since the last refresh and of their ancestors, lower levels
    /// first so that children are up to date before their parents.
    mutating func refreshTreeHashes() {
        guard !pendingHashNodes.isEmpty else { return }
        var stale = Set<NodeIndex>()
        for node in pendingHashNodes where stale.insert(node).inserted {
            var current = node
            // Each step raises the level by one: at most 31 steps, and it stops at an ancestor already marked.
            while let parent = current.parent(in: size), stale.insert(parent).inserted { current = parent }
        }
        pendingHashNodes.removeAll()
        for node in stale.sorted(by: { ($0.level, $0.rawValue) < ($1.level, $1.rawValue) }) {
            treeHashes[Int(node.rawValue)] = computeTreeHash(of: node)
        }
    }

    /// `Hash(TreeHashInput)` of `index` from the memoised hashes of its children.
    private func computeTreeHash(of index: NodeIndex) -> [UInt8] {
        let node = nodes[Int(index.rawValue)]
        if let leaf = index.leafIndex {
            guard case .leaf(let leafNode)? = node else { return leafHash(leaf, nil) }
            return leafHash(leaf, leafNode)
        }
        guard let left = index.left, let right = index.right else { return [] }
        guard case .parent(let parentNode)? = node else {
            return parentHash(nil, left: treeHashes[Int(left.rawValue)], right: treeHashes[Int(right.rawValue)])
        }
        return parentHash(parentNode, left: treeHashes[Int(left.rawValue)], right: treeHashes[Int(right.rawValue)])
    }

    /// `Hash(TreeHashInput)` for a leaf: `node_type = leaf`, `LeafNodeHashInput { leaf_index; optional leaf_node }`.
    private func leafHash(_ leaf: LeafIndex, _ leafNode: LeafNode?) -> [UInt8] {
        var writer = TLSWriter()
        NodeType.leaf.encode(to: &writer)
        leaf.encode(to: &writer)
        writer.writeOptional(leafNode)
        return provider.hash(writer.bytes)
    }

    /// `Hash(TreeHashInput)` for a parent: `node_type = parent`, `ParentNodeHashInput { optional parent_node;
    /// left_hash; right_hash }`.
    private func parentHash(_ parentNode: ParentNode?, left: [UInt8], right: [UInt8]) -> [UInt8] {
        var writer = TLSWriter()
        NodeType.parent.encode(to: &writer)
        writer.writeOptional(parentNode)
        writer.writeOpaque(left)
        writer.writeOpaque(right)
        return provider.hash(writer.bytes)
    }

    /// The tree hash of `index` in the tree where each of `removedLeaves` is blank and taken out of every parent's
    /// unmerged leaves: the `original_sibling_tree_hash` of §7.9. Subtrees holding none of the removed leaves reuse
    /// their memoised hash, so the cost is O(removed leaves · tree depth).
    func treeHash(of index: NodeIndex, removing removedLeaves: [LeafIndex]) -> [UInt8] {
        let inside = removedLeaves.filter { covers(index, $0) }
        guard !inside.isEmpty else { return size.contains(index) ? treeHashes[Int(index.rawValue)] : [] }
        if let leaf = index.leafIndex { return leafHash(leaf, nil) }
        guard let left = index.left, let right = index.right else { return [] }
        let leftHash = treeHash(of: left, removing: inside)
        let rightHash = treeHash(of: right, removing: inside)
        guard var parentNode = parentNode(at: index) else { return parentHash(nil, left: leftHash, right: rightHash) }
        let removed = Set(inside)
        parentNode.unmergedLeaves.removeAll { removed.contains($0) }
        return parentHash(parentNode, left: leftHash, right: rightHash)
    }

    /// Whether `leaf` lies in the subtree under `index`.
    func covers(_ index: NodeIndex, _ leaf: LeafIndex) -> Bool {
        let level = index.level
        // The subtree under a node of level k spans node positions [index - (2^k - 1), index + (2^k - 1)].
        let span = (UInt64(1) << level) - 1
        let position = UInt64(leaf.nodeIndex.rawValue)
        let center = UInt64(index.rawValue)
        return position + span >= center && position <= center + span
    }
}
