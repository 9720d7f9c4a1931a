/// The public state of a ratchet tree (RFC 9420 §4.1, §7): a full binary tree in the array representation of
/// Appendix C, one optional node per position (`nil` is blank), with every node's tree hash (§7.8) kept up to date.
///
/// A value type: copies are independent. The node array always has `size.nodeWidth` entries; the `ratchet_tree`
/// extension's trailing blank nodes (§12.4.3.3) are added on import and dropped on export. Tree hashes are memoised
/// per node and, after a change, recomputed only for the changed nodes and their ancestors.
public struct RatchetTreeState: Sendable {
    /// The algorithms of the group's cipher suite (tree and parent hashes, signatures, HPKE).
    public let provider: any CipherSuiteProvider
    /// The tree's size: a power-of-two number of leaves (§7.1).
    public internal(set) var size: TreeSize
    /// The nodes in array order, `nil` where blank; always `size.nodeWidth` entries.
    var nodes: [Node?]
    /// The tree hash of each node, in array order; valid once `pendingHashNodes` is empty.
    var treeHashes: [[UInt8]]
    /// Nodes changed since the tree hashes were last refreshed.
    var pendingHashNodes: [NodeIndex] = []

    /// A tree of `size` whose nodes are all blank.
    public init(blankTreeOf size: TreeSize, provider: any CipherSuiteProvider) {
        self.provider = provider
        self.size = size
        self.nodes = Array(repeating: nil, count: Int(size.nodeWidth))
        self.treeHashes = Array(repeating: [], count: Int(size.nodeWidth))
        recomputeAllTreeHashes()
    }

    /// The tree a one-member group starts with (§11): `leaf` at leaf 0.
    public init(founder leaf: LeafNode, provider: any CipherSuiteProvider) {
        // A one-leaf tree always exists.
        self.init(blankTreeOf: TreeSize(leafCount: 1)!, provider: provider)
        setNode(.leaf(leaf), at: NodeIndex(0))
        refreshTreeHashes()
    }

    /// The largest tree a peer may hand us by default: 65,536 leaves (rooms of 10,000 members fit, with room to grow).
    public static let defaultMaximumLeafCount: UInt32 = 1 << 16

    /// The tree carried by a `ratchet_tree` extension (§12.4.3.3). Refuses an empty tree, a last node that is blank,
    /// more nodes than a tree of 2^31 leaves has, and a leaf node at a parent position or the reverse. The contents
    /// are not validated; `validate(groupID:treeHash:)` does that (§12.4.3.1).
    public init(
        _ tree: RatchetTree,
        provider: any CipherSuiteProvider,
        maximumLeafCount: UInt32 = RatchetTreeState.defaultMaximumLeafCount
    ) throws(MLSError) {
        let count = tree.nodes.count
        guard count > 0 else { throw MLSError(.invalidValue("ratchet tree has no nodes"), context: "§12.4.3.3") }
        // A blank node costs one byte on the wire but a slot, a hash and a hashing in memory: bound the tree before
        // allocating anything for it.
        let allowedNodes = 2 * Int(min(maximumLeafCount, TreeSize.maximumLeafCount)) - 1
        guard count <= allowedNodes else {
            throw MLSError(.lengthLimitExceeded(length: count, limit: allowedNodes), context: "ratchet tree nodes")
        }
        guard tree.nodes[count - 1] != nil else {
            throw MLSError(.invalidValue("ratchet tree ends with a blank node"), context: "§12.4.3.3")
        }
        let maximumNodeCount = Int(2 * (TreeSize.maximumLeafCount - 1) + 1)
        guard count <= maximumNodeCount,
            let size = TreeSize(minimumLeafCount: UInt32((count + 1) / 2 + (count + 1) % 2))
        else {
            throw MLSError(.lengthLimitExceeded(length: count, limit: maximumNodeCount), context: "ratchet tree nodes")
        }
        for (position, node) in tree.nodes.enumerated() {
            guard let node else { continue }
            let isLeafPosition = position % 2 == 0
            guard (node.nodeType == .leaf) == isLeafPosition else {
                throw MLSError(
                    .invalidValue("\(node.nodeType) node at \(isLeafPosition ? "leaf" : "parent") position"),
                    context: "ratchet tree node \(position)"
                )
            }
        }
        self.provider = provider
        self.size = size
        self.nodes = tree.nodes + Array(repeating: nil, count: Int(size.nodeWidth) - count)
        self.treeHashes = Array(repeating: [], count: Int(size.nodeWidth))
        recomputeAllTreeHashes()
    }

    /// The `ratchet_tree` extension value (§12.4.3.3): the nodes in array order without trailing blank nodes.
    public var ratchetTree: RatchetTree {
        let last = nodes.lastIndex { $0 != nil } ?? -1
        return RatchetTree(nodes: Array(nodes[...last]))
    }

    /// The number of leaves (blank or not), a power of two.
    public var leafCount: UInt32 { size.leafCount }

    /// The node at `index`, or nil when it is blank or outside the tree.
    public func node(at index: NodeIndex) -> Node? {
        size.contains(index) ? nodes[Int(index.rawValue)] : nil
    }

    /// The leaf node at `leaf`, or nil when it is blank or outside the tree.
    public func leafNode(at leaf: LeafIndex) -> LeafNode? {
        guard case .leaf(let leafNode) = node(at: leaf.nodeIndex) else { return nil }
        return leafNode
    }

    /// The parent node at `index`, or nil when it is blank, a leaf position or outside the tree.
    public func parentNode(at index: NodeIndex) -> ParentNode? {
        guard case .parent(let parentNode) = node(at: index) else { return nil }
        return parentNode
    }

    /// Whether the node at `index` is blank (positions outside the tree count as blank).
    public func isBlank(_ index: NodeIndex) -> Bool { node(at: index) == nil }

    /// The leaves holding a leaf node, in order.
    public var nonBlankLeaves: [LeafIndex] {
        stride(from: 0, to: nodes.count, by: 2).compactMap { position in
            nodes[position] == nil ? nil : LeafIndex(rawValue: UInt32(position / 2))
        }
    }

    /// The resolution of `index` (§4.1.1): the node itself and its unmerged leaves when it is not blank, nothing for a
    /// blank leaf, and the resolutions of both children, left first, for a blank parent. Empty outside the tree.
    public func resolution(of index: NodeIndex) -> [NodeIndex] {
        var result: [NodeIndex] = []
        appendResolution(of: index, to: &result)
        return result
    }

    private func appendResolution(of index: NodeIndex, to result: inout [NodeIndex]) {
        guard size.contains(index) else { return }
        switch nodes[Int(index.rawValue)] {
        case .leaf:
            result.append(index)
        case .parent(let parent):
            result.append(index)
            result.append(contentsOf: parent.unmergedLeaves.map(\.nodeIndex))
        case nil:
            // Recursion depth is the node's level, at most 31.
            guard let left = index.left, let right = index.right else { return }
            appendResolution(of: left, to: &result)
            appendResolution(of: right, to: &result)
        }
    }

    /// The filtered direct path of `leaf` (§4.1.2): its direct path without the nodes whose child on the copath has
    /// an empty resolution. Nil when the leaf is outside the tree.
    public func filteredDirectPath(of leaf: LeafIndex) -> [NodeIndex]? {
        guard let directPath = leaf.directPath(in: size), let copath = leaf.copath(in: size) else { return nil }
        return zip(directPath, copath).compactMap { parent, copathChild in
            resolutionIsEmpty(copathChild) ? nil : parent
        }
    }

    /// Whether the resolution of `index` is empty, i.e. every node below it is blank; stops at the first non-blank.
    func resolutionIsEmpty(_ index: NodeIndex) -> Bool {
        guard size.contains(index) else { return true }
        if nodes[Int(index.rawValue)] != nil { return false }
        guard let left = index.left, let right = index.right else { return true }
        return resolutionIsEmpty(left) && resolutionIsEmpty(right)
    }

    // MARK: - Changing nodes

    /// Sets the node at `index`; tree hashes stay stale until `refreshTreeHashes()`.
    mutating func setNode(_ node: Node?, at index: NodeIndex) {
        precondition(size.contains(index), "node \(index) outside a tree of \(size)")
        precondition(node.map { ($0.nodeType == .leaf) == index.isLeaf } ?? true, "node type does not fit \(index)")
        nodes[Int(index.rawValue)] = node
        pendingHashNodes.append(index)
    }

    /// Doubles the number of leaves (§7.7 "extending"): the old tree becomes the left subtree of a new blank root.
    mutating func extend() throws(MLSError) {
        guard size.leafCount < TreeSize.maximumLeafCount, let larger = TreeSize(leafCount: size.leafCount * 2) else {
            throw MLSError(.invalidValue("the tree already has 2^31 leaves"), context: "extending the tree")
        }
        let oldWidth = nodes.count
        size = larger
        nodes.append(contentsOf: repeatElement(nil, count: Int(larger.nodeWidth) - oldWidth))
        treeHashes.append(contentsOf: repeatElement([], count: Int(larger.nodeWidth) - oldWidth))
        pendingHashNodes.append(contentsOf: (UInt32(oldWidth)..<larger.nodeWidth).map { NodeIndex($0) })
    }

    /// Halves the tree while its right subtree is entirely blank (§7.7 "truncating"), keeping at least one leaf.
    mutating func truncate() {
        while size.leafCount > 1 {
            let rootPosition = Int(size.root.rawValue)
            guard nodes[(rootPosition + 1)...].allSatisfy({ $0 == nil }) else { return }
            // Halving a power of two above 1 gives a power of two.
            size = TreeSize(leafCount: size.leafCount / 2)!
            nodes.removeSubrange(rootPosition...)
            treeHashes.removeSubrange(rootPosition...)
            pendingHashNodes.removeAll { !size.contains($0) }
        }
    }
}
