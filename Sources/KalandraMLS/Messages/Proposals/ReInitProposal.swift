/// `ReInit` (RFC 9420 §12.1.5): reinitialise the group as a new group with these parameters.
public struct ReInitProposal: Sendable, Equatable, TLSCodable {
    /// `opaque group_id<V>` of the new group.
    public var groupID: [UInt8]
    /// The new group's protocol version.
    public var version: ProtocolVersion
    /// The new group's cipher suite.
    public var cipherSuite: CipherSuite
    /// `Extension extensions<V>` of the new group.
    public var extensions: [Extension]

    /// A proposal from its fields.
    public init(groupID: [UInt8], version: ProtocolVersion, cipherSuite: CipherSuite, extensions: [Extension]) {
        self.groupID = groupID
        self.version = version
        self.cipherSuite = cipherSuite
        self.extensions = extensions
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        groupID = try reader.readOpaque()
        version = try ProtocolVersion(from: &reader)
        cipherSuite = try CipherSuite(from: &reader)
        extensions = try reader.readVector(of: Extension.self)
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(groupID)
        version.encode(to: &writer)
        cipherSuite.encode(to: &writer)
        writer.writeVector(extensions)
    }
}
