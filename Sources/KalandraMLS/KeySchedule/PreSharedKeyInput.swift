import KalandraCrypto

/// One pre-shared key as it enters the key schedule (RFC 9420 §8.4): its `PreSharedKeyID` in TLS serialisation, and
/// the PSK itself (an external PSK, or the `resumption_psk` of the epoch the ID names). The ID is taken serialised so
/// that the key schedule does not depend on the message structures; it is hashed into `PSKLabel` as given.
public struct PreSharedKeyInput: Sendable {
    /// The serialised `PreSharedKeyID` (psktype, the type's fields, psk_nonce).
    public let serializedID: [UInt8]
    /// The PSK value.
    public let secret: SecretBytes

    /// A PSK whose serialised `PreSharedKeyID` is `serializedID` and whose value is `secret`.
    public init(serializedID: [UInt8], secret: SecretBytes) {
        self.serializedID = serializedID
        self.secret = secret
    }
}
