/// `SenderDataAAD` (RFC 9420 §6.3.2): the associated data of a `PrivateMessage`'s sender data encryption.
public struct SenderDataAAD: Sendable, Equatable, TLSCodable {
    /// `opaque group_id<V>`.
    public var groupID: [UInt8]
    /// `uint64 epoch`.
    public var epoch: UInt64
    /// The content type.
    public var contentType: ContentType

    /// Associated data from its fields.
    public init(groupID: [UInt8], epoch: UInt64, contentType: ContentType) {
        self.groupID = groupID
        self.epoch = epoch
        self.contentType = contentType
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        groupID = try reader.readOpaque()
        epoch = try reader.readUInt64()
        contentType = try ContentType(from: &reader)
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(groupID)
        writer.writeUInt64(epoch)
        contentType.encode(to: &writer)
    }
}
