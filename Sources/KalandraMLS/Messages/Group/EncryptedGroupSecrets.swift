/// `EncryptedGroupSecrets` (RFC 9420 §12.4.3.1): `GroupSecrets` encrypted to one joiner's init key.
public struct EncryptedGroupSecrets: Sendable, Equatable, TLSCodable {
    /// The reference of the joiner's key package.
    public var newMember: KeyPackageRef
    /// The `GroupSecrets`, encrypted with `EncryptWithLabel(init_key, "Welcome", encrypted_group_info, .)`.
    public var encryptedGroupSecrets: HPKECiphertext

    /// Encrypted secrets from their fields.
    public init(newMember: KeyPackageRef, encryptedGroupSecrets: HPKECiphertext) {
        self.newMember = newMember
        self.encryptedGroupSecrets = encryptedGroupSecrets
    }

    /// Reads the reference and the ciphertext.
    public init(from reader: inout TLSReader) throws(MLSError) {
        newMember = try KeyPackageRef(from: &reader)
        encryptedGroupSecrets = try HPKECiphertext(from: &reader)
    }

    /// Writes the reference and the ciphertext.
    public func encode(to writer: inout TLSWriter) {
        newMember.encode(to: &writer)
        encryptedGroupSecrets.encode(to: &writer)
    }
}
