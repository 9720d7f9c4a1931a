import KalandraCrypto
import KalandraWire

/// A message this member encrypted: the signed frame to send and the message key it used.
public struct SealedMessage: Sendable {
    /// The signed `applicationMessage` frame.
    public let frame: Frame
    /// Where the key belongs in a message key store.
    public let keyID: MessageKeyID
    /// The message key; store it apart from the ciphertext to read the message again, or drop it.
    public let messageKey: SecretBytes
}
