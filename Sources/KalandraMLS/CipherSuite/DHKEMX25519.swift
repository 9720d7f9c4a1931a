import Crypto
import Foundation
import KalandraCrypto

/// DHKEM(X25519, HKDF-SHA256), RFC 9180 §4.1 and §7.1, built on swift-crypto's X25519. swift-crypto's own HPKE draws
/// ephemeral keys from the system generator and exposes no `DeriveKeyPair`, so the KEM is implemented here from the
/// RFC; it also rejects the all-zero shared secret (RFC 9180 §7.1.4), which swift-crypto's X25519 does not.
struct DHKEMX25519: KeyEncapsulationMechanism {
    var identifier: UInt16 { 0x0020 }
    var privateKeyLength: Int { 32 }
    var encapsulationRandomnessLength: Int { 32 }
    private var publicKeyLength: Int { 32 }
    private var sharedSecretLength: Int { 32 }
    private var kdf: HashAlgorithm { .sha256 }

    /// "KEM" ‖ I2OSP(kem_id, 2).
    private var suiteID: [UInt8] { Array("KEM".utf8) + [0x00, 0x20] }

    func deriveKeyPair(inputKeyMaterial: SecretBytes) throws(MLSError) -> HPKEKeyPair {
        let prk = kdf.labeledExtract(
            suiteID: suiteID,
            salt: SecretBytes(copying: []),
            label: "dkp_prk",
            inputKeyMaterial: inputKeyMaterial
        )
        let secret = try kdf.labeledExpand(suiteID: suiteID, pseudorandomKey: prk, label: "sk", info: [], length: 32)
        let privateKey = HPKEPrivateKey(secret)
        return HPKEKeyPair(privateKey: privateKey, publicKey: try publicKey(for: privateKey))
    }

    func publicKey(for privateKey: HPKEPrivateKey) throws(MLSError) -> HPKEPublicKey {
        HPKEPublicKey(Array(try agreementKey(privateKey).publicKey.rawRepresentation))
    }

    func encapsulate(
        to publicKey: HPKEPublicKey,
        randomness: SecretBytes
    ) throws(MLSError) -> (sharedSecret: SecretBytes, encapsulation: [UInt8]) {
        let ephemeral = try deriveKeyPair(inputKeyMaterial: randomness)
        let sharedKey = try diffieHellman(ephemeral.privateKey, publicKey.bytes)
        let encapsulation = ephemeral.publicKey.bytes
        let sharedSecret = try extractAndExpand(sharedKey, context: encapsulation + publicKey.bytes)
        return (sharedSecret, encapsulation)
    }

    func decapsulate(_ encapsulation: [UInt8], privateKey: HPKEPrivateKey) throws(MLSError) -> SecretBytes {
        let sharedKey = try diffieHellman(privateKey, encapsulation)
        let recipientPublicKey = try publicKey(for: privateKey)
        return try extractAndExpand(sharedKey, context: encapsulation + recipientPublicKey.bytes)
    }

    private func extractAndExpand(_ sharedKey: SecretBytes, context: [UInt8]) throws(MLSError) -> SecretBytes {
        let prk = kdf.labeledExtract(
            suiteID: suiteID,
            salt: SecretBytes(copying: []),
            label: "eae_prk",
            inputKeyMaterial: sharedKey
        )
        return try kdf.labeledExpand(
            suiteID: suiteID,
            pseudorandomKey: prk,
            label: "shared_secret",
            info: context,
            length: sharedSecretLength
        )
    }

    private func agreementKey(_ privateKey: HPKEPrivateKey) throws(MLSError) -> Curve25519.KeyAgreement.PrivateKey {
        guard privateKey.secret.count == privateKeyLength else {
            throw MLSError(.invalidKey("X25519 private key has \(privateKey.secret.count) bytes; expected 32"))
        }
        do {
            return try privateKey.secret.withUnsafeBytes {
                try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: $0)
            }
        } catch {
            throw MLSError(.invalidKey("X25519 private key refused"))
        }
    }

    private func diffieHellman(_ privateKey: HPKEPrivateKey, _ publicKeyBytes: [UInt8]) throws(MLSError) -> SecretBytes
    {
        guard publicKeyBytes.count == publicKeyLength else {
            throw MLSError(.invalidKey("X25519 public key has \(publicKeyBytes.count) bytes; expected 32"))
        }
        let ownKey = try agreementKey(privateKey)
        let shared: SecretBytes
        do {
            let peerKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKeyBytes)
            shared = try ownKey.sharedSecretFromKeyAgreement(with: peerKey).withUnsafeBytes { SecretBytes(copying: $0) }
        } catch {
            throw MLSError(.invalidKey("X25519 key agreement refused the public key"))
        }
        // A low-order public key yields the all-zero secret; OR the bytes together so timing does not depend on them.
        let accumulated = shared.withUnsafeBytes { bytes in bytes.reduce(UInt8(0)) { $0 | $1 } }
        guard accumulated != 0 else { throw MLSError(.invalidKey("X25519 public key has low order")) }
        return shared
    }
}
