/// `SenderData` (RFC 9420 §6.3.2): the plaintext of `PrivateMessage.encrypted_sender_data`, naming the key and nonce
/// of the content.
public struct SenderData: Sendable, Equatable, TLSCodable {
    /// The length of `reuseGuard`.
    public static let reuseGuardCount = 4

    /// `uint32 leaf_index`: the sender's leaf.
    public let leafIndex: LeafIndex
    /// `uint32 generation`: the ratchet generation of the content key.
    public let generation: UInt32
    /// `opaque reuse_guard[4]`: XORed into the first bytes of the content nonce.
    public let reuseGuard: [UInt8]

    /// Sender data from its fields; throws unless `reuseGuard` is 4 bytes.
    public init(leafIndex: LeafIndex, generation: UInt32, reuseGuard: [UInt8]) throws(MLSError) {
        guard reuseGuard.count == Self.reuseGuardCount else {
            throw MLSError(.invalidValue("reuse guard of \(reuseGuard.count) bytes, not \(Self.reuseGuardCount)"))
        }
        self.leafIndex = leafIndex
        self.generation = generation
        self.reuseGuard = reuseGuard
    }

    /// Reads the leaf index, generation and reuse guard.
    public init(from reader: inout TLSReader) throws(MLSError) {
        leafIndex = try LeafIndex(from: &reader)
        generation = try reader.readUInt32()
        reuseGuard = try reader.readFixed(count: Self.reuseGuardCount)
    }

    /// Writes the leaf index, generation and reuse guard.
    public func encode(to writer: inout TLSWriter) {
        leafIndex.encode(to: &writer)
        writer.writeUInt32(generation)
        writer.writeFixed(reuseGuard)
    }
}
