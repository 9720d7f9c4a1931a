import KalandraCrypto

/// `GroupSecrets` (RFC 9420 §12.4.3.1): the secrets a Welcome encrypts to each joiner. The secrets are held in
/// zeroised storage; an encoding of this value is as sensitive as they are.
public struct GroupSecrets: Sendable, Equatable, TLSCodable {
    /// `opaque joiner_secret<V>`.
    public let joinerSecret: SecretBytes
    /// The path secret of the lowest node on both the committer's and the joiner's direct paths, if any.
    public let pathSecret: PathSecret?
    /// `PreSharedKeyID psks<V>`: the PSKs the epoch injects, in order.
    public let psks: [PreSharedKeyID]

    /// Group secrets from their fields.
    public init(joinerSecret: SecretBytes, pathSecret: PathSecret?, psks: [PreSharedKeyID]) {
        self.joinerSecret = joinerSecret
        self.pathSecret = pathSecret
        self.psks = psks
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        joinerSecret = try reader.readOpaqueSecret()
        pathSecret = try reader.readOptional(of: PathSecret.self)
        psks = try reader.readVector(of: PreSharedKeyID.self)
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(joinerSecret)
        writer.writeOptional(pathSecret)
        writer.writeVector(psks)
    }
}
