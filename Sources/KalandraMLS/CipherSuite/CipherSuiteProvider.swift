import KalandraCrypto

/// The algorithms of one cipher suite (RFC 9420 §5.1), behind which protocol code stays suite-independent: adding a
/// suite means adding a provider (or composing `StandardCipherSuiteProvider` from new parts), never touching
/// protocol code. Secrets go in and come out as `SecretBytes`; randomness is injected.
public protocol CipherSuiteProvider: Sendable {
    /// The suite these algorithms implement.
    var cipherSuite: CipherSuite { get }

    /// The hash's output length in bytes.
    var hashLength: Int { get }
    /// The KDF's output length `KDF.Nh` in bytes (the length of `extract`'s output and of `DeriveSecret`).
    var kdfLength: Int { get }
    /// The AEAD's key length `AEAD.Nk` in bytes.
    var aeadKeyLength: Int { get }
    /// The AEAD's nonce length `AEAD.Nn` in bytes.
    var aeadNonceLength: Int { get }

    /// The suite's hash of `data`.
    func hash(_ data: [UInt8]) -> [UInt8]
    /// `MAC(key, data)`: HMAC with the KDF's hash (RFC 9420 §5.1); tags are public.
    func mac(key: SecretBytes, data: [UInt8]) -> [UInt8]
    /// `KDF.Extract(salt, ikm)` (HKDF-Extract).
    func extract(salt: SecretBytes, inputKeyMaterial: SecretBytes) -> SecretBytes
    /// `KDF.Expand(prk, info, length)` (HKDF-Expand); `length` must be at most 255 · `kdfLength`.
    func expand(pseudorandomKey: SecretBytes, info: [UInt8], length: Int) throws(MLSError) -> SecretBytes

    /// AEAD encryption: the ciphertext with its tag appended.
    func aeadSeal(
        key: SecretBytes,
        nonce: [UInt8],
        associatedData: [UInt8],
        plaintext: [UInt8]
    ) throws(MLSError) -> [UInt8]
    /// AEAD decryption of a ciphertext with its tag appended; `decryptionFailed` when anything does not match.
    func aeadOpen(
        key: SecretBytes,
        nonce: [UInt8],
        associatedData: [UInt8],
        ciphertext: [UInt8]
    ) throws(MLSError) -> [UInt8]

    /// HPKE `SealBase` (RFC 9180 §6.1, single shot) to `publicKey`, with the ephemeral key drawn from `generator`.
    func hpkeSeal(
        publicKey: HPKEPublicKey,
        info: [UInt8],
        associatedData: [UInt8],
        plaintext: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> HPKECiphertext
    /// HPKE `SealBase` of each plaintext to its public key, all under one `info` (whose hash is computed once), with
    /// the ephemeral keys drawn from `generator` in order.
    func hpkeSealEach(
        _ recipients: [(publicKey: HPKEPublicKey, plaintext: [UInt8])],
        info: [UInt8],
        associatedData: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> [HPKECiphertext]
    /// HPKE `OpenBase` (RFC 9180 §6.1, single shot) with `privateKey`.
    func hpkeOpen(
        privateKey: HPKEPrivateKey,
        info: [UInt8],
        associatedData: [UInt8],
        ciphertext: HPKECiphertext
    ) throws(MLSError) -> [UInt8]
    /// HPKE `SendExportBase` (RFC 9180 §6.2): a KEM output for `publicKey` and an exported secret (for external
    /// commits, RFC 9420 §8.3).
    func hpkeExportSender(
        publicKey: HPKEPublicKey,
        info: [UInt8],
        exporterContext: [UInt8],
        length: Int,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> HPKEExportedSecret
    /// HPKE `ReceiveExportBase` (RFC 9180 §6.2): the secret the sender exported with `kemOutput`.
    func hpkeExportReceiver(
        privateKey: HPKEPrivateKey,
        kemOutput: [UInt8],
        info: [UInt8],
        exporterContext: [UInt8],
        length: Int
    ) throws(MLSError) -> SecretBytes

    /// The KEM's `DeriveKeyPair(ikm)` (RFC 9180 §7.1.3).
    func deriveHPKEKeyPair(inputKeyMaterial: SecretBytes) throws(MLSError) -> HPKEKeyPair
    /// A fresh HPKE key pair from `generator`.
    func generateHPKEKeyPair(using generator: inout some RandomNumberGenerator) throws(MLSError) -> HPKEKeyPair
    /// The public key of `privateKey`.
    func hpkePublicKey(for privateKey: HPKEPrivateKey) throws(MLSError) -> HPKEPublicKey

    /// A fresh signature key pair from `generator`.
    func generateSignatureKeyPair(using generator: inout some RandomNumberGenerator) -> SignatureKeyPair
    /// The public key of `privateKey`.
    func signaturePublicKey(for privateKey: SignaturePrivateKey) throws(MLSError) -> SignaturePublicKey
    /// The signature of `message`.
    func sign(_ message: [UInt8], with privateKey: SignaturePrivateKey) throws(MLSError) -> [UInt8]
    /// Whether `signature` is valid for `message` under `publicKey`; malformed keys and signatures are invalid.
    func verify(_ signature: [UInt8], for message: [UInt8], with publicKey: SignaturePublicKey) -> Bool
}
