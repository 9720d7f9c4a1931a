/// The size of a ratchet tree. RFC 9420 trees are always full (§7.1): the leaf count is a power of two, from 1 up to
/// 2^31 so that every node index fits in 32 bits.
public struct TreeSize: Hashable, Sendable, CustomStringConvertible {
    /// The largest leaf count, 2^31.
    public static let maximumLeafCount: UInt32 = 1 << 31

    /// The number of leaves, a power of two.
    public let leafCount: UInt32

    /// A tree of `leafCount` leaves, or nil unless it is a power of two in 1...2^31.
    public init?(leafCount: UInt32) {
        guard leafCount > 0, leafCount <= Self.maximumLeafCount, leafCount & (leafCount - 1) == 0 else { return nil }
        self.leafCount = leafCount
    }

    /// The smallest full tree holding at least `minimumLeafCount` leaves, or nil above 2^31.
    public init?(minimumLeafCount: UInt32) {
        guard minimumLeafCount <= Self.maximumLeafCount else { return nil }
        var count: UInt32 = 1
        while count < minimumLeafCount { count <<= 1 }
        self.leafCount = count
    }

    /// The number of nodes, `2 · leafCount - 1` (Appendix C `node_width`).
    public var nodeWidth: UInt32 { 2 * (leafCount - 1) + 1 }

    /// The root node (Appendix C `root`).
    public var root: NodeIndex { NodeIndex((1 << (31 - nodeWidth.leadingZeroBitCount)) - 1) }

    /// Whether `node` lies inside the tree.
    public func contains(_ node: NodeIndex) -> Bool { node.rawValue < nodeWidth }

    /// Whether `leaf` lies inside the tree.
    public func contains(_ leaf: LeafIndex) -> Bool { leaf.rawValue < leafCount }

    /// The leaf count.
    public var description: String { "\(leafCount) leaves" }
}
