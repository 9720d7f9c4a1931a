/// `PrivateContentAAD` (RFC 9420 §6.3.1): the associated data of a `PrivateMessage`'s content encryption.
public struct PrivateContentAAD: Sendable, Equatable, TLSCodable {
    /// `opaque group_id<V>`.
    public var groupID: [UInt8]
    /// `uint64 epoch`.
    public var epoch: UInt64
    /// The content type.
    public var contentType: ContentType
    /// `opaque authenticated_data<V>`.
    public var authenticatedData: [UInt8]

    /// Associated data from its fields.
    public init(groupID: [UInt8], epoch: UInt64, contentType: ContentType, authenticatedData: [UInt8]) {
        self.groupID = groupID
        self.epoch = epoch
        self.contentType = contentType
        self.authenticatedData = authenticatedData
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        groupID = try reader.readOpaque()
        epoch = try reader.readUInt64()
        contentType = try ContentType(from: &reader)
        authenticatedData = try reader.readOpaque()
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(groupID)
        writer.writeUInt64(epoch)
        contentType.encode(to: &writer)
        writer.writeOpaque(authenticatedData)
    }
}
