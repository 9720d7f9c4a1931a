import KalandraCore
import KalandraCrypto
import Testing

@Suite struct Ed25519Tests {
    /// RFC 8032 §7.1, TEST 2 (one-byte message 0x72).
    @Test func rfc8032TestVector() throws {
        let seed = SecretBytes(copying: Hex.decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")!)
        let key = try SigningKey(seed: seed)
        #expect(
            Hex.encode(key.verifyingKey.bytes) == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
        )
        let signature = key.signature(for: [0x72])
        #expect(
            signature.description
                == "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        )
        #expect(key.verifyingKey.isValidSignature(signature, for: [0x72]))
        #expect(!key.verifyingKey.isValidSignature(signature, for: [0x73]))
        let publicKey = try VerifyingKey(bytes: key.verifyingKey.bytes)
        #expect(publicKey == key.verifyingKey)
    }

    @Test func generatedKeysFollowTheInjectedGenerator() {
        var first = DeterministicGenerator(seed: 3)
        var second = DeterministicGenerator(seed: 3)
        let key = SigningKey.generate(using: &first)
        #expect(key.verifyingKey == SigningKey.generate(using: &second).verifyingKey)
        #expect(SigningKey.generate(using: &first).verifyingKey != key.verifyingKey)
    }

    @Test func rejectsKeysOfTheWrongLength() {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, found: 31)) {
            try SigningKey(seed: SecretBytes(copying: [UInt8](repeating: 1, count: 31)))
        }
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, found: 33)) {
            try VerifyingKey(bytes: [UInt8](repeating: 1, count: 33))
        }
    }

    @Test func signatureRoundTripsThroughBytes() {
        var generator = DeterministicGenerator(seed: 11)
        let key = SigningKey.generate(using: &generator)
        let signature = key.signature(for: Array("hello".utf8))
        let copy = signature.bytes.withUnsafeBytes { Signature(copying: $0) }
        #expect(copy == signature)
        #expect(Signature.zero.bytes == [UInt8](repeating: 0, count: 64))
    }
}

@Suite struct XChaCha20Poly1305Tests {
    /// draft-irtf-cfrg-xchacha-03 §A.3.1.
    @Test func draftTestVector() throws {
        let plaintext = Array(
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
                .utf8
        )
        let key = SecretBytes(copying: Hex.decode("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")!)
        let nonce = Hex.decode("404142434445464748494a4b4c4d4e4f5051525354555657")!
        let associatedData = Hex.decode("50515253c0c1c2c3c4c5c6c7")!
        let sealed = try XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, associatedData: associatedData)
        let expected =
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
            + "c0875924c1c7987947deafd8780acf49"
        #expect(Hex.encode(sealed) == expected)
        let opened = try XChaCha20Poly1305.open(sealed, key: key, nonce: nonce, associatedData: associatedData)
        #expect(opened == plaintext)
    }

    @Test func anyChangeFailsAuthentication() throws {
        var generator = DeterministicGenerator(seed: 5)
        let key = SecretBytes(randomCount: 32, using: &generator)
        let otherKey = SecretBytes(randomCount: 32, using: &generator)
        let nonce = [UInt8](repeating: 9, count: 24)
        let sealed = try XChaCha20Poly1305.seal([1, 2, 3], key: key, nonce: nonce, associatedData: [7])
        var flipped = sealed
        flipped[0] ^= 1
        #expect(throws: CryptoError.authenticationFailure) {
            try XChaCha20Poly1305.open(flipped, key: key, nonce: nonce, associatedData: [7])
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try XChaCha20Poly1305.open(sealed, key: key, nonce: nonce, associatedData: [8])
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try XChaCha20Poly1305.open(sealed, key: otherKey, nonce: nonce, associatedData: [7])
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try XChaCha20Poly1305.open([1, 2], key: key, nonce: nonce)
        }
    }

    @Test func rejectsWrongSizes() {
        let key = SecretBytes(copying: [UInt8](repeating: 0, count: 16))
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, found: 16)) {
            try XChaCha20Poly1305.seal([], key: key, nonce: [UInt8](repeating: 0, count: 24))
        }
        let goodKey = SecretBytes(copying: [UInt8](repeating: 0, count: 32))
        #expect(throws: CryptoError.invalidNonceLength(expected: 24, found: 12)) {
            try XChaCha20Poly1305.open([], key: goodKey, nonce: [UInt8](repeating: 0, count: 12))
        }
    }
}

@Suite struct SecretTests {
    @Test func constantTimeComparison() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
    }

    @Test func secretBytesCompareByContentAndNeverPrint() {
        let first = SecretBytes(copying: [0xDE, 0xAD, 0xBE, 0xEF])
        let second = SecretBytes(copying: [0xDE, 0xAD, 0xBE, 0xEF])
        let third = SecretBytes(copying: [0xDE, 0xAD, 0xBE, 0xEE])
        #expect(first == second)
        #expect(first != third)
        #expect(!first.description.contains("de"))
        #expect(!"\(first)".contains("ad"))
        #expect(first.debugDescription == "SecretBytes(4 bytes, redacted)")
        #expect(first.count == 4)
        #expect(SecretBytes(copying: []).count == 0)
    }

    @Test func randomSecretsFollowTheGenerator() {
        var first = DeterministicGenerator(seed: 1)
        var second = DeterministicGenerator(seed: 1)
        let left = SecretBytes(randomCount: 13, using: &first)
        let right = SecretBytes(randomCount: 13, using: &second)
        #expect(left == right)
        #expect(left.count == 13)
    }

    @Test func errorsDescribeTheProblem() {
        #expect(CryptoError.invalidKeyLength(expected: 32, found: 1).description == "key has 1 bytes; expected 32")
        #expect(CryptoError.invalidNonceLength(expected: 24, found: 2).description.contains("nonce has 2 bytes"))
        #expect(CryptoError.invalidKey.description.contains("not a valid key"))
        #expect(CryptoError.authenticationFailure.description.contains("authentication failed"))
    }
}

@Suite struct ZeroizeAndRandomTests {
    @Test func zeroizeWipesInPlace() {
        var bytes: [UInt8] = [1, 2, 3, 4]
        Zeroize.bytes(&bytes)
        #expect(bytes == [0, 0, 0, 0])
        var empty: [UInt8] = []
        Zeroize.bytes(&empty)
        #expect(empty.isEmpty)
    }

    @Test func systemRandomFillsEveryWord() {
        var words = [UInt64](repeating: 0, count: 64)
        SystemRandom.fill(&words)
        // 64 random words are all zero, or repeat, with negligible probability.
        #expect(Set(words).count == 64)
    }
}
