import KalandraCrypto

/// One step of a hash ratchet (RFC 9420 §9.1): `ratchet_key_[N]_[j]` and `ratchet_nonce_[N]_[j]` for generation `j`.
/// Both are single-use (§9.2): the ratchet has already deleted its copy when it hands this out, so dropping this
/// value zeroises the last one. The `reuse_guard` (§6.3.1) is applied to the nonce by message protection.
public struct RatchetKeyNonce: Sendable {
    /// The generation `j` these belong to.
    public let generation: UInt32
    /// `DeriveTreeSecret(ratchet_secret, "key", j, AEAD.Nk)`.
    public let key: SecretBytes
    /// `DeriveTreeSecret(ratchet_secret, "nonce", j, AEAD.Nn)`.
    public let nonce: SecretBytes

    /// A key and nonce of `generation`.
    public init(generation: UInt32, key: SecretBytes, nonce: SecretBytes) {
        self.generation = generation
        self.key = key
        self.nonce = nonce
    }
}
