import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraMLSVectors
import Testing

/// Welcome sealing and opening (RFC 9420 §12.4.3.1) and GroupInfo signatures (§12.4.3): a round trip with the
/// welcome.json KeyPackage of suite 1 (whose init key is known), and every check that refuses a Welcome.
@Suite struct WelcomeTests {
    /// A joiner with a known init key, a signer, and a GroupInfo whose confirmation tag matches `joinerSecret`.
    struct Setup {
        let provider: any CipherSuiteProvider
        let keyPackage: KeyPackage
        let initPrivateKey: HPKEPrivateKey
        let signer: SignatureKeyPair
        let joinerSecret: SecretBytes
        let groupInfo: GroupInfo
        var generator = DeterministicGenerator(seed: 12_431)

        init(pskSecret: SecretBytes? = nil, confirmationTag: [UInt8]? = nil) throws {
            let vectors = try VectorLoader.load([WelcomeVectorTests.Vector].self, from: "welcome.json")
            let vector = try #require(vectors.first { $0.cipherSuite == 1 })
            provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
            guard case .keyPackage(let keyPackage) = try MLSMessage.decode(vector.keyPackage).body else {
                throw MLSError(.invalidValue("vector key_package is not a KeyPackage"))
            }
            self.keyPackage = keyPackage
            initPrivateKey = HPKEPrivateKey(SecretBytes(copying: vector.initPriv))
            signer = provider.generateSignatureKeyPair(using: &generator)
            joinerSecret = SecretBytes(randomCount: provider.kdfLength, using: &generator)
            let context = GroupContext(
                cipherSuite: .x25519Aes128GcmSha256Ed25519,
                groupID: [1, 2, 3],
                epoch: 4,
                treeHash: [UInt8](repeating: 5, count: 32),
                confirmedTranscriptHash: [UInt8](repeating: 6, count: 32),
                extensions: []
            )
            let schedule = try KeySchedule(
                joinerSecret: joinerSecret,
                pskSecret: pskSecret ?? KeySchedule.zeroSecret(provider: provider),
                groupContext: context.encoded(),
                provider: provider
            )
            groupInfo = try GroupInfo.signed(
                groupContext: context,
                extensions: [],
                confirmationTag: confirmationTag
                    ?? schedule.epochSecrets.confirmationTag(confirmedTranscriptHash: context.confirmedTranscriptHash),
                signer: LeafIndex(rawValue: 0)!,
                privateKey: signer.privateKey,
                provider: provider
            )
        }

        mutating func seal(psks: [PreSharedKeyID] = [], pskSecret: SecretBytes? = nil) throws -> Welcome {
            try Welcome.seal(
                groupInfo: groupInfo,
                joinerSecret: joinerSecret,
                psks: psks,
                pskSecret: pskSecret,
                newMembers: [(keyPackage, nil)],
                provider: provider,
                using: &generator
            )
        }

        func open(_ welcome: Welcome, pskSecret: SecretBytes? = nil) throws -> WelcomeJoin {
            try welcome.open(
                keyPackage: keyPackage,
                initPrivateKey: initPrivateKey,
                pskSecret: pskSecret,
                provider: provider
            ) { _ in signer.publicKey }
        }
    }

    @Test func sealedWelcomeOpens() throws {
        var setup = try Setup()
        let welcome = try setup.seal()
        let joined = try setup.open(try Welcome.decode(welcome.encoded()))
        #expect(joined.groupInfo == setup.groupInfo)
        #expect(joined.groupSecrets.joinerSecret == setup.joinerSecret)
        // Opening the Welcome used up the schedule's joiner and welcome secrets, so it no longer keeps them (§9.2).
        #expect(joined.keySchedule.joinerSecret == nil)
        #expect(joined.keySchedule.welcomeSecret == nil)
        #expect(welcome.secrets.map(\.newMember) == [setup.keyPackage.reference(provider: setup.provider)])
    }

    @Test func welcomeWithPSKsNeedsTheirSecret() throws {
        let pskSecret = SecretBytes(copying: [UInt8](repeating: 0x11, count: 32))
        var setup = try Setup(pskSecret: pskSecret)
        let psk = PreSharedKeyID(key: .external(id: [1]), nonce: [UInt8](repeating: 2, count: 32))
        let welcome = try setup.seal(psks: [psk], pskSecret: pskSecret)
        #expect(try setup.open(welcome, pskSecret: pskSecret).groupSecrets.psks == [psk])
        expectError(.invalidValue("the welcome injects 1 PSK(s): their psk_secret is required")) {
            _ = try setup.open(welcome)
        }
        expectError(.invalidValue("a psk_secret was given but the welcome injects no PSKs")) {
            _ = try setup.seal(pskSecret: pskSecret)
        }
    }

    @Test func welcomesAreRefusedWhenAnythingIsWrong() throws {
        var setup = try Setup()
        let welcome = try setup.seal()

        var noEntry = welcome
        noEntry.secrets = []
        expectError(.keyPackageNotInWelcome) { _ = try setup.open(noEntry) }

        var otherSuite = welcome
        otherSuite.cipherSuite = .x25519ChaCha20Poly1305Sha256Ed25519
        expectError(.cipherSuiteMismatch) { _ = try setup.open(otherSuite) }

        var badGroupInfo = welcome
        badGroupInfo.encryptedGroupInfo[0] ^= 1
        // The group info ciphertext is the context of the group secrets' encryption, so those fail first.
        expectError(.decryptionFailed) { _ = try setup.open(badGroupInfo) }

        expectError(.decryptionFailed) {
            _ = try welcome.decryptGroupInfo(
                welcomeSecret: SecretBytes(copying: [UInt8](repeating: 0, count: 32)),
                provider: setup.provider
            )
        }

        expectError(.signatureInvalid) {
            _ = try welcome.open(
                keyPackage: setup.keyPackage,
                initPrivateKey: setup.initPrivateKey,
                provider: setup.provider
            ) { _ in SignaturePublicKey([UInt8](repeating: 1, count: 32)) }
        }

        let wrongInitKey = HPKEPrivateKey(SecretBytes(copying: [UInt8](repeating: 0x42, count: 32)))
        expectError(.decryptionFailed) {
            _ = try welcome.decryptGroupSecrets(
                keyPackage: setup.keyPackage,
                initPrivateKey: wrongInitKey,
                provider: setup.provider
            )
        }
    }

    @Test func badConfirmationTagIsRefused() throws {
        var setup = try Setup(confirmationTag: [UInt8](repeating: 0, count: 32))
        let welcome = try setup.seal()
        expectError(.confirmationTagInvalid) { _ = try setup.open(welcome) }
    }

    @Test func sealingRefusesMismatchedSuites() throws {
        var setup = try Setup()
        var otherKeyPackage = setup.keyPackage
        otherKeyPackage.cipherSuite = .x25519ChaCha20Poly1305Sha256Ed25519
        expectError(.cipherSuiteMismatch) {
            _ = try Welcome.seal(
                groupInfo: setup.groupInfo,
                joinerSecret: setup.joinerSecret,
                newMembers: [(otherKeyPackage, nil)],
                provider: setup.provider,
                using: &setup.generator
            )
        }
        let otherProvider = try CipherSuite.x25519ChaCha20Poly1305Sha256Ed25519.provider()
        expectError(.cipherSuiteMismatch) {
            _ = try Welcome.seal(
                groupInfo: setup.groupInfo,
                joinerSecret: setup.joinerSecret,
                newMembers: [],
                provider: otherProvider,
                using: &setup.generator
            )
        }
    }

    @Test func groupInfoSignatureCoversEveryField() throws {
        let setup = try Setup()
        try setup.groupInfo.verifySignature(publicKey: setup.signer.publicKey, provider: setup.provider)
        var changed = setup.groupInfo
        changed.signer = LeafIndex(rawValue: 1)!
        expectError(.signatureInvalid) {
            try changed.verifySignature(publicKey: setup.signer.publicKey, provider: setup.provider)
        }
    }
}
