import CSodium

/// XChaCha20-Poly1305 (IETF construction, libsodium): a 256-bit key, a 192-bit nonce that is safe to draw at random,
/// and a 128-bit tag appended to the ciphertext.
public enum XChaCha20Poly1305 {
    /// Key length in bytes.
    public static let keyByteCount = 32
    /// Nonce length in bytes.
    public static let nonceByteCount = 24
    /// Tag length in bytes.
    public static let tagByteCount = 16

    /// `plaintext` encrypted under `key` and `nonce`, authenticating `associatedData`; the tag is appended.
    public static func seal(
        _ plaintext: [UInt8],
        key: SecretBytes,
        nonce: [UInt8],
        associatedData: [UInt8] = []
    ) throws(CryptoError) -> [UInt8] {
        try checkSizes(key: key, nonce: nonce)
        Sodium.ensureInitialized()
        var output = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var outputLength: UInt64 = 0
        let result = key.withUnsafeBytes { keyBytes in
            crypto_aead_xchacha20poly1305_ietf_encrypt(
                &output,
                &outputLength,
                plaintext,
                UInt64(plaintext.count),
                associatedData,
                UInt64(associatedData.count),
                nil,
                nonce,
                keyBytes.assumingMemoryBound(to: UInt8.self).baseAddress!  // 32 bytes, checked above
            )
        }
        precondition(result == 0 && outputLength == UInt64(output.count), "XChaCha20-Poly1305 encryption failed")
        return output
    }

    /// The plaintext of `ciphertext` (with its tag), or `CryptoError.authenticationFailure` when the key, nonce,
    /// associated data or ciphertext do not match.
    public static func open(
        _ ciphertext: [UInt8],
        key: SecretBytes,
        nonce: [UInt8],
        associatedData: [UInt8] = []
    ) throws(CryptoError) -> [UInt8] {
        try checkSizes(key: key, nonce: nonce)
        guard ciphertext.count >= tagByteCount else { throw CryptoError.authenticationFailure }
        Sodium.ensureInitialized()
        var output = [UInt8](repeating: 0, count: ciphertext.count - tagByteCount)
        var outputLength: UInt64 = 0
        let result = key.withUnsafeBytes { keyBytes in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
                &output,
                &outputLength,
                nil,
                ciphertext,
                UInt64(ciphertext.count),
                associatedData,
                UInt64(associatedData.count),
                nonce,
                keyBytes.assumingMemoryBound(to: UInt8.self).baseAddress!  // 32 bytes, checked above
            )
        }
        guard result == 0 else { throw CryptoError.authenticationFailure }
        return output
    }

    private static func checkSizes(key: SecretBytes, nonce: [UInt8]) throws(CryptoError) {
        guard key.count == keyByteCount else {
            throw CryptoError.invalidKeyLength(expected: keyByteCount, found: key.count)
        }
        guard nonce.count == nonceByteCount else {
            throw CryptoError.invalidNonceLength(expected: nonceByteCount, found: nonce.count)
        }
    }
}
