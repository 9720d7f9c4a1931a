/// A member's leaf position (RFC 9420 `uint32 leaf_index`): leaf `n` is node `2n`, so a leaf index is below 2^31.
public struct LeafIndex: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, TLSCodable {
    /// The largest leaf index, 2^31 - 1, whose node index still fits in 32 bits.
    public static let maximum: UInt32 = (1 << 31) - 1

    /// The leaf's number.
    public let rawValue: UInt32

    /// The leaf numbered `rawValue`, or nil above `maximum`.
    public init?(rawValue: UInt32) {
        guard rawValue <= Self.maximum else { return nil }
        self.rawValue = rawValue
    }

    /// The leaf's node in the array representation.
    public var nodeIndex: NodeIndex { NodeIndex(rawValue << 1) }

    /// The leaf's direct path in a tree of `size` (leaf to root), or nil when the leaf is outside the tree.
    public func directPath(in size: TreeSize) -> [NodeIndex]? { nodeIndex.directPath(in: size) }

    /// The leaf's copath in a tree of `size` (leaf to root), or nil when the leaf is outside the tree.
    public func copath(in size: TreeSize) -> [NodeIndex]? { nodeIndex.copath(in: size) }

    /// Reads a `uint32` leaf index, refusing values of 2^31 and above.
    public init(from reader: inout TLSReader) throws(MLSError) {
        let start = reader.position
        let value = try reader.readUInt32()
        guard let leaf = LeafIndex(rawValue: value) else {
            throw MLSError(.invalidValue("leaf index \(value) exceeds \(Self.maximum)"), context: "at byte \(start)")
        }
        self = leaf
    }

    /// Writes the `uint32` leaf index.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt32(rawValue) }

    /// The decimal leaf number.
    public var description: String { "leaf \(rawValue)" }

    public static func < (lhs: LeafIndex, rhs: LeafIndex) -> Bool { lhs.rawValue < rhs.rawValue }
}
