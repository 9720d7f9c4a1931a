/// `UpdatePath` (RFC 9420 §7.6): a committer's new leaf node and the new nodes of its filtered direct path.
public struct UpdatePath: Sendable, Equatable, TLSCodable {
    /// The committer's new leaf node (source `commit`).
    public var leafNode: LeafNode
    /// `UpdatePathNode nodes<V>`, in filtered direct path order.
    public var nodes: [UpdatePathNode]

    /// A path from its fields.
    public init(leafNode: LeafNode, nodes: [UpdatePathNode]) {
        self.leafNode = leafNode
        self.nodes = nodes
    }

    /// Reads the leaf node and the path nodes.
    public init(from reader: inout TLSReader) throws(MLSError) {
        leafNode = try LeafNode(from: &reader)
        nodes = try reader.readVector(of: UpdatePathNode.self)
    }

    /// Writes the leaf node and the path nodes.
    public func encode(to writer: inout TLSWriter) {
        leafNode.encode(to: &writer)
        writer.writeVector(nodes)
    }
}
