/// `struct { uint32 removed; } Remove` (RFC 9420 §12.1.3): remove the member at leaf `removed`.
///
/// `removed` is kept as the wire's `uint32`: a value that names no leaf (2^31 and above, or outside the tree) makes
/// the proposal invalid when it is validated against the tree, not undecodable. The interop vectors carry such values.
public struct RemoveProposal: Sendable, Equatable, TLSCodable {
    /// `uint32 removed`: the leaf index of the member to remove.
    public var removed: UInt32

    /// The leaf `removed` names, or nil when it is 2^31 or above and so names no leaf of any tree.
    public var removedLeaf: LeafIndex? { LeafIndex(rawValue: removed) }

    /// A proposal to remove the member at `removed`.
    public init(removed: LeafIndex) { self.removed = removed.rawValue }

    /// Reads the `uint32` leaf index.
    public init(from reader: inout TLSReader) throws(MLSError) { removed = try reader.readUInt32() }

    /// Writes the `uint32` leaf index.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt32(removed) }
}
