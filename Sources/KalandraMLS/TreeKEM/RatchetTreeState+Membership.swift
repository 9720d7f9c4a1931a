/// How Add, Update and Remove proposals change the tree (RFC 9420 §12.1.1–§12.1.3). Validating the proposals
/// themselves (signatures, capabilities, lifetimes) happens before they are applied.
extension RatchetTreeState {
    /// Adds `leafNode` (§12.1.1): into the leftmost blank leaf, or, when there is none, into the first leaf of a new
    /// right subtree after extending the tree; the new leaf joins the unmerged leaves of every non-blank parent on its
    /// direct path. Returns the new member's leaf.
    @discardableResult
    public mutating func add(_ leafNode: LeafNode) throws(MLSError) -> LeafIndex {
        let firstBlank = stride(from: 0, to: nodes.count, by: 2).first { nodes[$0] == nil }
        let position: Int
        if let firstBlank {
            position = firstBlank
        } else {
            position = nodes.count + 1
            try extend()
        }
        // Node positions are below 2^32 and even here.
        guard let leaf = NodeIndex(UInt32(position)).leafIndex else {
            throw MLSError(.invalidValue("no leaf position for a new member"), context: "§12.1.1")
        }
        setNode(.leaf(leafNode), at: leaf.nodeIndex)
        for parent in leaf.directPath(in: size) ?? [] {
            guard var parentNode = parentNode(at: parent) else { continue }
            parentNode.unmergedLeaves.append(leaf)
            setNode(.parent(parentNode), at: parent)
        }
        refreshTreeHashes()
        return leaf
    }

    /// Adds `leafNodes` in order, each as `add(_:)` would (§12.1.1: the leftmost blank leaf, extending the tree when
    /// there is none), with one forward scan for blank leaves and one tree-hash refresh for the whole batch, so a
    /// commit adding thousands of members costs time linear in the tree's size. Returns the new members' leaves.
    public mutating func add(_ leafNodes: [LeafNode]) throws(MLSError) -> [LeafIndex] {
        var leaves: [LeafIndex] = []
        leaves.reserveCapacity(leafNodes.count)
        // Every leaf left of the cursor is non-blank: a blank one would have been filled first.
        var position = 0
        for leafNode in leafNodes {
            while position < nodes.count, nodes[position] != nil { position += 2 }
            if position >= nodes.count { try extend() }
            // Node positions are below 2^32 and even here.
            guard let leaf = NodeIndex(UInt32(position)).leafIndex else {
                throw MLSError(.invalidValue("no leaf position for a new member"), context: "§12.1.1")
            }
            setNode(.leaf(leafNode), at: leaf.nodeIndex)
            for parent in leaf.directPath(in: size) ?? [] {
                guard case .parent(var parentNode) = nodes[Int(parent.rawValue)] else { continue }
                // Take the node out so its unmerged-leaf list is appended to in place, not copied.
                nodes[Int(parent.rawValue)] = nil
                parentNode.unmergedLeaves.append(leaf)
                setNode(.parent(parentNode), at: parent)
            }
            leaves.append(leaf)
            position += 2
        }
        refreshTreeHashes()
        return leaves
    }

    /// Replaces the leaf node of `leaf` with `leafNode` and blanks the leaf's direct path (§12.1.2). Refuses a blank
    /// or absent leaf.
    public mutating func update(_ leaf: LeafIndex, with leafNode: LeafNode) throws(MLSError) {
        guard self.leafNode(at: leaf) != nil else {
            throw MLSError(.invalidValue("\(leaf) is blank or outside the tree"), context: "Update, §12.1.2")
        }
        setNode(.leaf(leafNode), at: leaf.nodeIndex)
        blankDirectPath(of: leaf)
        refreshTreeHashes()
    }

    /// Blanks `leaf` and its direct path, then truncates the tree while its right subtree is blank (§12.1.3).
    /// Refuses a blank or absent leaf.
    public mutating func remove(_ leaf: LeafIndex) throws(MLSError) {
        guard leafNode(at: leaf) != nil else {
            throw MLSError(.invalidValue("\(leaf) is blank or outside the tree"), context: "Remove, §12.1.3")
        }
        setNode(nil, at: leaf.nodeIndex)
        blankDirectPath(of: leaf)
        truncate()
        refreshTreeHashes()
    }

    /// Blanks every node on the direct path of `leaf`.
    mutating func blankDirectPath(of leaf: LeafIndex) {
        for parent in leaf.directPath(in: size) ?? [] where nodes[Int(parent.rawValue)] != nil {
            setNode(nil, at: parent)
        }
    }
}
