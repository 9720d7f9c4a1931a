/// Parent hashes (RFC 9420 §7.9) and their verification (§7.9.2).
extension RatchetTreeState {
    /// The parent hash of `parent` with copath child `copathChild` (§7.9): `Hash(ParentHashInput { encryption_key;
    /// parent_hash; original_sibling_tree_hash })`, where the sibling's tree hash is taken with the parent's unmerged
    /// leaves blanked. Nil when `parent` is blank.
    public func parentHash(of parent: NodeIndex, copathChild: NodeIndex) -> [UInt8]? {
        guard let parentNode = parentNode(at: parent) else { return nil }
        let siblingHash = treeHash(of: copathChild, removing: parentNode.unmergedLeaves)
        return Self.parentHash(
            encryptionKey: parentNode.encryptionKey,
            parentHash: parentNode.parentHash,
            originalSiblingTreeHash: siblingHash,
            provider: provider
        )
    }

    /// `Hash(ParentHashInput)` (§7.9) from its fields.
    static func parentHash(
        encryptionKey: HPKEPublicKey,
        parentHash: [UInt8],
        originalSiblingTreeHash: [UInt8],
        provider: any CipherSuiteProvider
    ) -> [UInt8] {
        var writer = TLSWriter()
        encryptionKey.encode(to: &writer)
        writer.writeOpaque(parentHash)
        writer.writeOpaque(originalSiblingTreeHash)
        return provider.hash(writer.bytes)
    }

    /// The `parent_hash` field of the node at `index`: a parent node's, or a leaf node's when its source is `commit`;
    /// nil for blank nodes and other leaves.
    func parentHashField(of index: NodeIndex) -> [UInt8]? {
        switch node(at: index) {
        case .parent(let parentNode): parentNode.parentHash
        case .leaf(let leafNode):
            if case .commit(let parentHash) = leafNode.source { parentHash } else { nil }
        case nil: nil
        }
    }

    /// The non-blank parent nodes that are not parent-hash valid (§7.9.2), with the number of descendants `D` for
    /// which each is valid (one is required). Checked top down: for each non-blank parent `P` and each child `C`
    /// (sibling `S`), a node `D` in the resolution of `C` counts when `D.parent_hash` is the parent hash of `P` with
    /// copath child `S`, and `P`'s unmerged leaves under `C` are exactly the resolution of `C` without `D`.
    public func parentHashViolations() -> [(parent: NodeIndex, validDescendants: Int)] {
        var violations: [(parent: NodeIndex, validDescendants: Int)] = []
        for position in stride(from: 1, to: nodes.count, by: 2) {
            let parent = NodeIndex(UInt32(position))
            guard let parentNode = parentNode(at: parent), let left = parent.left, let right = parent.right else {
                continue
            }
            let count =
                validDescendantCount(parent, parentNode, child: left, sibling: right)
                + validDescendantCount(parent, parentNode, child: right, sibling: left)
            if count != 1 { violations.append((parent, count)) }
        }
        return violations
    }

    /// How many nodes `D` in the resolution of `child` have a parent hash valid with respect to `parent` (§7.9.2).
    private func validDescendantCount(
        _ parent: NodeIndex,
        _ parentNode: ParentNode,
        child: NodeIndex,
        sibling: NodeIndex
    ) -> Int {
        let resolution = resolution(of: child)
        let unmergedUnderChild = Set(parentNode.unmergedLeaves.filter { covers(child, $0) }.map(\.nodeIndex))
        // The resolution without D must equal the unmerged leaves under C, so D is the one resolution entry that is
        // not such an unmerged leaf, and the sizes must match.
        guard resolution.count == unmergedUnderChild.count + 1 else { return 0 }
        let candidates = resolution.filter { !unmergedUnderChild.contains($0) }
        guard candidates.count == 1, Set(resolution).count == resolution.count else { return 0 }
        guard let expected = parentHash(of: parent, copathChild: sibling),
            let actual = parentHashField(of: candidates[0]),
            actual == expected
        else { return 0 }
        return 1
    }
}
