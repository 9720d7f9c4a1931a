import KalandraCrypto
import KalandraMLS
import KalandraMLSVectors
import Testing

/// `KeySchedule` and `EpochSecrets` (RFC 9420 §8) beyond the vectors: input checks, the Welcome key and nonce,
/// external init, confirmation tags, exporter labels, the secret tree from an epoch, and the PSK count limit.
@Suite struct KeyScheduleTests {
    let provider: any CipherSuiteProvider
    let groupContext: [UInt8] = Array("a serialised GroupContext".utf8)

    init() throws { provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider() }

    private func secret(_ byte: UInt8, count: Int = 32) -> SecretBytes {
        SecretBytes(copying: [UInt8](repeating: byte, count: count))
    }

    private func schedule() throws -> KeySchedule {
        try KeySchedule(
            initSecret: secret(1),
            commitSecret: KeySchedule.zeroSecret(provider: provider),
            pskSecret: KeySchedule.zeroSecret(provider: provider),
            groupContext: groupContext,
            provider: provider
        )
    }

    @Test func secretsOfTheWrongLengthAreRefused() {
        let short = secret(1, count: 16)
        let good = secret(2)
        expectError(.invalidKey("init_secret has 16 bytes; expected KDF.Nh = 32")) {
            _ = try KeySchedule(
                initSecret: short,
                commitSecret: good,
                pskSecret: good,
                groupContext: [],
                provider: provider
            )
        }
        expectError(.invalidKey("commit_secret has 16 bytes; expected KDF.Nh = 32")) {
            _ = try KeySchedule(
                initSecret: good,
                commitSecret: short,
                pskSecret: good,
                groupContext: [],
                provider: provider
            )
        }
        expectError(.invalidKey("psk_secret has 16 bytes; expected KDF.Nh = 32")) {
            _ = try KeySchedule(joinerSecret: good, pskSecret: short, groupContext: [], provider: provider)
        }
        expectError(.invalidKey("joiner_secret has 16 bytes; expected KDF.Nh = 32")) {
            _ = try KeySchedule.welcomeSecret(joinerSecret: short, pskSecret: good, provider: provider)
        }
        expectError(.invalidKey("welcome_secret has 16 bytes; expected KDF.Nh = 32")) {
            _ = try KeySchedule.welcomeKeyAndNonce(welcomeSecret: short, provider: provider)
        }
        expectError(.invalidKey("epoch_secret has 16 bytes; expected KDF.Nh = 32")) {
            _ = try EpochSecrets(epochSecret: short, provider: provider)
        }
    }

    @Test func joinerAndMemberReachTheSameEpoch() throws {
        let member = try schedule()
        let joiner = try KeySchedule(
            joinerSecret: #require(member.joinerSecret),
            pskSecret: KeySchedule.zeroSecret(provider: provider),
            groupContext: groupContext,
            provider: provider
        )
        #expect(joiner.epochSecrets.epochAuthenticator == member.epochSecrets.epochAuthenticator)
        #expect(joiner.epochSecrets.cipherSuite == .x25519Aes128GcmSha256Ed25519)
        // A different GroupContext gives a different epoch.
        let other = try KeySchedule(
            joinerSecret: #require(member.joinerSecret),
            pskSecret: KeySchedule.zeroSecret(provider: provider),
            groupContext: groupContext + [0],
            provider: provider
        )
        #expect(other.epochSecrets.epochAuthenticator != member.epochSecrets.epochAuthenticator)
        #expect(other.welcomeSecret == member.welcomeSecret)
    }

    @Test func welcomeKeyAndNonceHaveTheAEADLengths() throws {
        let welcome = try #require(schedule().welcomeSecret)
        let (key, nonce) = try KeySchedule.welcomeKeyAndNonce(welcomeSecret: welcome, provider: provider)
        #expect(key.count == provider.aeadKeyLength)
        #expect(nonce.count == provider.aeadNonceLength)
        let expectedKey = try provider.expandWithLabel(
            secret: welcome,
            label: "key",
            context: [],
            length: provider.aeadKeyLength
        )
        #expect(key == expectedKey)
    }

    @Test func externalInitSecretsAgree() throws {
        let epoch = try schedule().epochSecrets
        let keyPair = try epoch.externalKeyPair()
        var generator = ReplayGenerator(Array(0..<32))
        let (kemOutput, joinerInit) = try KeySchedule.externalInit(
            externalPublicKey: keyPair.publicKey,
            provider: provider,
            using: &generator
        )
        #expect(joinerInit.count == provider.kdfLength)
        let memberInit = try KeySchedule.externalInitSecret(
            kemOutput: kemOutput,
            externalPrivateKey: keyPair.privateKey,
            provider: provider
        )
        #expect(memberInit == joinerInit)
    }

    @Test func confirmationTagVerifiesOnlyItsOwnHash() throws {
        let epoch = try schedule().epochSecrets
        let hash = provider.hash(Array("transcript".utf8))
        let tag = epoch.confirmationTag(confirmedTranscriptHash: hash)
        #expect(tag == provider.mac(key: epoch.confirmationKey, data: hash))
        #expect(epoch.verifyConfirmationTag(tag, confirmedTranscriptHash: hash))
        var tampered = tag
        tampered[0] ^= 1
        #expect(!epoch.verifyConfirmationTag(tampered, confirmedTranscriptHash: hash))
        #expect(!epoch.verifyConfirmationTag(tag, confirmedTranscriptHash: hash + [0]))
        #expect(!epoch.verifyConfirmationTag(Array(tag.dropLast()), confirmedTranscriptHash: hash))
    }

    @Test func exporterLabelsAsTextOrBytesAgree() throws {
        let epoch = try schedule().epochSecrets
        let text = try epoch.exporter(label: "example label", context: [1, 2], length: 42)
        let bytes = try epoch.exporter(label: Array("example label".utf8), context: [1, 2], length: 42)
        #expect(text == bytes)
        #expect(text.count == 42)
        #expect(try epoch.exporter(label: "example label", context: [1, 3], length: 42) != text)
        expectError(.invalidValue("ExpandWithLabel length 70000 does not fit in uint16")) {
            _ = try epoch.exporter(label: "example label", context: [], length: 70_000)
        }
    }

    @Test func secretTreeFromTheEpochUsesTheEncryptionSecret() throws {
        var epoch = try schedule().epochSecrets
        let size = try #require(TreeSize(leafCount: 2))
        let member = try #require(LeafIndex(rawValue: 1))
        let encryptionSecret = try #require(epoch.encryptionSecret)
        var fromEpoch = try epoch.makeSecretTree(treeSize: size)
        var direct = try SecretTree(encryptionSecret: encryptionSecret, treeSize: size, provider: provider)
        let first = try fromEpoch.nextKey(for: member, type: .application)
        let second = try direct.nextKey(for: member, type: .application)
        #expect(first.key == second.key)
    }

    /// The secret tree takes over `encryption_secret` (§9.2): the epoch secrets no longer expose it, a second tree
    /// is refused, and once the tree has consumed its root the secret object is gone.
    @Test func secretTreeTakesOverTheEncryptionSecret() throws {
        var epoch = try schedule().epochSecrets
        let size = try #require(TreeSize(leafCount: 2))
        weak let released = epoch.encryptionSecret
        #expect(released != nil)
        var tree = try epoch.makeSecretTree(treeSize: size)
        #expect(epoch.encryptionSecret == nil)
        expectError(.encryptionSecretAlreadyUsed) { _ = try epoch.makeSecretTree(treeSize: size) }
        #expect(released != nil, "the tree holds the root secret until it derives the children")
        _ = try tree.nextKey(for: #require(LeafIndex(rawValue: 1)), type: .application)
        #expect(released == nil, "the root secret outlived its use")
    }

    /// `joiner_secret` and `welcome_secret` are kept only until the Welcome is made or opened (§9.2).
    @Test func joinerSecretsCanBeDropped() throws {
        var schedule = try schedule()
        weak let joiner = schedule.joinerSecret
        weak let welcome = schedule.welcomeSecret
        #expect(joiner != nil && welcome != nil)
        let authenticator = schedule.epochSecrets.epochAuthenticator
        schedule.dropJoinerSecrets()
        #expect(schedule.joinerSecret == nil && schedule.welcomeSecret == nil)
        #expect(joiner == nil && welcome == nil, "the joiner or welcome secret outlived its use")
        #expect(schedule.epochSecrets.epochAuthenticator == authenticator)
    }

    @Test func pskSecretHasACountLimit() throws {
        #expect(try KeySchedule.pskSecret([], provider: provider) == KeySchedule.zeroSecret(provider: provider))
        let psk = PreSharedKeyInput(serializedID: [1, 0, 0], secret: secret(3))
        let tooMany = Array(repeating: psk, count: KeySchedule.maximumPreSharedKeyCount + 1)
        expectError(.elementCountExceeded(limit: 65_535)) { _ = try KeySchedule.pskSecret(tooMany, provider: provider) }
        // Order matters: the index is part of each PSK's label.
        let other = PreSharedKeyInput(serializedID: [1, 0, 1], secret: secret(4))
        let forward = try KeySchedule.pskSecret([psk, other], provider: provider)
        let backward = try KeySchedule.pskSecret([other, psk], provider: provider)
        #expect(forward != backward)
    }
}
