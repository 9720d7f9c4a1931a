import KalandraCrypto
import KalandraMLS

/// message-protection.json (RFC 9420 §6.2, §6.3): for the proposal, commit and application of each entry, unprotect
/// the given PublicMessage (not for application) and PrivateMessage and compare the content, then protect it again
/// and check that our messages unprotect to the same content; leaf 1 of a two-leaf tree is the sender. Protecting
/// application data as a PublicMessage is refused.
enum MessageProtectionRunner: EntryRunner {
    struct Entry: Decodable {
        let cipherSuite: UInt16
        @HexBytes var groupId: [UInt8]
        let epoch: UInt64
        @HexBytes var treeHash: [UInt8]
        @HexBytes var confirmedTranscriptHash: [UInt8]
        @HexBytes var signaturePriv: [UInt8]
        @HexBytes var signaturePub: [UInt8]
        @HexBytes var encryptionSecret: [UInt8]
        @HexBytes var senderDataSecret: [UInt8]
        @HexBytes var membershipKey: [UInt8]
        @HexBytes var proposal: [UInt8]
        @HexBytes var proposalPub: [UInt8]
        @HexBytes var proposalPriv: [UInt8]
        @HexBytes var commit: [UInt8]
        @HexBytes var commitPub: [UInt8]
        @HexBytes var commitPriv: [UInt8]
        @HexBytes var application: [UInt8]
        @HexBytes var applicationPriv: [UInt8]
    }

    /// The epoch's keys and context, as the verification steps describe.
    struct Epoch {
        let provider: any CipherSuiteProvider
        let context: GroupContext
        let entry: Entry
        let sender = LeafIndex(rawValue: 1)!

        var membershipKey: SecretBytes { SecretBytes(copying: entry.membershipKey) }
        var senderDataSecret: SecretBytes { SecretBytes(copying: entry.senderDataSecret) }
        var publicKey: SignaturePublicKey { SignaturePublicKey(entry.signaturePub) }
        var privateKey: SignaturePrivateKey { SignaturePrivateKey(SecretBytes(copying: entry.signaturePriv)) }

        func freshTree() throws(EntryFailure) -> SecretTree {
            try step("secret tree from encryption_secret") {
                try SecretTree(
                    encryptionSecret: SecretBytes(copying: entry.encryptionSecret),
                    treeSize: TreeSize(leafCount: 2)!,
                    provider: provider
                )
            }
        }
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    /// Checks one entry; the items are messages unprotected (the vector's and our own).
    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        let context = GroupContext(
            cipherSuite: provider.cipherSuite,
            groupID: entry.groupId,
            epoch: entry.epoch,
            treeHash: entry.treeHash,
            confirmedTranscriptHash: entry.confirmedTranscriptHash,
            extensions: []
        )
        let epoch = Epoch(provider: provider, context: context, entry: entry)
        let proposal = FramedContent.Body.proposal(try step("proposal") { try Proposal.decode(entry.proposal) })
        let commit = FramedContent.Body.commit(try step("commit") { try Commit.decode(entry.commit) })
        let application = FramedContent.Body.application(entry.application)
        var messages = 0
        messages += try checkPublic(entry.proposalPub, "proposal_pub", expecting: proposal, epoch, &check)
        messages += try checkPublic(entry.commitPub, "commit_pub", expecting: commit, epoch, &check)
        messages += try checkPrivate(entry.proposalPriv, "proposal_priv", expecting: proposal, epoch, &check)
        messages += try checkPrivate(entry.commitPriv, "commit_priv", expecting: commit, epoch, &check)
        messages += try checkPrivate(entry.applicationPriv, "application_priv", expecting: application, epoch, &check)
        try checkApplicationIsNotPublic(application, epoch, &check)
        return messages
    }

    /// Unprotects the vector's PublicMessage, then protects its content again; returns the number of messages.
    private static func checkPublic(
        _ bytes: [UInt8],
        _ field: String,
        expecting body: FramedContent.Body,
        _ epoch: Epoch,
        _ check: inout EntryCheck
    ) throws(EntryFailure) -> Int {
        guard case .publicMessage(let message) = try step(field, { try MLSMessage.decode(bytes).body }) else {
            throw EntryFailure("\(field) is not an MLSMessage(PublicMessage)")
        }
        let received = try step("\(field): unprotect") {
            try message.unprotect(
                context: epoch.context,
                membershipKey: epoch.membershipKey,
                signaturePublicKey: epoch.publicKey,
                provider: epoch.provider
            )
        }
        check.expect(received.content.body == body, "\(field): content differs from the vector's")
        check.expect(received.content.sender == .member(epoch.sender), "\(field): sender is not leaf 1")

        let resigned = try sign(received.content, wireFormat: .publicMessage, epoch)
        let ours = try step("\(field): protecting again") {
            try PublicMessage.protect(
                resigned,
                context: epoch.context,
                membershipKey: epoch.membershipKey,
                provider: epoch.provider
            )
        }
        let reparsed = try step("\(field): our message") {
            try MLSMessage.decode(MLSMessage(.publicMessage(ours)).encoded())
        }
        guard case .publicMessage(let reparsedMessage) = reparsed.body else {
            check.record("\(field): our message did not decode as a PublicMessage")
            return 1
        }
        let roundTripped = try step("\(field): unprotecting our message") {
            try reparsedMessage.unprotect(
                context: epoch.context,
                membershipKey: epoch.membershipKey,
                signaturePublicKey: epoch.publicKey,
                provider: epoch.provider
            )
        }
        check.expect(roundTripped == resigned, "\(field): our message unprotects to different content")
        return 2
    }

    /// Unprotects the vector's PrivateMessage with a fresh secret tree, then protects its content with another
    /// fresh tree and unprotects that with a third; returns the number of messages.
    private static func checkPrivate(
        _ bytes: [UInt8],
        _ field: String,
        expecting body: FramedContent.Body,
        _ epoch: Epoch,
        _ check: inout EntryCheck
    ) throws(EntryFailure) -> Int {
        guard case .privateMessage(let message) = try step(field, { try MLSMessage.decode(bytes).body }) else {
            throw EntryFailure("\(field) is not an MLSMessage(PrivateMessage)")
        }
        var receiverTree = try epoch.freshTree()
        var askedLeaf: LeafIndex?
        let received = try step("\(field): unprotect") {
            try message.unprotect(
                context: epoch.context,
                secretTree: &receiverTree,
                senderDataSecret: epoch.senderDataSecret,
                provider: epoch.provider
            ) { leaf in
                askedLeaf = leaf
                return epoch.publicKey
            }
        }
        check.expect(askedLeaf == epoch.sender, "\(field): sender data names leaf \(String(describing: askedLeaf))")
        check.expect(received.content.body == body, "\(field): content differs from the vector's")
        check.expect(received.content.sender == .member(epoch.sender), "\(field): sender is not leaf 1")

        let resigned = try sign(received.content, wireFormat: .privateMessage, epoch)
        var senderTree = try epoch.freshTree()
        var generator = ReplayGenerator([1, 2, 3, 4, 5, 6, 7, 8])
        let ours = try step("\(field): protecting again") {
            try PrivateMessage.protect(
                resigned,
                secretTree: &senderTree,
                senderDataSecret: epoch.senderDataSecret,
                paddingCount: 17,
                provider: epoch.provider,
                using: &generator
            )
        }
        let reparsed = try step("\(field): our message") {
            try MLSMessage.decode(MLSMessage(.privateMessage(ours)).encoded())
        }
        guard case .privateMessage(let reparsedMessage) = reparsed.body else {
            check.record("\(field): our message did not decode as a PrivateMessage")
            return 1
        }
        var otherReceiverTree = try epoch.freshTree()
        let roundTripped = try step("\(field): unprotecting our message") {
            try reparsedMessage.unprotect(
                context: epoch.context,
                secretTree: &otherReceiverTree,
                senderDataSecret: epoch.senderDataSecret,
                provider: epoch.provider
            ) { _ in epoch.publicKey }
        }
        check.expect(roundTripped == resigned, "\(field): our message unprotects to different content")
        return 2
    }

    /// Protecting application data as a PublicMessage fails (§6.2).
    private static func checkApplicationIsNotPublic(
        _ body: FramedContent.Body,
        _ epoch: Epoch,
        _ check: inout EntryCheck
    ) throws(EntryFailure) {
        let content = FramedContent(
            groupID: epoch.context.groupID,
            epoch: epoch.context.epoch,
            sender: .member(epoch.sender),
            authenticatedData: [],
            body: body
        )
        let signed = try sign(content, wireFormat: .publicMessage, epoch)
        check.expectError(.applicationInPublicMessage, "application: protecting as a PublicMessage") {
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
    private static func sign(
        _ content: FramedContent,
        wireFormat: WireFormat,
        _ epoch: Epoch
    ) throws(EntryFailure) -> AuthenticatedContent {
        try step("signing \(content.contentType) content") {
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
}

/// A generator that returns given bytes, eight at a time, least significant byte first: the order in which
/// `SecretBytes(randomCount:using:)` consumes them, so injected randomness can equal a vector's input (RFC 9180's
/// `ikmE`) and our protected messages are the same on every run. Past the end it returns zeros. Tests only.
public struct ReplayGenerator: RandomNumberGenerator {
    private var bytes: [UInt8]
    private var offset = 0

    /// A generator replaying `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next eight bytes, least significant first.
    public mutating func next() -> UInt64 {
        var word: UInt64 = 0
        for shift in 0..<8 where offset + shift < bytes.count {
            word |= UInt64(bytes[offset + shift]) << (8 * shift)
        }
        offset += 8
        return word
    }
}
