import KalandraCrypto

/// A signature scheme as a cipher suite uses it (RFC 9420 §5.1.1). Ed25519 conforms; ECDSA for suites 2, 5 and 7
/// would conform the same way.
protocol SignatureScheme: Sendable {
    func generateKeyPair(using generator: inout some RandomNumberGenerator) -> SignatureKeyPair
    func publicKey(for privateKey: SignaturePrivateKey) throws(MLSError) -> SignaturePublicKey
    func sign(_ message: [UInt8], with privateKey: SignaturePrivateKey) throws(MLSError) -> [UInt8]
    func verify(_ signature: [UInt8], for message: [UInt8], with publicKey: SignaturePublicKey) -> Bool
}

/// Ed25519 (RFC 8032) through KalandraCrypto; the private key is the 32-byte seed.
struct Ed25519Scheme: SignatureScheme {
    private static let seedLength = 32
    private static let signatureLength = 64

    func generateKeyPair(using generator: inout some RandomNumberGenerator) -> SignatureKeyPair {
        let privateKey = SignaturePrivateKey(SecretBytes(randomCount: Self.seedLength, using: &generator))
        // Any 32 bytes are a valid Ed25519 seed.
        guard let publicKey = try? publicKey(for: privateKey) else { preconditionFailure("a 32-byte seed was refused") }
        return SignatureKeyPair(privateKey: privateKey, publicKey: publicKey)
    }

    func publicKey(for privateKey: SignaturePrivateKey) throws(MLSError) -> SignaturePublicKey {
        SignaturePublicKey(try signingKey(privateKey).verifyingKey.bytes)
    }

    func sign(_ message: [UInt8], with privateKey: SignaturePrivateKey) throws(MLSError) -> [UInt8] {
        try signingKey(privateKey).signature(for: message).bytes
    }

    func verify(_ signature: [UInt8], for message: [UInt8], with publicKey: SignaturePublicKey) -> Bool {
        guard signature.count == Self.signatureLength,
            let verifyingKey = try? VerifyingKey(bytes: publicKey.bytes)
        else { return false }
        let parsed = signature.withUnsafeBytes { Signature(copying: $0) }
        return verifyingKey.isValidSignature(parsed, for: message)
    }

    private func signingKey(_ privateKey: SignaturePrivateKey) throws(MLSError) -> SigningKey {
        do {
            return try SigningKey(seed: privateKey.secret)
        } catch {
            throw MLSError(.invalidKey("Ed25519 private key: \(error)"))
        }
    }
}
