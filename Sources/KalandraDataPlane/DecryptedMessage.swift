import KalandraCrypto

/// A message decrypted from a verified frame.
public struct DecryptedMessage: Sendable {
    /// The plaintext.
    public let plaintext: [UInt8]
    /// Where the key belongs in a message key store.
    public let keyID: MessageKeyID
    /// The message key, deleted from the chain; store it apart from the ciphertext to read the message again.
    public let messageKey: SecretBytes
}
