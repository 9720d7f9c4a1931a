/// `Capabilities` (RFC 9420 §7.2): what a client supports, beyond the defaults every client supports. Lists may hold
/// unknown and GREASE values (§13.5), which are carried as they are.
public struct Capabilities: Sendable, Equatable, TLSCodable {
    /// `ProtocolVersion versions<V>`.
    public var versions: [ProtocolVersion]
    /// `CipherSuite cipher_suites<V>`.
    public var cipherSuites: [CipherSuite]
    /// `ExtensionType extensions<V>`.
    public var extensions: [ExtensionType]
    /// `ProposalType proposals<V>`.
    public var proposals: [ProposalType]
    /// `CredentialType credentials<V>`.
    public var credentials: [CredentialType]

    /// Capabilities from their lists.
    public init(
        versions: [ProtocolVersion],
        cipherSuites: [CipherSuite],
        extensions: [ExtensionType],
        proposals: [ProposalType],
        credentials: [CredentialType]
    ) {
        self.versions = versions
        self.cipherSuites = cipherSuites
        self.extensions = extensions
        self.proposals = proposals
        self.credentials = credentials
    }

    /// Reads the five lists.
    public init(from reader: inout TLSReader) throws(MLSError) {
        versions = try reader.readVector(of: ProtocolVersion.self)
        cipherSuites = try reader.readVector(of: CipherSuite.self)
        extensions = try reader.readVector(of: ExtensionType.self)
        proposals = try reader.readVector(of: ProposalType.self)
        credentials = try reader.readVector(of: CredentialType.self)
    }

    /// Writes the five lists.
    public func encode(to writer: inout TLSWriter) {
        writer.writeVector(versions)
        writer.writeVector(cipherSuites)
        writer.writeVector(extensions)
        writer.writeVector(proposals)
        writer.writeVector(credentials)
    }
}
