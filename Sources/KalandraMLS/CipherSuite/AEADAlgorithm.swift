import Crypto
import Foundation
import KalandraCrypto

/// An AEAD of RFC 5116 as MLS and HPKE use it: the tag appended to the ciphertext, 96-bit nonces.
enum AEADAlgorithm: Sendable {
    case aes128GCM
    case aes256GCM
    case chaCha20Poly1305

    /// `Nk`: the key length in bytes.
    var keyLength: Int {
        switch self {
        case .aes128GCM: 16
        case .aes256GCM, .chaCha20Poly1305: 32
        }
    }

    /// `Nn`: the nonce length in bytes.
    var nonceLength: Int { 12 }

    /// `Nt`: the tag length in bytes.
    var tagLength: Int { 16 }

    /// The RFC 9180 AEAD identifier.
    var hpkeIdentifier: UInt16 {
        switch self {
        case .aes128GCM: 0x0001
        case .aes256GCM: 0x0002
        case .chaCha20Poly1305: 0x0003
        }
    }

    func seal(key: SecretBytes, nonce: [UInt8], associatedData: [UInt8], plaintext: [UInt8]) throws(MLSError) -> [UInt8]
    {
        let symmetricKey = try checkedKey(key, nonce: nonce)
        do {
            switch self {
            case .aes128GCM, .aes256GCM:
                let box = try AES.GCM.seal(
                    plaintext,
                    using: symmetricKey,
                    nonce: try AES.GCM.Nonce(data: nonce),
                    authenticating: associatedData
                )
                return Array(box.ciphertext) + Array(box.tag)
            case .chaCha20Poly1305:
                let box = try ChaChaPoly.seal(
                    plaintext,
                    using: symmetricKey,
                    nonce: try ChaChaPoly.Nonce(data: nonce),
                    authenticating: associatedData
                )
                return Array(box.ciphertext) + Array(box.tag)
            }
        } catch {
            // Key and nonce sizes were checked, so swift-crypto has no reason left to refuse.
            throw MLSError(.invalidValue("AEAD encryption failed"), context: String(describing: error))
        }
    }

    func open(
        key: SecretBytes,
        nonce: [UInt8],
        associatedData: [UInt8],
        ciphertext: [UInt8]
    ) throws(MLSError) -> [UInt8] {
        let symmetricKey = try checkedKey(key, nonce: nonce)
        guard ciphertext.count >= tagLength else {
            throw MLSError(.decryptionFailed, context: "ciphertext shorter than the \(tagLength)-byte tag")
        }
        let body = ciphertext[..<(ciphertext.count - tagLength)]
        let tag = ciphertext[(ciphertext.count - tagLength)...]
        do {
            switch self {
            case .aes128GCM, .aes256GCM:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: body, tag: tag)
                return Array(try AES.GCM.open(box, using: symmetricKey, authenticating: associatedData))
            case .chaCha20Poly1305:
                let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: body, tag: tag)
                return Array(try ChaChaPoly.open(box, using: symmetricKey, authenticating: associatedData))
            }
        } catch {
            throw MLSError(.decryptionFailed)
        }
    }

    private func checkedKey(_ key: SecretBytes, nonce: [UInt8]) throws(MLSError) -> SymmetricKey {
        guard key.count == keyLength else {
            throw MLSError(.invalidKey("AEAD key has \(key.count) bytes; expected \(keyLength)"))
        }
        guard nonce.count == nonceLength else {
            throw MLSError(.invalidValue("AEAD nonce has \(nonce.count) bytes; expected \(nonceLength)"))
        }
        return key.withUnsafeBytes { SymmetricKey(data: $0) }
    }
}
