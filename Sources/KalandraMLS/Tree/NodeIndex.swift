/// A node's position in the array representation of a ratchet tree (RFC 9420 Appendix C): leaves at even indices,
/// parents at odd ones. Relations that need the tree's size take a `TreeSize` and return nil outside the tree.
public struct NodeIndex: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The array index.
    public let rawValue: UInt32

    /// The node at array index `rawValue`.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The node at array index `value`.
    public init(_ value: UInt32) { self.rawValue = value }

    /// Whether this is a leaf (an even index).
    public var isLeaf: Bool { rawValue & 1 == 0 }

    /// The leaf at this node, or nil for a parent node.
    public var leafIndex: LeafIndex? { isLeaf ? LeafIndex(rawValue: rawValue >> 1) : nil }

    /// The height above the leaves: 0 for leaves, one more than the children's for parents (the trailing one bits).
    public var level: Int { (~rawValue).trailingZeroBitCount }

    /// The left child, or nil for a leaf.
    public var left: NodeIndex? {
        let level = level
        guard level > 0 else { return nil }
        return NodeIndex(rawValue ^ (1 << (level - 1)))
    }

    /// The right child, or nil for a leaf (or a node whose right child would lie beyond any tree).
    public var right: NodeIndex? {
        let level = level
        guard level > 0 else { return nil }
        let (child, overflow) = rawValue.addingReportingOverflow(1 << (level - 1))
        return overflow ? nil : NodeIndex(child)
    }

    /// The parent in a tree of `size`, or nil for the root and for nodes outside the tree.
    public func parent(in size: TreeSize) -> NodeIndex? {
        guard size.contains(self), self != size.root else { return nil }
        let level = level
        let bit = (rawValue >> (level + 1)) & 1
        return NodeIndex((rawValue | (1 << level)) ^ (bit << (level + 1)))
    }

    /// The other child of this node's parent in a tree of `size`, or nil for the root and nodes outside the tree.
    public func sibling(in size: TreeSize) -> NodeIndex? {
        guard let parent = parent(in: size) else { return nil }
        return self < parent ? parent.right : parent.left
    }

    /// The parent, its parent, and so on up to the root, for a node of a tree of `size`; empty for the root, nil
    /// outside the tree.
    public func directPath(in size: TreeSize) -> [NodeIndex]? {
        guard size.contains(self) else { return nil }
        var path: [NodeIndex] = []
        var node = self
        // Each step raises the level by one, so the loop ends within 32 steps.
        while let parent = node.parent(in: size) {
            path.append(parent)
            node = parent
        }
        return path
    }

    /// The siblings of this node and of each node of its direct path except the root, leaf to root; empty for the
    /// root, nil outside the tree.
    public func copath(in size: TreeSize) -> [NodeIndex]? {
        guard let directPath = directPath(in: size) else { return nil }
        guard !directPath.isEmpty else { return [] }
        var copath: [NodeIndex] = []
        for node in [self] + directPath.dropLast() {
            guard let sibling = node.sibling(in: size) else { return nil }
            copath.append(sibling)
        }
        return copath
    }

    /// The lowest node whose subtree holds both `self` and `other` (Appendix C `common_ancestor_direct`).
    public func commonAncestor(with other: NodeIndex) -> NodeIndex {
        let selfLevel = level + 1
        let otherLevel = other.level + 1
        if selfLevel <= otherLevel && rawValue >> otherLevel == other.rawValue >> otherLevel { return other }
        if otherLevel <= selfLevel && rawValue >> selfLevel == other.rawValue >> selfLevel { return self }
        var left = UInt64(rawValue)
        var right = UInt64(other.rawValue)
        var shift: UInt64 = 0
        while left != right {
            left >>= 1
            right >>= 1
            shift += 1
        }
        return NodeIndex(UInt32(truncatingIfNeeded: (left << shift) + (1 << (shift - 1)) - 1))
    }

    /// The decimal index.
    public var description: String { "node \(rawValue)" }

    public static func < (lhs: NodeIndex, rhs: NodeIndex) -> Bool { lhs.rawValue < rhs.rawValue }
}
