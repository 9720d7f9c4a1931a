import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// crypto-basics.json: RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel/VerifyWithLabel and
/// EncryptWithLabel/DecryptWithLabel, for every supported suite; entries of other suites are skipped and counted.
@Suite struct CryptoBasicsVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        let refHash: RefHash
        let expandWithLabel: ExpandWithLabel
        let deriveSecret: DeriveSecret
        let deriveTreeSecret: DeriveTreeSecret
        let signWithLabel: SignWithLabel
        let encryptWithLabel: EncryptWithLabel
    }

    struct RefHash: Decodable {
        let label: String
        @HexEncoded var value: [UInt8]
        @HexEncoded var out: [UInt8]
    }

    struct ExpandWithLabel: Decodable {
        @HexEncoded var secret: [UInt8]
        let label: String
        @HexEncoded var context: [UInt8]
        let length: Int
        @HexEncoded var out: [UInt8]
    }

    struct DeriveSecret: Decodable {
        @HexEncoded var secret: [UInt8]
        let label: String
        @HexEncoded var out: [UInt8]
    }

    struct DeriveTreeSecret: Decodable {
        @HexEncoded var secret: [UInt8]
        let label: String
        let generation: UInt32
        let length: Int
        @HexEncoded var out: [UInt8]
    }

    struct SignWithLabel: Decodable {
        @HexEncoded var priv: [UInt8]
        @HexEncoded var pub: [UInt8]
        @HexEncoded var content: [UInt8]
        let label: String
        @HexEncoded var signature: [UInt8]
    }

    struct EncryptWithLabel: Decodable {
        @HexEncoded var priv: [UInt8]
        @HexEncoded var pub: [UInt8]
        let label: String
        @HexEncoded var context: [UInt8]
        @HexEncoded var plaintext: [UInt8]
        @HexEncoded var kemOutput: [UInt8]
        @HexEncoded var ciphertext: [UInt8]
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "crypto-basics.json")
        var ran: [UInt16] = []
        var skipped: [UInt16] = []
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped.append(vector.cipherSuite)
                continue
            }
            try check(vector, with: try suite.provider())
            ran.append(vector.cipherSuite)
        }
        #expect(ran == [1, 3])
        #expect(skipped == [2, 4, 5, 6, 7])
    }

    private func check(_ vector: Vector, with provider: any CipherSuiteProvider) throws {
        let refHash = vector.refHash
        #expect(provider.refHash(label: refHash.label, value: refHash.value) == refHash.out)

        let expand = vector.expandWithLabel
        let expanded = try provider.expandWithLabel(
            secret: SecretBytes(copying: expand.secret),
            label: expand.label,
            context: expand.context,
            length: expand.length
        )
        #expect(expanded == SecretBytes(copying: expand.out))

        let derive = vector.deriveSecret
        let derived = try provider.deriveSecret(secret: SecretBytes(copying: derive.secret), label: derive.label)
        #expect(derived == SecretBytes(copying: derive.out))

        let tree = vector.deriveTreeSecret
        let treeSecret = try provider.deriveTreeSecret(
            secret: SecretBytes(copying: tree.secret),
            label: tree.label,
            generation: tree.generation,
            length: tree.length
        )
        #expect(treeSecret == SecretBytes(copying: tree.out))

        try checkSignature(vector.signWithLabel, with: provider)
        try checkEncryption(vector.encryptWithLabel, with: provider)
    }

    private func checkSignature(_ sign: SignWithLabel, with provider: any CipherSuiteProvider) throws {
        let privateKey = SignaturePrivateKey(SecretBytes(copying: sign.priv))
        let publicKey = SignaturePublicKey(sign.pub)
        #expect(try provider.signaturePublicKey(for: privateKey) == publicKey)
        // The given signature verifies.
        try provider.verifyWithLabel(sign.signature, content: sign.content, label: sign.label, publicKey: publicKey)
        // Sign, then verify; Ed25519 is deterministic, so the signature is also the vector's.
        let signature = try provider.signWithLabel(sign.content, label: sign.label, privateKey: privateKey)
        try provider.verifyWithLabel(signature, content: sign.content, label: sign.label, publicKey: publicKey)
        #expect(signature == sign.signature)
        // A different label or content does not verify.
        expectError(.signatureInvalid) {
            try provider.verifyWithLabel(
                signature,
                content: sign.content,
                label: sign.label + "x",
                publicKey: publicKey
            )
        }
        expectError(.signatureInvalid) {
            try provider.verifyWithLabel(
                signature,
                content: sign.content + [0],
                label: sign.label,
                publicKey: publicKey
            )
        }
    }

    private func checkEncryption(_ encrypt: EncryptWithLabel, with provider: any CipherSuiteProvider) throws {
        let privateKey = HPKEPrivateKey(SecretBytes(copying: encrypt.priv))
        let publicKey = HPKEPublicKey(encrypt.pub)
        #expect(try provider.hpkePublicKey(for: privateKey) == publicKey)
        // The given ciphertext decrypts.
        let given = HPKECiphertext(kemOutput: encrypt.kemOutput, ciphertext: encrypt.ciphertext)
        let decrypted = try provider.decryptWithLabel(
            privateKey: privateKey,
            label: encrypt.label,
            context: encrypt.context,
            ciphertext: given
        )
        #expect(decrypted == encrypt.plaintext)
        // Encrypt, then decrypt.
        var generator = DeterministicGenerator(seed: 9420)
        let sealed = try provider.encryptWithLabel(
            publicKey: publicKey,
            label: encrypt.label,
            context: encrypt.context,
            plaintext: encrypt.plaintext,
            using: &generator
        )
        #expect(sealed.kemOutput != encrypt.kemOutput)
        let roundTrip = try provider.decryptWithLabel(
            privateKey: privateKey,
            label: encrypt.label,
            context: encrypt.context,
            ciphertext: sealed
        )
        #expect(roundTrip == encrypt.plaintext)
        // A different context does not decrypt.
        expectError(.decryptionFailed) {
            _ = try provider.decryptWithLabel(
                privateKey: privateKey,
                label: encrypt.label,
                context: encrypt.context + [1],
                ciphertext: sealed
            )
        }
    }
}
