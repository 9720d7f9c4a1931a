import KalandraCrypto

extension CipherSuiteProvider {
    /// `ExpandWithLabel` (RFC 9420 §8) with the label given as bytes: `KDFLabel.label` is `opaque<V>`, and an
    /// application's exporter label (§8.5) need not be UTF-8, which the `String` form cannot carry.
    func expandWithLabel(
        secret: SecretBytes,
        labelBytes: [UInt8],
        context: [UInt8],
        length: Int
    ) throws(MLSError) -> SecretBytes {
        guard let length16 = UInt16(exactly: length) else {
            throw MLSError(.invalidValue("ExpandWithLabel length \(length) does not fit in uint16"))
        }
        var writer = TLSWriter()
        writer.writeUInt16(length16)
        writer.writeOpaque(Array("MLS 1.0 ".utf8) + labelBytes)
        writer.writeOpaque(context)
        return try expand(pseudorandomKey: secret, info: writer.bytes, length: length)
    }

    /// Throws unless `secret` is `KDF.Nh` bytes long, the length of every key-schedule secret (§8).
    func checkSecretLength(_ secret: SecretBytes, _ name: String) throws(MLSError) {
        guard secret.count == kdfLength else {
            throw MLSError(.invalidKey("\(name) has \(secret.count) bytes; expected KDF.Nh = \(kdfLength)"))
        }
    }
}
