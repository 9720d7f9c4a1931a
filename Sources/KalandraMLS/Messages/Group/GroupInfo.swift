/// `GroupInfo` (RFC 9420 §12.4.3): what a joiner needs to know about a group, signed by a member. Decoding does not
/// verify the signature.
public struct GroupInfo: Sendable, Equatable, TLSCodable {
    /// The group's context in the current epoch.
    public var groupContext: GroupContext
    /// `Extension extensions<V>`: extensions for joiners (e.g. `ratchet_tree`, `external_pub`).
    public var extensions: [Extension]
    /// `MAC confirmation_tag` (`opaque<V>`) of the epoch.
    public var confirmationTag: [UInt8]
    /// `uint32 signer`: the leaf of the member that signed.
    public var signer: LeafIndex
    /// `opaque signature<V>`: `SignWithLabel(., "GroupInfoTBS", GroupInfoTBS)`.
    public var signature: [UInt8]

    /// A group info from its fields.
    public init(
        groupContext: GroupContext,
        extensions: [Extension],
        confirmationTag: [UInt8],
        signer: LeafIndex,
        signature: [UInt8]
    ) {
        self.groupContext = groupContext
        self.extensions = extensions
        self.confirmationTag = confirmationTag
        self.signer = signer
        self.signature = signature
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        groupContext = try GroupContext(from: &reader)
        extensions = try reader.readVector(of: Extension.self)
        confirmationTag = try reader.readOpaque()
        signer = try LeafIndex(from: &reader)
        signature = try reader.readOpaque()
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        groupContext.encode(to: &writer)
        writer.writeVector(extensions)
        writer.writeOpaque(confirmationTag)
        signer.encode(to: &writer)
        writer.writeOpaque(signature)
    }
}
