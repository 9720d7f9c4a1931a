/// `struct { LeafNode leaf_node; } Update` (RFC 9420 §12.1.2): replace the sender's leaf node.
public struct UpdateProposal: Sendable, Equatable, TLSCodable {
    /// The sender's new leaf node (source `update`).
    public var leafNode: LeafNode

    /// A proposal to replace the sender's leaf node with `leafNode`.
    public init(leafNode: LeafNode) { self.leafNode = leafNode }

    /// Reads the leaf node.
    public init(from reader: inout TLSReader) throws(MLSError) { leafNode = try LeafNode(from: &reader) }

    /// Writes the leaf node.
    public func encode(to writer: inout TLSWriter) { leafNode.encode(to: &writer) }
}
