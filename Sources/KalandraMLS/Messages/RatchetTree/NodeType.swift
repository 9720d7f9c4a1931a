/// `enum { leaf(1), parent(2) } NodeType` (RFC 9420 §7.8). It selects the node that follows, so any other value is
/// refused.
public enum NodeType: UInt8, Sendable, TLSCodable {
    /// A leaf node.
    case leaf = 1
    /// A parent node.
    case parent = 2

    /// Reads the `uint8` code point, refusing values other than 1 and 2.
    public init(from reader: inout TLSReader) throws(MLSError) {
        self = try reader.readCodePoint(NodeType.self, named: "node type")
    }

    /// Writes the `uint8` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt8(rawValue) }
}
