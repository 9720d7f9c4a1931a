/// `optional<Node> ratchet_tree<V>` (RFC 9420 §12.4.3.3): the public state of a ratchet tree, nodes in array order
/// (§4.1), `nil` for a blank node; the content of the `ratchet_tree` extension. Decoding checks the encoding only;
/// the tree's shape and contents are validated where the tree is used.
public struct RatchetTree: Sendable, Equatable, TLSCodable {
    /// The nodes in array order, `nil` where blank.
    public var nodes: [Node?]

    /// A tree of `nodes`.
    public init(nodes: [Node?]) { self.nodes = nodes }

    /// Reads the vector of optional nodes.
    public init(from reader: inout TLSReader) throws(MLSError) {
        nodes = try reader.readVector { (reader: inout TLSReader) throws(MLSError) -> Node? in
            try reader.readOptional(of: Node.self)
        }
    }

    /// Writes the vector of optional nodes.
    public func encode(to writer: inout TLSWriter) {
        writer.writeVector(nodes) { writer, node in writer.writeOptional(node) }
    }
}
