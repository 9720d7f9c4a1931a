import KalandraCrypto

/// The key and nonce that protect a PrivateMessage's SenderData (RFC 9420 §6.3.2), derived from the epoch's
/// `sender_data_secret` and a sample of the message's content ciphertext.
public struct SenderDataKey: Sendable {
    /// `sender_data_key = ExpandWithLabel(sender_data_secret, "key", ciphertext_sample, AEAD.Nk)`.
    public let key: SecretBytes
    /// `sender_data_nonce = ExpandWithLabel(sender_data_secret, "nonce", ciphertext_sample, AEAD.Nn)`.
    public let nonce: SecretBytes

    /// The key and nonce for a message whose content ciphertext is `ciphertext`: the sample is its first `KDF.Nh`
    /// bytes, or all of it when shorter (§6.3.2).
    public init(
        senderDataSecret: SecretBytes,
        ciphertext: some Collection<UInt8>,
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        try provider.checkSecretLength(senderDataSecret, "sender_data_secret")
        let sample = Array(ciphertext.prefix(provider.kdfLength))
        key = try provider.expandWithLabel(
            secret: senderDataSecret,
            label: "key",
            context: sample,
            length: provider.aeadKeyLength
        )
        nonce = try provider.expandWithLabel(
            secret: senderDataSecret,
            label: "nonce",
            context: sample,
            length: provider.aeadNonceLength
        )
    }
}
