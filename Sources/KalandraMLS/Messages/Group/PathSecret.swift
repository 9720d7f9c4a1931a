import KalandraCrypto

/// `struct { opaque path_secret<V>; } PathSecret` (RFC 9420 §12.4.3.1): the path secret a Welcome gives a joiner,
/// held in zeroised storage.
public struct PathSecret: Sendable, Equatable, TLSCodable {
    /// The secret.
    public let secret: SecretBytes

    /// The path secret `secret`.
    public init(_ secret: SecretBytes) { self.secret = secret }

    /// Reads `opaque path_secret<V>` straight into zeroised storage.
    public init(from reader: inout TLSReader) throws(MLSError) { secret = try reader.readOpaqueSecret() }

    /// Writes `opaque path_secret<V>`.
    public func encode(to writer: inout TLSWriter) { writer.writeOpaque(secret) }
}
