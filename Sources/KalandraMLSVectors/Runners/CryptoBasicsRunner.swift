import KalandraCore
import KalandraCrypto
import KalandraMLS

/// crypto-basics.json: RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel/VerifyWithLabel and
/// EncryptWithLabel/DecryptWithLabel (RFC 9420 §5).
enum CryptoBasicsRunner: EntryRunner {
    struct Entry: Decodable {
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
        @HexBytes var value: [UInt8]
        @HexBytes var out: [UInt8]
    }

    struct ExpandWithLabel: Decodable {
        @HexBytes var secret: [UInt8]
        let label: String
        @HexBytes var context: [UInt8]
        let length: Int
        @HexBytes var out: [UInt8]
    }

    struct DeriveSecret: Decodable {
        @HexBytes var secret: [UInt8]
        let label: String
        @HexBytes var out: [UInt8]
    }

    struct DeriveTreeSecret: Decodable {
        @HexBytes var secret: [UInt8]
        let label: String
        let generation: UInt32
        let length: Int
        @HexBytes var out: [UInt8]
    }

    struct SignWithLabel: Decodable {
        @HexBytes var priv: [UInt8]
        @HexBytes var pub: [UInt8]
        @HexBytes var content: [UInt8]
        let label: String
        @HexBytes var signature: [UInt8]
    }

    struct EncryptWithLabel: Decodable {
        @HexBytes var priv: [UInt8]
        @HexBytes var pub: [UInt8]
        let label: String
        @HexBytes var context: [UInt8]
        @HexBytes var plaintext: [UInt8]
        @HexBytes var kemOutput: [UInt8]
        @HexBytes var ciphertext: [UInt8]
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        let refHash = entry.refHash
        check.expectEqual(provider.refHash(label: refHash.label, value: refHash.value), refHash.out, "ref_hash.out")

        let expand = entry.expandWithLabel
        let expanded = try step("expand_with_label") {
            try provider.expandWithLabel(
                secret: SecretBytes(copying: expand.secret),
                label: expand.label,
                context: expand.context,
                length: expand.length
            )
        }
        check.expectSecret(expanded, expand.out, "expand_with_label.out")

        let derive = entry.deriveSecret
        let derived = try step("derive_secret") {
            try provider.deriveSecret(secret: SecretBytes(copying: derive.secret), label: derive.label)
        }
        check.expectSecret(derived, derive.out, "derive_secret.out")

        let tree = entry.deriveTreeSecret
        let treeSecret = try step("derive_tree_secret") {
            try provider.deriveTreeSecret(
                secret: SecretBytes(copying: tree.secret),
                label: tree.label,
                generation: tree.generation,
                length: tree.length
            )
        }
        check.expectSecret(treeSecret, tree.out, "derive_tree_secret.out")

        try checkSignature(entry.signWithLabel, provider, &check)
        try checkEncryption(entry.encryptWithLabel, provider, &check)
        return 6
    }

    private static func checkSignature(
        _ sign: SignWithLabel,
        _ provider: any CipherSuiteProvider,
        _ check: inout EntryCheck
    ) throws(EntryFailure) {
        let privateKey = SignaturePrivateKey(SecretBytes(copying: sign.priv))
        let publicKey = SignaturePublicKey(sign.pub)
        let derivedPublic = try step("sign_with_label.priv") { try provider.signaturePublicKey(for: privateKey) }
        check.expectEqual(derivedPublic, publicKey, "sign_with_label.pub (from priv)")
        try step("sign_with_label.signature does not verify") {
            try provider.verifyWithLabel(sign.signature, content: sign.content, label: sign.label, publicKey: publicKey)
        }
        // Sign, then verify; Ed25519 is deterministic, so the signature is also the vector's.
        let signature = try step("sign_with_label: signing") {
            try provider.signWithLabel(sign.content, label: sign.label, privateKey: privateKey)
        }
        try step("sign_with_label: our signature does not verify") {
            try provider.verifyWithLabel(signature, content: sign.content, label: sign.label, publicKey: publicKey)
        }
        check.expectEqual(signature, sign.signature, "sign_with_label.signature")
        check.expectError(.signatureInvalid, "sign_with_label: verifying under another label") {
            try provider.verifyWithLabel(
                signature,
                content: sign.content,
                label: sign.label + "x",
                publicKey: publicKey
            )
        }
        check.expectError(.signatureInvalid, "sign_with_label: verifying other content") {
            try provider.verifyWithLabel(
                signature,
                content: sign.content + [0],
                label: sign.label,
                publicKey: publicKey
            )
        }
    }

    private static func checkEncryption(
        _ encrypt: EncryptWithLabel,
        _ provider: any CipherSuiteProvider,
        _ check: inout EntryCheck
    ) throws(EntryFailure) {
        let privateKey = HPKEPrivateKey(SecretBytes(copying: encrypt.priv))
        let publicKey = HPKEPublicKey(encrypt.pub)
        let derivedPublic = try step("encrypt_with_label.priv") { try provider.hpkePublicKey(for: privateKey) }
        check.expectEqual(derivedPublic, publicKey, "encrypt_with_label.pub (from priv)")
        let given = HPKECiphertext(kemOutput: encrypt.kemOutput, ciphertext: encrypt.ciphertext)
        let decrypted = try step("encrypt_with_label: decrypting the given ciphertext") {
            try provider.decryptWithLabel(
                privateKey: privateKey,
                label: encrypt.label,
                context: encrypt.context,
                ciphertext: given
            )
        }
        check.expectEqual(decrypted, encrypt.plaintext, "encrypt_with_label.plaintext (decrypted)")
        // Encrypt, then decrypt.
        var generator = DeterministicGenerator(seed: 9420)
        let sealed = try step("encrypt_with_label: encrypting") {
            try provider.encryptWithLabel(
                publicKey: publicKey,
                label: encrypt.label,
                context: encrypt.context,
                plaintext: encrypt.plaintext,
                using: &generator
            )
        }
        check.expect(sealed.kemOutput != encrypt.kemOutput, "encrypt_with_label: our kem_output equals the vector's")
        let roundTrip = try step("encrypt_with_label: decrypting our ciphertext") {
            try provider.decryptWithLabel(
                privateKey: privateKey,
                label: encrypt.label,
                context: encrypt.context,
                ciphertext: sealed
            )
        }
        check.expectEqual(roundTrip, encrypt.plaintext, "encrypt_with_label.plaintext (round trip)")
        check.expectError(.decryptionFailed, "encrypt_with_label: decrypting under another context") {
            _ = try provider.decryptWithLabel(
                privateKey: privateKey,
                label: encrypt.label,
                context: encrypt.context + [1],
                ciphertext: sealed
            )
        }
    }
}
