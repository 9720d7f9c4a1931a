/// `Welcome` (RFC 9420 §12.4.3.1): what a committer sends to members its commit adds.
public struct Welcome: Sendable, Equatable, TLSCodable {
    /// The group's cipher suite.
    public var cipherSuite: CipherSuite
    /// `EncryptedGroupSecrets secrets<V>`: one entry per joiner.
    public var secrets: [EncryptedGroupSecrets]
    /// `opaque encrypted_group_info<V>`: the `GroupInfo`, encrypted under the welcome key.
    public var encryptedGroupInfo: [UInt8]

    /// A welcome from its fields.
    public init(cipherSuite: CipherSuite, secrets: [EncryptedGroupSecrets], encryptedGroupInfo: [UInt8]) {
        self.cipherSuite = cipherSuite
        self.secrets = secrets
        self.encryptedGroupInfo = encryptedGroupInfo
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        cipherSuite = try CipherSuite(from: &reader)
        secrets = try reader.readVector(of: EncryptedGroupSecrets.self)
        encryptedGroupInfo = try reader.readOpaque()
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        cipherSuite.encode(to: &writer)
        writer.writeVector(secrets)
        writer.writeOpaque(encryptedGroupInfo)
    }
}
