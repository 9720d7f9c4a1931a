/// `PrivateMessage` (RFC 9420 §6.3): content encrypted under the secret tree, with the sender encrypted separately.
public struct PrivateMessage: Sendable, Equatable, TLSCodable {
    /// `opaque group_id<V>`.
    public var groupID: [UInt8]
    /// `uint64 epoch`.
    public var epoch: UInt64
    /// The type of the encrypted content.
    public var contentType: ContentType
    /// `opaque authenticated_data<V>`.
    public var authenticatedData: [UInt8]
    /// `opaque encrypted_sender_data<V>`: a `SenderData` sealed under the sender data key.
    public var encryptedSenderData: [UInt8]
    /// `opaque ciphertext<V>`: a `PrivateMessageContent` sealed under the sender's ratchet key.
    public var ciphertext: [UInt8]

    /// A message from its fields.
    public init(
        groupID: [UInt8],
        epoch: UInt64,
        contentType: ContentType,
        authenticatedData: [UInt8],
        encryptedSenderData: [UInt8],
        ciphertext: [UInt8]
    ) {
        self.groupID = groupID
        self.epoch = epoch
        self.contentType = contentType
        self.authenticatedData = authenticatedData
        self.encryptedSenderData = encryptedSenderData
        self.ciphertext = ciphertext
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        groupID = try reader.readOpaque()
        epoch = try reader.readUInt64()
        contentType = try ContentType(from: &reader)
        authenticatedData = try reader.readOpaque()
        encryptedSenderData = try reader.readOpaque()
        ciphertext = try reader.readOpaque()
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(groupID)
        writer.writeUInt64(epoch)
        contentType.encode(to: &writer)
        writer.writeOpaque(authenticatedData)
        writer.writeOpaque(encryptedSenderData)
        writer.writeOpaque(ciphertext)
    }
}
