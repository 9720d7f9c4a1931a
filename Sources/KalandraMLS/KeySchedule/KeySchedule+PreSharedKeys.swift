import KalandraCrypto

extension KeySchedule {
    /// The most PSKs one epoch can inject: `PSKLabel` counts them in a `uint16` (§8.4).
    public static let maximumPreSharedKeyCount = Int(UInt16.max)

    /// `psk_secret` (§8.4) of `psks`, in the order the Commit or GroupSecrets lists them:
    ///
    ///     psk_extracted_[i] = KDF.Extract(0, psk_[i])
    ///     psk_input_[i]     = ExpandWithLabel(psk_extracted_[i], "derived psk", PSKLabel, KDF.Nh)
    ///     psk_secret_[0]    = 0
    ///     psk_secret_[i]    = KDF.Extract(psk_input_[i-1], psk_secret_[i-1])
    ///
    /// with `struct { PreSharedKeyID id; uint16 index; uint16 count; } PSKLabel`. No PSKs give the zero vector.
    public static func pskSecret(
        _ psks: [PreSharedKeyInput],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> SecretBytes {
        guard psks.count <= maximumPreSharedKeyCount else {
            throw MLSError(
                .elementCountExceeded(limit: maximumPreSharedKeyCount),
                context: "\(psks.count) PSKs for one psk_secret"
            )
        }
        let zero = zeroSecret(provider: provider)
        var pskSecret = zero
        let count = UInt16(truncatingIfNeeded: psks.count)
        // At most 65,535 iterations, checked above.
        for (index, psk) in psks.enumerated() {
            var label = TLSWriter()
            label.writeFixed(psk.serializedID)
            label.writeUInt16(UInt16(truncatingIfNeeded: index))
            label.writeUInt16(count)
            let extracted = provider.extract(salt: zero, inputKeyMaterial: psk.secret)
            let input = try provider.expandWithLabel(
                secret: extracted,
                label: "derived psk",
                context: label.bytes,
                length: provider.kdfLength
            )
            pskSecret = provider.extract(salt: input, inputKeyMaterial: pskSecret)
        }
        return pskSecret
    }
}
