import KalandraCrypto

/// A cipher suite assembled from a hash (which is also the KDF's), an AEAD, a KEM and a signature scheme: the shape
/// of every RFC 9420 suite. HPKE uses the suite's KDF and AEAD with its KEM.
struct StandardCipherSuiteProvider: CipherSuiteProvider {
    let cipherSuite: CipherSuite
    let hashAlgorithm: HashAlgorithm
    let aead: AEADAlgorithm
    let kem: any KeyEncapsulationMechanism
    let signatureScheme: any SignatureScheme

    var hpke: HPKE { HPKE(kem: kem, kdf: hashAlgorithm, aead: aead) }

    var hashLength: Int { hashAlgorithm.outputLength }
    var kdfLength: Int { hashAlgorithm.outputLength }
    var aeadKeyLength: Int { aead.keyLength }
    var aeadNonceLength: Int { aead.nonceLength }

    func hash(_ data: [UInt8]) -> [UInt8] { hashAlgorithm.hash(data) }

    func mac(key: SecretBytes, data: [UInt8]) -> [UInt8] { hashAlgorithm.mac(key: key, data: data) }

    func extract(salt: SecretBytes, inputKeyMaterial: SecretBytes) -> SecretBytes {
        hashAlgorithm.extract(salt: salt, inputKeyMaterial: inputKeyMaterial)
    }

    func expand(pseudorandomKey: SecretBytes, info: [UInt8], length: Int) throws(MLSError) -> SecretBytes {
        try hashAlgorithm.expand(pseudorandomKey: pseudorandomKey, info: info, length: length)
    }

    func aeadSeal(
        key: SecretBytes,
        nonce: [UInt8],
        associatedData: [UInt8],
        plaintext: [UInt8]
    ) throws(MLSError) -> [UInt8] {
        try aead.seal(key: key, nonce: nonce, associatedData: associatedData, plaintext: plaintext)
    }

    func aeadOpen(
        key: SecretBytes,
        nonce: [UInt8],
        associatedData: [UInt8],
        ciphertext: [UInt8]
    ) throws(MLSError) -> [UInt8] {
        try aead.open(key: key, nonce: nonce, associatedData: associatedData, ciphertext: ciphertext)
    }

    func hpkeSeal(
        publicKey: HPKEPublicKey,
        info: [UInt8],
        associatedData: [UInt8],
        plaintext: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> HPKECiphertext {
        let randomness = SecretBytes(randomCount: kem.encapsulationRandomnessLength, using: &generator)
        return try hpke.seal(
            publicKey: publicKey,
            info: info,
            associatedData: associatedData,
            plaintext: plaintext,
            randomness: randomness
        )
    }

    func hpkeSealEach(
        _ recipients: [(publicKey: HPKEPublicKey, plaintext: [UInt8])],
        info: [UInt8],
        associatedData: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> [HPKECiphertext] {
        let infoHash = hpke.infoHash(info)
        // Randomness is drawn in recipient order before any sealing starts, so the output is the same however the
        // seals are spread over cores.
        var drawn: [SecretBytes] = []
        drawn.reserveCapacity(recipients.count)
        for _ in recipients {
            drawn.append(SecretBytes(randomCount: kem.encapsulationRandomnessLength, using: &generator))
        }
        let randomness = drawn
        let hpke = self.hpke
        return try ParallelMap.map(count: recipients.count) { index throws(MLSError) in
            try hpke.seal(
                publicKey: recipients[index].publicKey,
                infoHash: infoHash,
                associatedData: associatedData,
                plaintext: recipients[index].plaintext,
                randomness: randomness[index]
            )
        }
    }

    func hpkeOpen(
        privateKey: HPKEPrivateKey,
        info: [UInt8],
        associatedData: [UInt8],
        ciphertext: HPKECiphertext
    ) throws(MLSError) -> [UInt8] {
        try hpke.open(privateKey: privateKey, info: info, associatedData: associatedData, ciphertext: ciphertext)
    }

    func hpkeExportSender(
        publicKey: HPKEPublicKey,
        info: [UInt8],
        exporterContext: [UInt8],
        length: Int,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> HPKEExportedSecret {
        let randomness = SecretBytes(randomCount: kem.encapsulationRandomnessLength, using: &generator)
        return try hpke.exportSender(
            publicKey: publicKey,
            info: info,
            exporterContext: exporterContext,
            length: length,
            randomness: randomness
        )
    }

    func hpkeExportReceiver(
        privateKey: HPKEPrivateKey,
        kemOutput: [UInt8],
        info: [UInt8],
        exporterContext: [UInt8],
        length: Int
    ) throws(MLSError) -> SecretBytes {
        try hpke.exportReceiver(
            privateKey: privateKey,
            kemOutput: kemOutput,
            info: info,
            exporterContext: exporterContext,
            length: length
        )
    }

    func deriveHPKEKeyPair(inputKeyMaterial: SecretBytes) throws(MLSError) -> HPKEKeyPair {
        try kem.deriveKeyPair(inputKeyMaterial: inputKeyMaterial)
    }

    func generateHPKEKeyPair(using generator: inout some RandomNumberGenerator) throws(MLSError) -> HPKEKeyPair {
        try kem.generateKeyPair(using: &generator)
    }

    func hpkePublicKey(for privateKey: HPKEPrivateKey) throws(MLSError) -> HPKEPublicKey {
        try kem.publicKey(for: privateKey)
    }

    func generateSignatureKeyPair(using generator: inout some RandomNumberGenerator) -> SignatureKeyPair {
        signatureScheme.generateKeyPair(using: &generator)
    }

    func signaturePublicKey(for privateKey: SignaturePrivateKey) throws(MLSError) -> SignaturePublicKey {
        try signatureScheme.publicKey(for: privateKey)
    }

    func sign(_ message: [UInt8], with privateKey: SignaturePrivateKey) throws(MLSError) -> [UInt8] {
        try signatureScheme.sign(message, with: privateKey)
    }

    func verify(_ signature: [UInt8], for message: [UInt8], with publicKey: SignaturePublicKey) -> Bool {
        signatureScheme.verify(signature, for: message, with: publicKey)
    }
}
