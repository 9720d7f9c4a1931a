import KalandraCrypto
import KalandraMLS
import KalandraMLSVectors
import Testing

/// message-protection.json (RFC 9420 §6.2, §6.3) with one byte flipped: a PublicMessage's signature or membership
/// tag, a PrivateMessage's ciphertext, encrypted sender data or (re-encrypted) signature. Each must be refused with
/// its own error, for suites 1 and 3.
@Suite struct MessageProtectionMutationTests {
    struct Vector: SuiteTaggedVector {
        let cipherSuite: UInt16
        @HexEncoded var groupId: [UInt8]
        let epoch: UInt64
        @HexEncoded var treeHash: [UInt8]
        @HexEncoded var confirmedTranscriptHash: [UInt8]
        @HexEncoded var signaturePub: [UInt8]
        @HexEncoded var encryptionSecret: [UInt8]
        @HexEncoded var senderDataSecret: [UInt8]
        @HexEncoded var membershipKey: [UInt8]
        @HexEncoded var proposalPub: [UInt8]
        @HexEncoded var proposalPriv: [UInt8]
        @HexEncoded var commitPub: [UInt8]
        @HexEncoded var commitPriv: [UInt8]
        @HexEncoded var applicationPriv: [UInt8]
    }

    /// One entry's epoch: its context and keys.
    struct Epoch {
        let vector: Vector
        let provider: any CipherSuiteProvider

        var context: GroupContext {
            GroupContext(
                cipherSuite: provider.cipherSuite,
                groupID: vector.groupId,
                epoch: vector.epoch,
                treeHash: vector.treeHash,
                confirmedTranscriptHash: vector.confirmedTranscriptHash,
                extensions: []
            )
        }
        var membershipKey: SecretBytes { SecretBytes(copying: vector.membershipKey) }
        var senderDataSecret: SecretBytes { SecretBytes(copying: vector.senderDataSecret) }
        var publicKey: SignaturePublicKey { SignaturePublicKey(vector.signaturePub) }
        var publicMessages: [(name: String, bytes: [UInt8])] {
            [("proposal", vector.proposalPub), ("commit", vector.commitPub)]
        }
        var privateMessages: [(name: String, bytes: [UInt8])] {
            [("proposal", vector.proposalPriv), ("commit", vector.commitPriv), ("application", vector.applicationPriv)]
        }

        func unprotect(_ message: PublicMessage) throws {
            _ = try message.unprotect(
                context: context,
                membershipKey: membershipKey,
                signaturePublicKey: publicKey,
                provider: provider
            )
        }

        /// Unprotects with a fresh secret tree of the vector's two leaves, so that no generation was used before.
        func unprotect(_ message: PrivateMessage) throws -> AuthenticatedContent {
            var tree = try SecretTree(
                encryptionSecret: SecretBytes(copying: vector.encryptionSecret),
                treeSize: TreeSize(leafCount: 2)!,
                provider: provider
            )
            return try message.unprotect(
                context: context,
                secretTree: &tree,
                senderDataSecret: senderDataSecret,
                provider: provider
            ) { _ in publicKey }
        }
    }

    private func epochs() throws -> [Epoch] {
        try loadSupportedVectors(Vector.self, from: "message-protection.json").map {
            Epoch(vector: $0.vector, provider: $0.provider)
        }
    }

    @Test func unmutatedMessagesAreAccepted() throws {
        var accepted = 0
        for epoch in try epochs() {
            for (_, bytes) in epoch.publicMessages {
                try epoch.unprotect(try publicMessage(bytes))
                accepted += 1
            }
            for (_, bytes) in epoch.privateMessages {
                _ = try epoch.unprotect(try privateMessage(bytes))
                accepted += 1
            }
        }
        #expect(accepted == 2 * 5)
    }

    /// A flipped signature under the sender's membership tag fails the tag, which covers the signature (§6.2); with
    /// the tag recomputed over it, the signature itself fails.
    @Test func flippedPublicMessageSignatureIsRefused() throws {
        var checked = 0
        for epoch in try epochs() {
            for (name, bytes) in epoch.publicMessages {
                let message = try publicMessage(bytes)
                for (position, signature) in ByteFlip.variants(of: message.auth.signature) {
                    let what = "suite \(epoch.vector.cipherSuite) \(name) signature byte \(position)"
                    var auth = message.auth
                    auth.signature = signature
                    let untagged = try PublicMessage(
                        content: message.content,
                        auth: auth,
                        membershipTag: message.membershipTag
                    )
                    expectRejection(.membershipTagInvalid, what) { try epoch.unprotect(untagged) }
                    let retagged = try PublicMessage.protect(
                        AuthenticatedContent(wireFormat: .publicMessage, content: message.content, auth: auth),
                        context: epoch.context,
                        membershipKey: epoch.membershipKey,
                        provider: epoch.provider
                    )
                    expectRejection(.signatureInvalid, what + " (tag recomputed)") { try epoch.unprotect(retagged) }
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * 2 * 3)
    }

    @Test func flippedMembershipTagIsRefused() throws {
        var checked = 0
        for epoch in try epochs() {
            for (name, bytes) in epoch.publicMessages {
                let message = try publicMessage(bytes)
                let tag = try #require(message.membershipTag)
                for (position, flippedTag) in ByteFlip.variants(of: tag) {
                    let mutated = try PublicMessage(
                        content: message.content,
                        auth: message.auth,
                        membershipTag: flippedTag
                    )
                    expectRejection(
                        .membershipTagInvalid,
                        "suite \(epoch.vector.cipherSuite) \(name) tag byte \(position)"
                    ) {
                        try epoch.unprotect(mutated)
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * 2 * 3)
    }

    /// The first bytes of the ciphertext are also the sample the sender-data key is derived from (§6.3.2), so a
    /// flip there fails the sender data and a flip past it fails the content; both are `decryptionFailed`.
    @Test func flippedPrivateMessageCiphertextIsRefused() throws {
        try expectEveryFlipDecryptionFailed(\.ciphertext, "ciphertext")
    }

    @Test func flippedEncryptedSenderDataIsRefused() throws {
        try expectEveryFlipDecryptionFailed(\.encryptedSenderData, "sender data")
    }

    /// Flips bytes of `field` in every private message of both suites; each must fail to decrypt.
    private func expectEveryFlipDecryptionFailed(
        _ field: WritableKeyPath<PrivateMessage, [UInt8]>,
        _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var checked = 0
        for epoch in try epochs() {
            for (name, bytes) in epoch.privateMessages {
                let message = try privateMessage(bytes)
                for (position, flipped) in ByteFlip.variants(of: message[keyPath: field]) {
                    var mutated = message
                    mutated[keyPath: field] = flipped
                    expectRejection(
                        .decryptionFailed,
                        "suite \(epoch.vector.cipherSuite) \(name) \(label) byte \(position)",
                        sourceLocation: sourceLocation
                    ) {
                        _ = try epoch.unprotect(mutated)
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * 3 * 3, sourceLocation: sourceLocation)
    }

    /// The signature inside a PrivateMessage, flipped and encrypted again under the same keys, decrypts but fails
    /// verification.
    @Test func flippedPrivateMessageSignatureIsRefused() throws {
        var checked = 0
        for epoch in try epochs() {
            for (name, bytes) in epoch.privateMessages {
                let received = try epoch.unprotect(try privateMessage(bytes))
                for (position, signature) in ByteFlip.variants(of: received.auth.signature) {
                    var auth = received.auth
                    auth.signature = signature
                    let mutated = try AuthenticatedContent(
                        wireFormat: .privateMessage,
                        content: received.content,
                        auth: auth
                    )
                    var senderTree = try SecretTree(
                        encryptionSecret: SecretBytes(copying: epoch.vector.encryptionSecret),
                        treeSize: TreeSize(leafCount: 2)!,
                        provider: epoch.provider
                    )
                    var generator = ReplayGenerator([1, 2, 3, 4])
                    let message = try PrivateMessage.protect(
                        mutated,
                        secretTree: &senderTree,
                        senderDataSecret: epoch.senderDataSecret,
                        paddingCount: 0,
                        provider: epoch.provider,
                        using: &generator
                    )
                    expectRejection(
                        .signatureInvalid,
                        "suite \(epoch.vector.cipherSuite) \(name) signature byte \(position)"
                    ) {
                        _ = try epoch.unprotect(message)
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * 3 * 3)
    }

    /// A forged PrivateMessage (a member re-encrypting content with a bad signature under another sender's keys)
    /// must not consume the sender's key: the genuine message of the same generation still opens afterwards.
    @Test func aForgeryDoesNotBurnTheSendersKey() throws {
        var checked = 0
        for epoch in try epochs() {
            let genuine = try privateMessage(epoch.vector.applicationPriv)
            let received = try epoch.unprotect(genuine)
            var auth = received.auth
            auth.signature = ByteFlip.variants(of: received.auth.signature)[0].bytes
            let forged = try AuthenticatedContent(wireFormat: .privateMessage, content: received.content, auth: auth)
            var senderTree = try SecretTree(
                encryptionSecret: SecretBytes(copying: epoch.vector.encryptionSecret),
                treeSize: TreeSize(leafCount: 2)!,
                provider: epoch.provider
            )
            var generator = ReplayGenerator([1, 2, 3, 4])
            let forgery = try PrivateMessage.protect(
                forged,
                secretTree: &senderTree,
                senderDataSecret: epoch.senderDataSecret,
                paddingCount: 0,
                provider: epoch.provider,
                using: &generator
            )
            var receiverTree = try SecretTree(
                encryptionSecret: SecretBytes(copying: epoch.vector.encryptionSecret),
                treeSize: TreeSize(leafCount: 2)!,
                provider: epoch.provider
            )
            expectRejection(.signatureInvalid, "suite \(epoch.vector.cipherSuite) forgery") {
                _ = try forgery.unprotect(
                    context: epoch.context,
                    secretTree: &receiverTree,
                    senderDataSecret: epoch.senderDataSecret,
                    provider: epoch.provider
                ) { _ in epoch.publicKey }
            }
            let opened = try genuine.unprotect(
                context: epoch.context,
                secretTree: &receiverTree,
                senderDataSecret: epoch.senderDataSecret,
                provider: epoch.provider
            ) { _ in epoch.publicKey }
            #expect(opened == received)
            checked += 1
        }
        #expect(checked == 2)
    }

    private func publicMessage(_ bytes: [UInt8]) throws -> PublicMessage {
        guard case .publicMessage(let message) = try MLSMessage.decode(bytes).body else {
            throw MLSError(.invalidValue("vector is not an MLSMessage(PublicMessage)"))
        }
        return message
    }

    private func privateMessage(_ bytes: [UInt8]) throws -> PrivateMessage {
        guard case .privateMessage(let message) = try MLSMessage.decode(bytes).body else {
            throw MLSError(.invalidValue("vector is not an MLSMessage(PrivateMessage)"))
        }
        return message
    }
}
