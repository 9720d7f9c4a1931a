import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// welcome.json (RFC 9420 §12.4.3.1) with one byte flipped: the encrypted group secrets (ciphertext and KEM output),
/// the encrypted GroupInfo, and inside the GroupInfo its signature and confirmation tag. Each must be refused with
/// its own error, for suites 1 and 3.
@Suite struct WelcomeMutationTests {
    struct Vector: SuiteTaggedVector {
        let cipherSuite: UInt16
        @HexEncoded var initPriv: [UInt8]
        @HexEncoded var signerPub: [UInt8]
        @HexEncoded var keyPackage: [UInt8]
        @HexEncoded var welcome: [UInt8]
    }

    /// One entry decoded, with what opening it needs.
    struct Entry {
        let suite: UInt16
        let provider: any CipherSuiteProvider
        let keyPackage: KeyPackage
        let welcome: Welcome
        let initPrivateKey: HPKEPrivateKey
        let signerKey: SignaturePublicKey

        func open(_ welcome: Welcome) throws -> WelcomeJoin {
            try welcome.open(keyPackage: keyPackage, initPrivateKey: initPrivateKey, provider: provider) { _ in
                signerKey
            }
        }

        /// A Welcome carrying `groupInfo` to this entry's KeyPackage, under the joiner secret of the original.
        func resealed(_ groupInfo: GroupInfo, as joined: WelcomeJoin) throws -> Welcome {
            var generator = DeterministicGenerator(seed: 12_443)
            return try Welcome.seal(
                groupInfo: groupInfo,
                joinerSecret: joined.groupSecrets.joinerSecret,
                newMembers: [(keyPackage, joined.groupSecrets.pathSecret)],
                provider: provider,
                using: &generator
            )
        }
    }

    private func entries() throws -> [Entry] {
        try loadSupportedVectors(Vector.self, from: "welcome.json").map { vector, provider in
            guard case .keyPackage(let keyPackage) = try MLSMessage.decode(vector.keyPackage).body,
                case .welcome(let welcome) = try MLSMessage.decode(vector.welcome).body
            else { throw MLSError(.invalidValue("vector is not a KeyPackage and a Welcome")) }
            return Entry(
                suite: vector.cipherSuite,
                provider: provider,
                keyPackage: keyPackage,
                welcome: welcome,
                initPrivateKey: HPKEPrivateKey(SecretBytes(copying: vector.initPriv)),
                signerKey: SignaturePublicKey(vector.signerPub)
            )
        }
    }

    /// The original and a resealed copy open, so the refusals below are caused by the flips alone.
    @Test func unmutatedWelcomeOpens() throws {
        var opened = 0
        for entry in try entries() {
            let joined = try entry.open(entry.welcome)
            let resealed = try entry.open(try entry.resealed(joined.groupInfo, as: joined))
            #expect(resealed.groupInfo == joined.groupInfo)
            opened += 1
        }
        #expect(opened == 2)
    }

    @Test func flippedEncryptedGroupSecretsAreRefused() throws {
        var checked = 0
        for entry in try entries() {
            let index = try #require(entry.welcome.secrets.indices.first)
            let sealed = entry.welcome.secrets[index].encryptedGroupSecrets
            for (position, ciphertext) in ByteFlip.variants(of: sealed.ciphertext) {
                var mutated = entry.welcome
                mutated.secrets[index].encryptedGroupSecrets.ciphertext = ciphertext
                expectRejection(.decryptionFailed, "suite \(entry.suite) group secrets ciphertext byte \(position)") {
                    _ = try entry.open(mutated)
                }
                checked += 1
            }
            for (position, kemOutput) in ByteFlip.variants(of: sealed.kemOutput) {
                var mutated = entry.welcome
                mutated.secrets[index].encryptedGroupSecrets.kemOutput = kemOutput
                expectRejection(.decryptionFailed, "suite \(entry.suite) group secrets KEM output byte \(position)") {
                    _ = try entry.open(mutated)
                }
                checked += 1
            }
        }
        #expect(checked == 2 * 6)
    }

    /// The encrypted GroupInfo is the HPKE context of the group secrets, so opening fails there already; decrypting
    /// it alone with the right welcome secret fails its AEAD tag.
    @Test func flippedEncryptedGroupInfoIsRefused() throws {
        var checked = 0
        for entry in try entries() {
            let joined = try entry.open(entry.welcome)
            for (position, encryptedGroupInfo) in ByteFlip.variants(of: entry.welcome.encryptedGroupInfo) {
                var mutated = entry.welcome
                mutated.encryptedGroupInfo = encryptedGroupInfo
                let what = "suite \(entry.suite) encrypted GroupInfo byte \(position)"
                expectRejection(.decryptionFailed, what) { _ = try entry.open(mutated) }
                expectRejection(.decryptionFailed, what + " (decrypted alone)") {
                    _ = try mutated.decryptGroupInfo(
                        welcomeSecret: KeySchedule.welcomeSecret(
                            joinerSecret: joined.groupSecrets.joinerSecret,
                            pskSecret: KeySchedule.zeroSecret(provider: entry.provider),
                            provider: entry.provider
                        ),
                        provider: entry.provider
                    )
                }
                checked += 1
            }
        }
        #expect(checked == 2 * 3)
    }

    @Test func flippedGroupInfoSignatureIsRefused() throws {
        var checked = 0
        for entry in try entries() {
            let joined = try entry.open(entry.welcome)
            for (position, signature) in ByteFlip.variants(of: joined.groupInfo.signature) {
                var groupInfo = joined.groupInfo
                groupInfo.signature = signature
                let what = "suite \(entry.suite) GroupInfo signature byte \(position)"
                expectRejection(.signatureInvalid, what) {
                    try groupInfo.verifySignature(publicKey: entry.signerKey, provider: entry.provider)
                }
                let resealed = try entry.resealed(groupInfo, as: joined)
                expectRejection(.signatureInvalid, what + " (resealed)") { _ = try entry.open(resealed) }
                checked += 1
            }
        }
        #expect(checked == 2 * 3)
    }

    /// A flipped confirmation tag fails against the epoch's key schedule; inside a Welcome the GroupInfo signature,
    /// which covers the tag, fails first.
    @Test func flippedGroupInfoConfirmationTagIsRefused() throws {
        var checked = 0
        for entry in try entries() {
            let joined = try entry.open(entry.welcome)
            for (position, tag) in ByteFlip.variants(of: joined.groupInfo.confirmationTag) {
                var groupInfo = joined.groupInfo
                groupInfo.confirmationTag = tag
                let what = "suite \(entry.suite) confirmation tag byte \(position)"
                expectRejection(.confirmationTagInvalid, what) {
                    try groupInfo.verifyConfirmationTag(epochSecrets: joined.keySchedule.epochSecrets)
                }
                let resealed = try entry.resealed(groupInfo, as: joined)
                expectRejection(.signatureInvalid, what + " (resealed)") { _ = try entry.open(resealed) }
                checked += 1
            }
        }
        #expect(checked == 2 * 3)
    }
}
