import KalandraCore
import KalandraCrypto
import KalandraMLS

/// A two-member group in one epoch for framing tests: suite 1, seeded keys, leaf 1 as the sender.
struct FramingFixture {
    let provider: any CipherSuiteProvider
    let context: GroupContext
    let signatureKeys: SignatureKeyPair
    let epochSecrets: EpochSecrets
    let sender = LeafIndex(rawValue: 1)!
    var generator = DeterministicGenerator(seed: 9420)

    init(suite: CipherSuite = .x25519Aes128GcmSha256Ed25519) throws {
        provider = try suite.provider()
        signatureKeys = provider.generateSignatureKeyPair(using: &generator)
        context = GroupContext(
            cipherSuite: suite,
            groupID: Array("framing group".utf8),
            epoch: 7,
            treeHash: [UInt8](repeating: 0xAA, count: 32),
            confirmedTranscriptHash: [UInt8](repeating: 0xBB, count: 32),
            extensions: []
        )
        epochSecrets = try EpochSecrets(
            epochSecret: SecretBytes(randomCount: provider.kdfLength, using: &generator),
            provider: provider
        )
    }

    /// A fresh secret tree of the epoch for two members; each call builds one from a copy of the epoch secrets.
    func secretTree() throws -> SecretTree {
        var secrets = epochSecrets
        return try secrets.makeSecretTree(treeSize: TreeSize(leafCount: 2)!)
    }

    /// Content of this epoch from `sender`.
    func content(
        _ body: FramedContent.Body,
        sender: Sender? = nil,
        authenticatedData: [UInt8] = [1, 2, 3]
    ) -> FramedContent {
        FramedContent(
            groupID: context.groupID,
            epoch: context.epoch,
            sender: sender ?? .member(self.sender),
            authenticatedData: authenticatedData,
            body: body
        )
    }

    /// `content` signed with the fixture's key; commits get a confirmation tag over their transcript.
    func signed(_ content: FramedContent, wireFormat: WireFormat) throws -> AuthenticatedContent {
        try AuthenticatedContent.signed(
            wireFormat: wireFormat,
            content: content,
            context: context,
            privateKey: signatureKeys.privateKey,
            provider: provider,
            confirmationTag: content.contentType == .commit ? confirmationTag(content, wireFormat) : nil
        )
    }

    private func confirmationTag(
        _ content: FramedContent,
        _ wireFormat: WireFormat
    ) -> (([UInt8]) throws(MLSError) -> [UInt8]) {
        { signature throws(MLSError) in
            let confirmed = try TranscriptHashes.confirmedTranscriptHash(
                interimBefore: [],
                wireFormat: wireFormat,
                content: content,
                signature: signature,
                provider: provider
            )
            return epochSecrets.confirmationTag(confirmedTranscriptHash: confirmed)
        }
    }

    func protectPrivate(
        _ content: AuthenticatedContent,
        tree: inout SecretTree,
        paddingCount: Int = 0
    ) throws -> PrivateMessage {
        var generator = self.generator
        return try PrivateMessage.protect(
            content,
            secretTree: &tree,
            senderDataSecret: epochSecrets.senderDataSecret,
            paddingCount: paddingCount,
            provider: provider,
            using: &generator
        )
    }

    func unprotectPrivate(
        _ message: PrivateMessage,
        tree: inout SecretTree,
        context: GroupContext? = nil,
        key: SignaturePublicKey? = nil
    ) throws -> AuthenticatedContent {
        try message.unprotect(
            context: context ?? self.context,
            secretTree: &tree,
            senderDataSecret: epochSecrets.senderDataSecret,
            provider: provider
        ) { _ in key ?? signatureKeys.publicKey }
    }

    func unprotectPublic(
        _ message: PublicMessage,
        context: GroupContext? = nil,
        key: SignaturePublicKey? = nil
    ) throws -> AuthenticatedContent {
        try message.unprotect(
            context: context ?? self.context,
            membershipKey: epochSecrets.membershipKey,
            signaturePublicKey: key ?? signatureKeys.publicKey,
            provider: provider
        )
    }
}
