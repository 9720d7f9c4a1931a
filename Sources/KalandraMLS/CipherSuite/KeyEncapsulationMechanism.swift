import KalandraCrypto

/// An RFC 9180 §4 KEM. Encapsulation takes its randomness as an argument (`encapsulationRandomnessLength` bytes), so
/// callers inject it and known-answer tests can replay it; a post-quantum or hybrid KEM conforms the same way.
protocol KeyEncapsulationMechanism: Sendable {
    /// The RFC 9180 KEM identifier.
    var identifier: UInt16 { get }
    /// `Nsk`: the length of a serialised private key.
    var privateKeyLength: Int { get }
    /// The number of random bytes `encapsulate` consumes.
    var encapsulationRandomnessLength: Int { get }

    /// `DeriveKeyPair(ikm)`.
    func deriveKeyPair(inputKeyMaterial: SecretBytes) throws(MLSError) -> HPKEKeyPair
    /// The public key of `privateKey`.
    func publicKey(for privateKey: HPKEPrivateKey) throws(MLSError) -> HPKEPublicKey
    /// `Encap(pkR)` with its randomness given: the shared secret and the encapsulation `enc`.
    func encapsulate(
        to publicKey: HPKEPublicKey,
        randomness: SecretBytes
    ) throws(MLSError) -> (sharedSecret: SecretBytes, encapsulation: [UInt8])
    /// `Decap(enc, skR)`.
    func decapsulate(_ encapsulation: [UInt8], privateKey: HPKEPrivateKey) throws(MLSError) -> SecretBytes
}

extension KeyEncapsulationMechanism {
    /// `GenerateKeyPair()`: `DeriveKeyPair` of `privateKeyLength` random bytes.
    func generateKeyPair(using generator: inout some RandomNumberGenerator) throws(MLSError) -> HPKEKeyPair {
        try deriveKeyPair(inputKeyMaterial: SecretBytes(randomCount: privateKeyLength, using: &generator))
    }
}
