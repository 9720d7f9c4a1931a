import KalandraCrypto
import KalandraMLS
import Testing

/// crypto-basics.json with one byte flipped: a SignWithLabel signature must fail `verifyWithLabel`, and an
/// EncryptWithLabel ciphertext or KEM output must fail `decryptWithLabel`, for suites 1 and 3.
@Suite struct CryptoBasicsMutationTests {
    struct Vector: SuiteTaggedVector {
        let cipherSuite: UInt16
        let signWithLabel: SignWithLabel
        let encryptWithLabel: EncryptWithLabel
    }

    struct SignWithLabel: Decodable {
        @HexEncoded var pub: [UInt8]
        @HexEncoded var content: [UInt8]
        let label: String
        @HexEncoded var signature: [UInt8]
    }

    struct EncryptWithLabel: Decodable {
        @HexEncoded var priv: [UInt8]
        let label: String
        @HexEncoded var context: [UInt8]
        @HexEncoded var kemOutput: [UInt8]
        @HexEncoded var ciphertext: [UInt8]
    }

    @Test func flippedSignatureIsRefused() throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "crypto-basics.json") {
            let sign = vector.signWithLabel
            let publicKey = SignaturePublicKey(sign.pub)
            try provider.verifyWithLabel(sign.signature, content: sign.content, label: sign.label, publicKey: publicKey)
            for (position, signature) in ByteFlip.variants(of: sign.signature) {
                expectRejection(.signatureInvalid, "suite \(vector.cipherSuite) signature byte \(position)") {
                    try provider.verifyWithLabel(
                        signature,
                        content: sign.content,
                        label: sign.label,
                        publicKey: publicKey
                    )
                }
                checked += 1
            }
        }
        #expect(checked == 2 * 3)
    }

    @Test func flippedCiphertextIsRefused() throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "crypto-basics.json") {
            let encrypt = vector.encryptWithLabel
            let privateKey = HPKEPrivateKey(SecretBytes(copying: encrypt.priv))
            let given = HPKECiphertext(kemOutput: encrypt.kemOutput, ciphertext: encrypt.ciphertext)
            func decrypt(_ ciphertext: HPKECiphertext) throws {
                _ = try provider.decryptWithLabel(
                    privateKey: privateKey,
                    label: encrypt.label,
                    context: encrypt.context,
                    ciphertext: ciphertext
                )
            }
            try decrypt(given)
            for (position, ciphertext) in ByteFlip.variants(of: given.ciphertext) {
                var mutated = given
                mutated.ciphertext = ciphertext
                expectRejection(.decryptionFailed, "suite \(vector.cipherSuite) ciphertext byte \(position)") {
                    try decrypt(mutated)
                }
                checked += 1
            }
            for (position, kemOutput) in ByteFlip.variants(of: given.kemOutput) {
                var mutated = given
                mutated.kemOutput = kemOutput
                expectRejection(.decryptionFailed, "suite \(vector.cipherSuite) KEM output byte \(position)") {
                    try decrypt(mutated)
                }
                checked += 1
            }
        }
        #expect(checked == 2 * 6)
    }
}
