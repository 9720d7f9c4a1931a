/// `GroupContext` (RFC 9420 §8.1): the summary of a group's state in an epoch, fed into the key schedule. Its
/// `version` field is fixed to `mls10`; decoding refuses any other.
public struct GroupContext: Sendable, Equatable, TLSCodable {
    /// The only version a group context may carry.
    public static let version = ProtocolVersion.mls10

    /// The group's cipher suite.
    public var cipherSuite: CipherSuite
    /// `opaque group_id<V>`.
    public var groupID: [UInt8]
    /// `uint64 epoch`.
    public var epoch: UInt64
    /// `opaque tree_hash<V>`: the ratchet tree's root tree hash (§7.8).
    public var treeHash: [UInt8]
    /// `opaque confirmed_transcript_hash<V>` (§8.2).
    public var confirmedTranscriptHash: [UInt8]
    /// `Extension extensions<V>`: the group's extensions.
    public var extensions: [Extension]

    /// A group context from its fields.
    public init(
        cipherSuite: CipherSuite,
        groupID: [UInt8],
        epoch: UInt64,
        treeHash: [UInt8],
        confirmedTranscriptHash: [UInt8],
        extensions: [Extension]
    ) {
        self.cipherSuite = cipherSuite
        self.groupID = groupID
        self.epoch = epoch
        self.treeHash = treeHash
        self.confirmedTranscriptHash = confirmedTranscriptHash
        self.extensions = extensions
    }

    /// Reads the fields in RFC order, refusing a version other than `mls10`.
    public init(from reader: inout TLSReader) throws(MLSError) {
        let versionStart = reader.position
        let version = try ProtocolVersion(from: &reader)
        guard version == Self.version else {
            throw MLSError(.invalidValue("GroupContext \(version), not mls10"), context: "at byte \(versionStart)")
        }
        cipherSuite = try CipherSuite(from: &reader)
        groupID = try reader.readOpaque()
        epoch = try reader.readUInt64()
        treeHash = try reader.readOpaque()
        confirmedTranscriptHash = try reader.readOpaque()
        extensions = try reader.readVector(of: Extension.self)
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        Self.version.encode(to: &writer)
        cipherSuite.encode(to: &writer)
        writer.writeOpaque(groupID)
        writer.writeUInt64(epoch)
        writer.writeOpaque(treeHash)
        writer.writeOpaque(confirmedTranscriptHash)
        writer.writeVector(extensions)
    }
}
