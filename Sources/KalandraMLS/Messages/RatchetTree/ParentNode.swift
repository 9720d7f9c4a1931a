/// `ParentNode` (RFC 9420 §7.1): a parent node of the ratchet tree.
public struct ParentNode: Sendable, Equatable, TLSCodable {
    /// The HPKE key whose private key the members below this node hold.
    public var encryptionKey: HPKEPublicKey
    /// `opaque parent_hash<V>`: the hash of this node's parent (§7.9).
    public var parentHash: [UInt8]
    /// `uint32 unmerged_leaves<V>`: the leaves below this node that do not know its private key.
    public var unmergedLeaves: [LeafIndex]

    /// A parent node from its fields.
    public init(encryptionKey: HPKEPublicKey, parentHash: [UInt8], unmergedLeaves: [LeafIndex]) {
        self.encryptionKey = encryptionKey
        self.parentHash = parentHash
        self.unmergedLeaves = unmergedLeaves
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        encryptionKey = try HPKEPublicKey(from: &reader)
        parentHash = try reader.readOpaque()
        unmergedLeaves = try reader.readVector(of: LeafIndex.self)
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        encryptionKey.encode(to: &writer)
        writer.writeOpaque(parentHash)
        writer.writeVector(unmergedLeaves)
    }
}
