/// The `leaf_node_source` of a `LeafNode` and what it selects (RFC 9420 §7.2): `enum { key_package(1), update(2),
/// commit(3) } LeafNodeSource`. Any other value is refused, since it selects the encoding that follows.
public enum LeafNodeSource: Sendable, Equatable, TLSCodable {
    /// `key_package(1)`: the leaf node of a KeyPackage, with its lifetime.
    case keyPackage(Lifetime)
    /// `update(2)`: the leaf node of an Update proposal.
    case update
    /// `commit(3)`: the leaf node of a commit's UpdatePath, with `opaque parent_hash<V>`.
    case commit(parentHash: [UInt8])

    /// The `uint8` code point.
    public var codePoint: UInt8 {
        switch self {
        case .keyPackage: 1
        case .update: 2
        case .commit: 3
        }
    }

    /// Reads the code point and the value it selects.
    public init(from reader: inout TLSReader) throws(MLSError) {
        let start = reader.position
        switch try reader.readUInt8() {
        case 1: self = .keyPackage(try Lifetime(from: &reader))
        case 2: self = .update
        case 3: self = .commit(parentHash: try reader.readOpaque())
        case let other:
            throw MLSError(.invalidValue("unknown leaf node source \(other)"), context: "at byte \(start)")
        }
    }

    /// Writes the code point and its value.
    public func encode(to writer: inout TLSWriter) {
        writer.writeUInt8(codePoint)
        switch self {
        case .keyPackage(let lifetime): lifetime.encode(to: &writer)
        case .update: break
        case .commit(let parentHash): writer.writeOpaque(parentHash)
        }
    }
}
