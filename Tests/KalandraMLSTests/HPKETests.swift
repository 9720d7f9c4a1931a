import Crypto
import Foundation
import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraMLSVectors
import Testing

/// HPKE base mode against RFC 9180 Appendix A, against swift-crypto's own HPKE, and DeriveKeyPair against
/// key-schedule.json's external keys.
@Suite struct HPKETests {
    /// RFC 9180 A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM) and A.2.1 (ChaCha20Poly1305), base mode,
    /// first encryption.
    struct RFC9180Vector {
        let suite: CipherSuite
        let ikmE: String
        let skEm: String
        let pkEm: String
        let ikmR: String
        let skRm: String
        let pkRm: String
        let ciphertext: String
    }

    static let info = Array("Ode on a Grecian Urn".utf8)
    static let associatedData = Array("Count-0".utf8)
    static let plaintext = Array("Beauty is truth, truth beauty".utf8)

    static let rfc9180Vectors = [
        RFC9180Vector(
            suite: .x25519Aes128GcmSha256Ed25519,
            ikmE: "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
            skEm: "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
            pkEm: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
            ikmR: "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
            skRm: "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
            pkRm: "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
            ciphertext: "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a"
        ),
        RFC9180Vector(
            suite: .x25519ChaCha20Poly1305Sha256Ed25519,
            ikmE: "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b",
            skEm: "f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
            pkEm: "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
            ikmR: "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df",
            skRm: "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
            pkRm: "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
            ciphertext: "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28"
        ),
    ]

    @Test(arguments: rfc9180Vectors)
    func rfc9180KnownAnswer(_ vector: RFC9180Vector) throws {
        let provider = try vector.suite.provider()
        let recipient = try provider.deriveHPKEKeyPair(inputKeyMaterial: SecretBytes(copying: hex(vector.ikmR)))
        #expect(recipient.privateKey == HPKEPrivateKey(SecretBytes(copying: hex(vector.skRm))))
        #expect(recipient.publicKey.bytes == hex(vector.pkRm))
        let ephemeral = try provider.deriveHPKEKeyPair(inputKeyMaterial: SecretBytes(copying: hex(vector.ikmE)))
        #expect(ephemeral.privateKey == HPKEPrivateKey(SecretBytes(copying: hex(vector.skEm))))
        #expect(ephemeral.publicKey.bytes == hex(vector.pkEm))

        // Injected randomness equal to ikmE reproduces the RFC's encapsulation and ciphertext exactly.
        var generator = ReplayGenerator(hex(vector.ikmE))
        let sealed = try provider.hpkeSeal(
            publicKey: recipient.publicKey,
            info: Self.info,
            associatedData: Self.associatedData,
            plaintext: Self.plaintext,
            using: &generator
        )
        #expect(sealed.kemOutput == hex(vector.pkEm))
        #expect(sealed.ciphertext == hex(vector.ciphertext))
        let opened = try provider.hpkeOpen(
            privateKey: recipient.privateKey,
            info: Self.info,
            associatedData: Self.associatedData,
            ciphertext: sealed
        )
        #expect(opened == Self.plaintext)
        expectError(.decryptionFailed) {
            _ = try provider.hpkeOpen(
                privateKey: recipient.privateKey,
                info: Self.info,
                associatedData: [],
                ciphertext: sealed
            )
        }
    }

    static let swiftCryptoSuites: [(CipherSuite, HPKE.AEAD)] = [
        (.x25519Aes128GcmSha256Ed25519, .AES_GCM_128),
        (.x25519ChaCha20Poly1305Sha256Ed25519, .chaChaPoly),
    ]

    @Test(arguments: swiftCryptoSuites)
    func interoperatesWithSwiftCryptoHPKE(_ suite: CipherSuite, _ aead: HPKE.AEAD) throws {
        let provider = try suite.provider()
        let ciphersuite = HPKE.Ciphersuite(kem: .Curve25519_HKDF_SHA256, kdf: .HKDF_SHA256, aead: aead)
        var generator = DeterministicGenerator(seed: UInt64(suite.rawValue))
        let keyPair = try provider.generateHPKEKeyPair(using: &generator)
        let swiftPrivateKey = try keyPair.privateKey.secret.withUnsafeBytes {
            try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: $0)
        }
        #expect(Array(swiftPrivateKey.publicKey.rawRepresentation) == keyPair.publicKey.bytes)
        let info = Array("info".utf8)
        let associatedData = Array("aad".utf8)
        let message = Array("a message for interop".utf8)

        // swift-crypto seals, we open; and their exporter agrees with ours.
        var sender = try HPKE.Sender(
            recipientKey: swiftPrivateKey.publicKey,
            ciphersuite: ciphersuite,
            info: Data(info)
        )
        let theirCiphertext = try sender.seal(message, authenticating: associatedData)
        let theirs = HPKECiphertext(kemOutput: Array(sender.encapsulatedKey), ciphertext: Array(theirCiphertext))
        #expect(
            try provider.hpkeOpen(
                privateKey: keyPair.privateKey,
                info: info,
                associatedData: associatedData,
                ciphertext: theirs
            ) == message
        )
        let theirExport = try sender.exportSecret(context: Array("ctx".utf8), outputByteCount: 32)
        let ourExport = try provider.hpkeExportReceiver(
            privateKey: keyPair.privateKey,
            kemOutput: theirs.kemOutput,
            info: info,
            exporterContext: Array("ctx".utf8),
            length: 32
        )
        #expect(ourExport == theirExport.withUnsafeBytes { SecretBytes(copying: $0) })

        // We seal, swift-crypto opens.
        let ours = try provider.hpkeSeal(
            publicKey: keyPair.publicKey,
            info: info,
            associatedData: associatedData,
            plaintext: message,
            using: &generator
        )
        var recipient = try HPKE.Recipient(
            privateKey: swiftPrivateKey,
            ciphersuite: ciphersuite,
            info: Data(info),
            encapsulatedKey: Data(ours.kemOutput)
        )
        #expect(Array(try recipient.open(ours.ciphertext, authenticating: associatedData)) == message)

        // Our sender-side export matches our receiver-side export.
        let exported = try provider.hpkeExportSender(
            publicKey: keyPair.publicKey,
            info: info,
            exporterContext: [1, 2, 3],
            length: 48,
            using: &generator
        )
        let received = try provider.hpkeExportReceiver(
            privateKey: keyPair.privateKey,
            kemOutput: exported.kemOutput,
            info: info,
            exporterContext: [1, 2, 3],
            length: 48
        )
        #expect(exported.secret.count == 48)
        #expect(exported.secret == received)
    }

    struct KeyScheduleVector: Decodable {
        let cipherSuite: UInt16
        let epochs: [Epoch]

        struct Epoch: Decodable {
            @HexEncoded var externalSecret: [UInt8]
            @HexEncoded var externalPub: [UInt8]
        }
    }

    /// key-schedule.json: external_pub = DeriveKeyPair(external_secret).public, the only DeriveKeyPair output in the
    /// MLS vectors that needs no other protocol machinery.
    @Test func deriveKeyPairMatchesKeyScheduleExternalKeys() throws {
        let vectors = try VectorLoader.load([KeyScheduleVector].self, from: "key-schedule.json")
        var epochsChecked = 0
        var skipped: [UInt16] = []
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped.append(vector.cipherSuite)
                continue
            }
            let provider = try suite.provider()
            for epoch in vector.epochs {
                let keyPair = try provider.deriveHPKEKeyPair(
                    inputKeyMaterial: SecretBytes(copying: epoch.externalSecret)
                )
                #expect(keyPair.publicKey.bytes == epoch.externalPub)
                epochsChecked += 1
            }
        }
        #expect(epochsChecked == 10)
        #expect(skipped == [2, 4, 5, 6, 7])
    }

    @Test func refusesMalformedAndLowOrderKeys() throws {
        let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        var generator = DeterministicGenerator(seed: 1)
        let keyPair = try provider.generateHPKEKeyPair(using: &generator)
        expectError(.invalidKey("X25519 private key has 31 bytes; expected 32")) {
            _ = try provider.hpkePublicKey(for: HPKEPrivateKey(SecretBytes(copying: [UInt8](repeating: 1, count: 31))))
        }
        expectError(.invalidKey("X25519 public key has 33 bytes; expected 32")) {
            _ = try provider.hpkeSeal(
                publicKey: HPKEPublicKey([UInt8](repeating: 9, count: 33)),
                info: [],
                associatedData: [],
                plaintext: [],
                using: &generator
            )
        }
        // The all-zero point has low order: the shared secret would be all zero (RFC 9180 §7.1.4).
        expectError(.invalidKey("X25519 public key has low order")) {
            _ = try provider.hpkeSeal(
                publicKey: HPKEPublicKey([UInt8](repeating: 0, count: 32)),
                info: [],
                associatedData: [],
                plaintext: [],
                using: &generator
            )
        }
        expectError(.invalidKey("X25519 public key has 5 bytes; expected 32")) {
            _ = try provider.hpkeOpen(
                privateKey: keyPair.privateKey,
                info: [],
                associatedData: [],
                ciphertext: HPKECiphertext(kemOutput: [1, 2, 3, 4, 5], ciphertext: [UInt8](repeating: 0, count: 16))
            )
        }
        // Seeded generation replays.
        var again = DeterministicGenerator(seed: 1)
        #expect(try provider.generateHPKEKeyPair(using: &again).publicKey == keyPair.publicKey)
    }

    private func hex(_ text: String) -> [UInt8] { Hex.decode(text) ?? [] }
}
