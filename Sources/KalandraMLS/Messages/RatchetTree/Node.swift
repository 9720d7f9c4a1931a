/// `Node` (RFC 9420 §12.4.3.3): a non-blank node of a ratchet tree, by node type.
public enum Node: Sendable, Equatable, TLSCodable {
    /// A leaf node.
    case leaf(LeafNode)
    /// A parent node.
    case parent(ParentNode)

    /// The node's type.
    public var nodeType: NodeType {
        switch self {
        case .leaf: .leaf
        case .parent: .parent
        }
    }

    /// Reads the node type and the node it selects.
    public init(from reader: inout TLSReader) throws(MLSError) {
        switch try NodeType(from: &reader) {
        case .leaf: self = .leaf(try LeafNode(from: &reader))
        case .parent: self = .parent(try ParentNode(from: &reader))
        }
    }

    /// Writes the node type and the node.
    public func encode(to writer: inout TLSWriter) {
        nodeType.encode(to: &writer)
        switch self {
        case .leaf(let leaf): leaf.encode(to: &writer)
        case .parent(let parent): parent.encode(to: &writer)
        }
    }
}
