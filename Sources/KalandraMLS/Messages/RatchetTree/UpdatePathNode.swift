/// `UpdatePathNode` (RFC 9420 §7.6): a new parent node key and its path secret, encrypted to each node of the
/// copath node's resolution.
public struct UpdatePathNode: Sendable, Equatable, TLSCodable {
    /// The node's new HPKE key.
    public var encryptionKey: HPKEPublicKey
    /// `HPKECiphertext encrypted_path_secret<V>`, one per node of the resolution.
    public var encryptedPathSecret: [HPKECiphertext]

    /// A path node from its fields.
    public init(encryptionKey: HPKEPublicKey, encryptedPathSecret: [HPKECiphertext]) {
        self.encryptionKey = encryptionKey
        self.encryptedPathSecret = encryptedPathSecret
    }

    /// Reads the key and the ciphertexts.
    public init(from reader: inout TLSReader) throws(MLSError) {
        encryptionKey = try HPKEPublicKey(from: &reader)
        encryptedPathSecret = try reader.readVector(of: HPKECiphertext.self)
    }

    /// Writes the key and the ciphertexts.
    public func encode(to writer: inout TLSWriter) {
        encryptionKey.encode(to: &writer)
        writer.writeVector(encryptedPathSecret)
    }
}
