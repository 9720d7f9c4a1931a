import KalandraCrypto

extension CipherSuiteProvider {
    /// Throws unless `secret` is `KDF.Nh` bytes long, the length of every key-schedule secret (§8).
    func checkSecretLength(_ secret: SecretBytes, _ name: String) throws(MLSError) {
        guard secret.count == kdfLength else {
            throw MLSError(.invalidKey("\(name) has \(secret.count) bytes; expected KDF.Nh = \(kdfLength)"))
        }
    }
}
