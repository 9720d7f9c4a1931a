import KalandraCrypto
import KalandraMLS
import Testing

/// message-protection.json (RFC 9420 §6.2, §6.3): for the proposal, commit and application of each entry, unprotect
/// the given PublicMessage (not for application) and PrivateMessage and compare the content, then protect it
/// ourselves and check that our messages unprotect to the same content, for suites 1 and 3 with leaf 1 of a
/// two-leaf tree as sender; other suites' entries are skipped.
@Suite struct MessageProtectionVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        @HexEncoded var groupId: [UInt8]
        let epoch: UInt64
        @HexEncoded var treeHash: [UInt8]
        @HexEncoded var confirmedTranscriptHash: [UInt8]
        @HexEncoded var signaturePriv: [UInt8]
        @HexEncoded var signaturePub: [UInt8]
        @HexEncoded var encryptionSecret: [UInt8]
        @HexEncoded var senderDataSecret: [UInt8]
        @HexEncoded var membershipKey: [UInt8]
        @HexEncoded var proposal: [UInt8]
        @HexEncoded var proposalPub: [UInt8]
        @HexEncoded var proposalPriv: [UInt8]
        @HexEncoded var commit: [UInt8]
        @HexEncoded var commitPub: [UInt8]
        @HexEncoded var commitPriv: [UInt8]
        @HexEncoded var application: [UInt8]
        @HexEncoded var applicationPriv: [UInt8]
    }

    /// The epoch's keys and context, as the verification steps describe.
    struct Epoch {
        let provider: any CipherSuiteProvider
        let context: GroupContext
        let vector: Vector
        let sender = LeafIndex(rawValue: 1)!

        var membershipKey: SecretBytes { SecretBytes(copying: vector.membershipKey) }
        var senderDataSecret: SecretBytes { SecretBytes(copying: vector.senderDataSecret) }
        var publicKey: SignaturePublicKey { SignaturePublicKey(vector.signaturePub) }
        var privateKey: SignaturePrivateKey { SignaturePrivateKey(SecretBytes(copying: vector.signaturePriv)) }

        func freshTree() throws -> SecretTree {
            try SecretTree(
                encryptionSecret: SecretBytes(copying: vector.encryptionSecret),
                treeSize: TreeSize(leafCount: 2)!,
                provider: provider
            )
        }
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "message-protection.json")
        var ran: [UInt16] = []
        var skipped: [UInt16] = []
        var checkedMessages = 0
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped.append(vector.cipherSuite)
                continue
            }
            let context = GroupContext(
                cipherSuite: suite,
                groupID: vector.groupId,
                epoch: vector.epoch,
                treeHash: vector.treeHash,
                confirmedTranscriptHash: vector.confirmedTranscriptHash,
                extensions: []
            )
            let epoch = Epoch(provider: try suite.provider(), context: context, vector: vector)
            let proposal = FramedContent.Body.proposal(try Proposal.decode(vector.proposal))
            let commit = FramedContent.Body.commit(try Commit.decode(vector.commit))
            let application = FramedContent.Body.application(vector.application)
            checkedMessages += try checkPublic(vector.proposalPub, expecting: proposal, in: epoch)
            checkedMessages += try checkPublic(vector.commitPub, expecting: commit, in: epoch)
            checkedMessages += try checkPrivate(vector.proposalPriv, expecting: proposal, in: epoch)
            checkedMessages += try checkPrivate(vector.commitPriv, expecting: commit, in: epoch)
            checkedMessages += try checkPrivate(vector.applicationPriv, expecting: application, in: epoch)
            try checkApplicationIsNotPublic(application, in: epoch)
            ran.append(vector.cipherSuite)
        }
        #expect(ran == [1, 3])
        #expect(skipped == [2, 4, 5, 6, 7])
        // Per suite: 2 public and 3 private messages, each the vector's and our own.
        #expect(checkedMessages == 2 * 2 * 5)
    }

    /// Unprotects the vector's PublicMessage, then protects its content again; returns the number of messages.
    private func checkPublic(_ bytes: [UInt8], expecting body: FramedContent.Body, in epoch: Epoch) throws -> Int {
        guard case .publicMessage(let message) = try MLSMessage.decode(bytes).body else {
            Issue.record("not an MLSMessage(PublicMessage)")
            return 0
        }
        let received = try message.unprotect(
            context: epoch.context,
            membershipKey: epoch.membershipKey,
            signaturePublicKey: epoch.publicKey,
            provider: epoch.provider
        )
        #expect(received.content.body == body)
        #expect(received.content.sender == .member(epoch.sender))

        let resigned = try sign(received.content, wireFormat: .publicMessage, in: epoch)
        let ours = try PublicMessage.protect(
            resigned,
            context: epoch.context,
            membershipKey: epoch.membershipKey,
            provider: epoch.provider
        )
        let reparsed = try MLSMessage.decode(MLSMessage(.publicMessage(ours)).encoded())
        guard case .publicMessage(let reparsedMessage) = reparsed.body else {
            Issue.record("our message did not decode as a PublicMessage")
            return 1
        }
        let roundTripped = try reparsedMessage.unprotect(
            context: epoch.context,
            membershipKey: epoch.membershipKey,
            signaturePublicKey: epoch.publicKey,
            provider: epoch.provider
        )
        #expect(roundTripped == resigned)
        return 2
    }

    /// Unprotects the vector's PrivateMessage with a fresh secret tree, then protects its content with another
    /// fresh tree and unprotects that with a third; returns the number of messages.
    private func checkPrivate(_ bytes: [UInt8], expecting body: FramedContent.Body, in epoch: Epoch) throws -> Int {
        guard case .privateMessage(let message) = try MLSMessage.decode(bytes).body else {
            Issue.record("not an MLSMessage(PrivateMessage)")
            return 0
        }
        var receiverTree = try epoch.freshTree()
        let received = try message.unprotect(
            context: epoch.context,
            secretTree: &receiverTree,
            senderDataSecret: epoch.senderDataSecret,
            provider: epoch.provider
        ) { leaf in
            #expect(leaf == epoch.sender)
            return epoch.publicKey
        }
        #expect(received.content.body == body)
        #expect(received.content.sender == .member(epoch.sender))

        let resigned = try sign(received.content, wireFormat: .privateMessage, in: epoch)
        var senderTree = try epoch.freshTree()
        var generator = ReplayGenerator([1, 2, 3, 4, 5, 6, 7, 8])
        let ours = try PrivateMessage.protect(
            resigned,
            secretTree: &senderTree,
            senderDataSecret: epoch.senderDataSecret,
            paddingCount: 17,
            provider: epoch.provider,
            using: &generator
        )
        let reparsed = try MLSMessage.decode(MLSMessage(.privateMessage(ours)).encoded())
        guard case .privateMessage(let reparsedMessage) = reparsed.body else {
            Issue.record("our message did not decode as a PrivateMessage")
            return 1
        }
        var otherReceiverTree = try epoch.freshTree()
        let roundTripped = try reparsedMessage.unprotect(
            context: epoch.context,
            secretTree: &otherReceiverTree,
            senderDataSecret: epoch.senderDataSecret,
            provider: epoch.provider
        ) { _ in epoch.publicKey }
        #expect(roundTripped == resigned)
        return 2
    }

    /// Protecting application data as a PublicMessage fails (§6.2).
    private func checkApplicationIsNotPublic(_ body: FramedContent.Body, in epoch: Epoch) throws {
        let content = FramedContent(
            groupID: epoch.context.groupID,
            epoch: epoch.context.epoch,
            sender: .member(epoch.sender),
            authenticatedData: [],
            body: body
        )
        let signed = try sign(content, wireFormat: .publicMessage, in: epoch)
        expectError(.applicationInPublicMessage) {
            _ = try PublicMessage.protect(
                signed,
                context: epoch.context,
                membershipKey: epoch.membershipKey,
                provider: epoch.provider
            )
        }
    }

    /// `content` signed with the vector's key; a commit gets an arbitrary confirmation tag, since the vector gives
    /// no confirmation key.
    private func sign(_ content: FramedContent, wireFormat: WireFormat, in epoch: Epoch) throws -> AuthenticatedContent
    {
        try AuthenticatedContent.signed(
            wireFormat: wireFormat,
            content: content,
            context: epoch.context,
            privateKey: epoch.privateKey,
            provider: epoch.provider,
            confirmationTag: content.contentType == .commit ? { _ in [UInt8](repeating: 0xC0, count: 32) } : nil
        )
    }
}
