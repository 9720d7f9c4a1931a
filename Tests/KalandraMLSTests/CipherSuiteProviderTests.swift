import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// The suite providers' primitives: known answers for HMAC and HKDF, AEAD and signature error paths, suite metadata.
@Suite struct CipherSuiteProviderTests {
    static let suites = CipherSuite.supported

    @Test(arguments: suites)
    func metadata(_ suite: CipherSuite) throws {
        let provider = try suite.provider()
        #expect(provider.cipherSuite == suite)
        #expect(provider.hashLength == 32)
        #expect(provider.kdfLength == 32)
        #expect(provider.aeadKeyLength == (suite == .x25519Aes128GcmSha256Ed25519 ? 16 : 32))
        #expect(provider.aeadNonceLength == 12)
        #expect(
            provider.hash(Array("abc".utf8)) == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        )
    }

    @Test func suiteCodingAndNames() throws {
        #expect(CipherSuite.x25519Aes128GcmSha256Ed25519.encoded() == [0, 1])
        #expect(try CipherSuite.decode([0, 3]) == .x25519ChaCha20Poly1305Sha256Ed25519)
        #expect(CipherSuite(rawValue: 3).description == "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519")
        for code in UInt16(1)...7 { #expect(CipherSuite(rawValue: code).description.hasPrefix("MLS_")) }
        #expect(CipherSuite(rawValue: 0xF0A1).description == "cipher suite 61601")
        expectError(.unsupportedCipherSuite(0xF0A1)) { _ = try CipherSuite(rawValue: 0xF0A1).provider() }
    }

    /// RFC 4231 test case 1 and RFC 5869 test case 1.
    @Test func macExtractExpandKnownAnswers() throws {
        let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        let mac = provider.mac(
            key: SecretBytes(copying: [UInt8](repeating: 0x0B, count: 20)),
            data: Array("Hi There".utf8)
        )
        #expect(mac == hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"))

        let prk = provider.extract(
            salt: SecretBytes(copying: hex("000102030405060708090a0b0c")),
            inputKeyMaterial: SecretBytes(copying: [UInt8](repeating: 0x0B, count: 22))
        )
        #expect(prk == SecretBytes(copying: hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")))
        let okm = try provider.expand(pseudorandomKey: prk, info: hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        let expected = "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        #expect(okm == SecretBytes(copying: hex(expected)))

        #expect(try provider.expand(pseudorandomKey: prk, info: [], length: 0).count == 0)
        #expect(try provider.expand(pseudorandomKey: prk, info: [], length: 255 * 32).count == 255 * 32)
        expectError(.invalidValue("HKDF-Expand length 8161 outside 0...8160")) {
            _ = try provider.expand(pseudorandomKey: prk, info: [], length: 255 * 32 + 1)
        }
        expectError(.invalidValue("HKDF-Expand length -1 outside 0...8160")) {
            _ = try provider.expand(pseudorandomKey: prk, info: [], length: -1)
        }
        expectError(.invalidValue("ExpandWithLabel length 65536 does not fit in uint16")) {
            _ = try provider.expandWithLabel(secret: prk, label: "x", context: [], length: 65536)
        }
    }

    @Test(arguments: suites)
    func aeadRoundTripAndFailures(_ suite: CipherSuite) throws {
        let provider = try suite.provider()
        var generator = DeterministicGenerator(seed: 7)
        let key = SecretBytes(randomCount: provider.aeadKeyLength, using: &generator)
        let nonce = [UInt8](repeating: 3, count: 12)
        let sealed = try provider.aeadSeal(key: key, nonce: nonce, associatedData: [1], plaintext: [9, 8, 7])
        #expect(sealed.count == 3 + 16)
        #expect(try provider.aeadOpen(key: key, nonce: nonce, associatedData: [1], ciphertext: sealed) == [9, 8, 7])

        var tampered = sealed
        tampered[0] ^= 1
        expectError(.decryptionFailed) {
            _ = try provider.aeadOpen(key: key, nonce: nonce, associatedData: [1], ciphertext: tampered)
        }
        expectError(.decryptionFailed) {
            _ = try provider.aeadOpen(key: key, nonce: nonce, associatedData: [2], ciphertext: sealed)
        }
        expectError(.decryptionFailed) {
            _ = try provider.aeadOpen(key: key, nonce: nonce, associatedData: [1], ciphertext: Array(sealed.prefix(15)))
        }
        let shortKey = SecretBytes(copying: [UInt8](repeating: 0, count: 5))
        expectError(.invalidKey("AEAD key has 5 bytes; expected \(provider.aeadKeyLength)")) {
            _ = try provider.aeadSeal(key: shortKey, nonce: nonce, associatedData: [], plaintext: [])
        }
        expectError(.invalidValue("AEAD nonce has 11 bytes; expected 12")) {
            _ = try provider.aeadOpen(key: key, nonce: Array(nonce.dropLast()), associatedData: [], ciphertext: sealed)
        }
    }

    @Test(arguments: suites)
    func signatures(_ suite: CipherSuite) throws {
        let provider = try suite.provider()
        var generator = DeterministicGenerator(seed: 42)
        let keyPair = provider.generateSignatureKeyPair(using: &generator)
        #expect(try provider.signaturePublicKey(for: keyPair.privateKey) == keyPair.publicKey)
        let signature = try provider.signWithLabel([1, 2, 3], label: "Test", privateKey: keyPair.privateKey)
        try provider.verifyWithLabel(signature, content: [1, 2, 3], label: "Test", publicKey: keyPair.publicKey)
        #expect(
            !provider.verify(signature, for: [1, 2, 3], with: keyPair.publicKey),
            "the label is part of the message"
        )
        #expect(!provider.verify(Array(signature.dropLast()), for: [], with: keyPair.publicKey))
        #expect(!provider.verify(signature, for: [], with: SignaturePublicKey([1, 2])))
        expectError(.signatureInvalid) {
            try provider.verifyWithLabel(signature, content: [1, 2, 3], label: "Other", publicKey: keyPair.publicKey)
        }
        let badKey = SignaturePrivateKey(SecretBytes(copying: [UInt8](repeating: 1, count: 31)))
        do {
            _ = try provider.sign([], with: badKey)
            Issue.record("a 31-byte Ed25519 seed was accepted")
        } catch {
            guard case .invalidKey = error.kind else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }

    private func hex(_ text: String) -> [UInt8] { Hex.decode(text) ?? [] }
}
