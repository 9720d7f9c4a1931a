import KalandraCrypto
import KalandraMLS
import Testing

/// Content authentication (RFC 9420 §6.1), PublicMessage (§6.2) and PrivateMessage (§6.3) protection: round trips
/// and every check that refuses a message.
@Suite struct MessageProtectionTests {
    let proposal = FramedContent.Body.proposal(.remove(RemoveProposal(removed: LeafIndex(rawValue: 0)!)))
    let commit = FramedContent.Body.commit(Commit(proposals: [], path: nil))

    @Test func publicMessagesRoundTripAndRefuseTampering() throws {
        let fixture = try FramingFixture()
        for body in [proposal, commit] {
            let signed = try fixture.signed(fixture.content(body), wireFormat: .publicMessage)
            let message = try PublicMessage.protect(
                signed,
                context: fixture.context,
                membershipKey: fixture.epochSecrets.membershipKey,
                provider: fixture.provider
            )
            #expect(try fixture.unprotectPublic(message) == signed)

            var otherGroup = fixture.context
            otherGroup.groupID = [9]
            expectError(.wrongGroup) { _ = try fixture.unprotectPublic(message, context: otherGroup) }
            var otherEpoch = fixture.context
            otherEpoch.epoch += 1
            expectError(.wrongEpoch) { _ = try fixture.unprotectPublic(message, context: otherEpoch) }
            // A changed context changes the membership tag's input as well as the signature's.
            var otherTree = fixture.context
            otherTree.treeHash = [1]
            expectError(.membershipTagInvalid) { _ = try fixture.unprotectPublic(message, context: otherTree) }

            var badTag = try #require(message.membershipTag)
            badTag[0] ^= 1
            let tampered = try PublicMessage(content: message.content, auth: message.auth, membershipTag: badTag)
            expectError(.membershipTagInvalid) { _ = try fixture.unprotectPublic(tampered) }

            let otherKey = SignaturePublicKey([UInt8](repeating: 3, count: 32))
            expectError(.signatureInvalid) { _ = try fixture.unprotectPublic(message, key: otherKey) }
        }
    }

    @Test func publicMessagesFromNonMembersCarryNoMembershipTag() throws {
        let fixture = try FramingFixture()
        let content = fixture.content(proposal, sender: .external(senderIndex: 0))
        let signed = try fixture.signed(content, wireFormat: .publicMessage)
        let message = try PublicMessage.protect(
            signed,
            context: fixture.context,
            membershipKey: fixture.epochSecrets.membershipKey,
            provider: fixture.provider
        )
        #expect(message.membershipTag == nil)
        #expect(try fixture.unprotectPublic(message) == signed)
        // External senders' signatures do not cover the group context.
        let tbs = try FramedContentTBS(wireFormat: .publicMessage, content: content, context: fixture.context)
        #expect(tbs.context == nil)
    }

    @Test func publicProtectionRefusesMisframedContent() throws {
        let fixture = try FramingFixture()
        let forPrivate = try fixture.signed(fixture.content(proposal), wireFormat: .privateMessage)
        expectError(.invalidValue("content was signed for mls_private_message, not a PublicMessage")) {
            _ = try PublicMessage.protect(
                forPrivate,
                context: fixture.context,
                membershipKey: fixture.epochSecrets.membershipKey,
                provider: fixture.provider
            )
        }
        // Application data received as a PublicMessage is refused too.
        let application = try fixture.signed(fixture.content(.application([1])), wireFormat: .publicMessage)
        let message = try PublicMessage(content: application.content, auth: application.auth, membershipTag: [0])
        expectError(.applicationInPublicMessage) { _ = try fixture.unprotectPublic(message) }
    }

    @Test func signingChecksContextAndConfirmationTag() throws {
        let fixture = try FramingFixture()
        expectError(.invalidValue("the group context is required to sign or verify this content")) {
            _ = try FramedContentTBS(wireFormat: .publicMessage, content: fixture.content(proposal), context: nil)
        }
        expectError(.invalidValue("a confirmation tag must be computed exactly for commits")) {
            _ = try AuthenticatedContent.signed(
                wireFormat: .publicMessage,
                content: fixture.content(commit),
                context: fixture.context,
                privateKey: fixture.signatureKeys.privateKey,
                provider: fixture.provider
            )
        }
        let signed = try fixture.signed(fixture.content(proposal), wireFormat: .publicMessage)
        try signed.verifySignature(
            context: fixture.context,
            publicKey: fixture.signatureKeys.publicKey,
            provider: fixture.provider
        )
        let asPrivate = try AuthenticatedContent(
            wireFormat: .privateMessage,
            content: signed.content,
            auth: signed.auth
        )
        expectError(.signatureInvalid) {
            try asPrivate.verifySignature(
                context: fixture.context,
                publicKey: fixture.signatureKeys.publicKey,
                provider: fixture.provider
            )
        }
    }

    @Test func privateMessagesRoundTripWithPaddingAndAdvanceTheRatchet() throws {
        let fixture = try FramingFixture()
        var senderTree = try fixture.secretTree()
        var receiverTree = try fixture.secretTree()
        for (index, body) in [proposal, commit, .application(Array("hello".utf8)), .application([])].enumerated() {
            let signed = try fixture.signed(fixture.content(body), wireFormat: .privateMessage)
            let message = try fixture.protectPrivate(signed, tree: &senderTree, paddingCount: index * 5)
            #expect(try fixture.unprotectPrivate(message, tree: &receiverTree) == signed)
        }
        #expect(senderTree.generation(of: fixture.sender, type: .handshake) == 2)
        #expect(senderTree.generation(of: fixture.sender, type: .application) == 2)
    }

    @Test func privateMessagesRefuseTampering() throws {
        let fixture = try FramingFixture()
        var senderTree = try fixture.secretTree()
        let signed = try fixture.signed(fixture.content(.application([42])), wireFormat: .privateMessage)
        let message = try fixture.protectPrivate(signed, tree: &senderTree)

        var otherGroup = fixture.context
        otherGroup.groupID = [9]
        var otherEpoch = fixture.context
        otherEpoch.epoch -= 1
        var tree = try fixture.secretTree()
        expectError(.wrongGroup) { _ = try fixture.unprotectPrivate(message, tree: &tree, context: otherGroup) }
        expectError(.wrongEpoch) { _ = try fixture.unprotectPrivate(message, tree: &tree, context: otherEpoch) }

        var badSenderData = message
        badSenderData.encryptedSenderData[0] ^= 1
        expectError(.decryptionFailed) { _ = try fixture.unprotectPrivate(badSenderData, tree: &tree) }

        var badAAD = message
        badAAD.authenticatedData.append(0)
        expectError(.decryptionFailed) { _ = try fixture.unprotectPrivate(badAAD, tree: &tree) }

        // Changing the ciphertext changes the sender data key too, so the sender data no longer opens.
        var badCiphertext = message
        badCiphertext.ciphertext[badCiphertext.ciphertext.count - 1] ^= 1
        var freshTree = try fixture.secretTree()
        expectError(.decryptionFailed) { _ = try fixture.unprotectPrivate(badCiphertext, tree: &freshTree) }

        let otherKey = SignaturePublicKey([UInt8](repeating: 3, count: 32))
        var verifyingTree = try fixture.secretTree()
        expectError(.signatureInvalid) {
            _ = try fixture.unprotectPrivate(message, tree: &verifyingTree, key: otherKey)
        }
    }

    /// Sealing wipes the caller's own buffer of serialized content, not a copy of it, and the ciphertext still
    /// opens to the original bytes.
    @Test func sealingWipesTheSerializedContentBuffer() throws {
        let fixture = try FramingFixture()
        var tree = try fixture.secretTree()
        let keyNonce = try tree.nextKey(for: LeafIndex(rawValue: 0)!, type: .application)
        let original = [UInt8](1...40)
        var serialized = original
        let reuseGuard: [UInt8] = [9, 8, 7, 6]
        let ciphertext = try PrivateMessage.sealContent(
            &serialized,
            keyNonce: keyNonce,
            reuseGuard: reuseGuard,
            associatedData: [5],
            provider: fixture.provider
        )
        #expect(serialized == [UInt8](repeating: 0, count: original.count))
        var nonce = keyNonce.nonce.withUnsafeBytes { Array($0) }
        for index in reuseGuard.indices { nonce[index] ^= reuseGuard[index] }
        let opened = try fixture.provider.aeadOpen(
            key: keyNonce.key,
            nonce: nonce,
            associatedData: [5],
            ciphertext: ciphertext
        )
        #expect(opened == original)
    }

    @Test func privateMessagesFromOutsideTheTreeAreRefused() throws {
        let fixture = try FramingFixture()
        var bigSecrets = fixture.epochSecrets
        var bigTree = try bigSecrets.makeSecretTree(treeSize: TreeSize(leafCount: 4)!)
        let outsider = fixture.content(.application([1]), sender: .member(LeafIndex(rawValue: 3)!))
        let signed = try fixture.signed(outsider, wireFormat: .privateMessage)
        let message = try fixture.protectPrivate(signed, tree: &bigTree)
        var tree = try fixture.secretTree()
        expectError(.senderOutsideTree) { _ = try fixture.unprotectPrivate(message, tree: &tree) }
    }

    @Test func privateProtectionRefusesMisframedContent() throws {
        let fixture = try FramingFixture()
        var tree = try fixture.secretTree()
        let forPublic = try fixture.signed(fixture.content(proposal), wireFormat: .publicMessage)
        expectError(.invalidValue("content was signed for mls_public_message, not a PrivateMessage")) {
            _ = try fixture.protectPrivate(forPublic, tree: &tree)
        }
        let external = try fixture.signed(
            fixture.content(proposal, sender: .external(senderIndex: 1)),
            wireFormat: .privateMessage
        )
        expectError(.invalidValue("only members send PrivateMessages")) {
            _ = try fixture.protectPrivate(external, tree: &tree)
        }
        let signed = try fixture.signed(fixture.content(proposal), wireFormat: .privateMessage)
        let limit = PrivateMessage.maximumPaddingCount
        expectError(.lengthLimitExceeded(length: limit + 1, limit: limit)) {
            _ = try fixture.protectPrivate(signed, tree: &tree, paddingCount: limit + 1)
        }
        expectError(.lengthLimitExceeded(length: -1, limit: limit)) {
            _ = try fixture.protectPrivate(signed, tree: &tree, paddingCount: -1)
        }
        let big = [UInt8](repeating: 0, count: PrivateMessage.maximumDataCount + 1)
        expectError(.lengthLimitExceeded(length: big.count, limit: PrivateMessage.maximumDataCount)) {
            _ = try fixture.signed(fixture.content(proposal, authenticatedData: big), wireFormat: .privateMessage)
        }
        expectError(.lengthLimitExceeded(length: big.count, limit: PrivateMessage.maximumDataCount)) {
            _ = try fixture.signed(fixture.content(.application(big)), wireFormat: .privateMessage)
        }
    }

    @Test func transcriptHashesNeedACommit() throws {
        let fixture = try FramingFixture()
        let signed = try fixture.signed(fixture.content(proposal), wireFormat: .publicMessage)
        expectError(.invalidValue("transcript hashes are updated by commits only")) {
            _ = try TranscriptHashes(interimBefore: [], commit: signed, provider: fixture.provider)
        }
        expectError(.invalidValue("transcript hashes are updated by commits only")) {
            _ = try TranscriptHashes.confirmedTranscriptHash(
                interimBefore: [],
                wireFormat: .publicMessage,
                content: signed.content,
                signature: [],
                provider: fixture.provider
            )
        }
        let committed = try fixture.signed(fixture.content(commit), wireFormat: .publicMessage)
        let hashes = try TranscriptHashes(interimBefore: [], commit: committed, provider: fixture.provider)
        #expect(
            fixture.epochSecrets.verifyConfirmationTag(
                try #require(committed.auth.confirmationTag),
                confirmedTranscriptHash: hashes.confirmed
            )
        )
    }
}
