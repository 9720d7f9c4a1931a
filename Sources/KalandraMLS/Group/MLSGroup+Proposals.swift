import KalandraCrypto

/// A proposal as a commit covers it: the proposal, who proposed it, and its reference when it came by reference.
public struct CoveredProposal: Sendable, Equatable {
    /// The proposal.
    public let proposal: Proposal
    /// Its sender: the committer for proposals by value.
    public let sender: Sender
    /// The `ProposalRef` it was referred to by; nil when the commit carried it by value.
    public let reference: ProposalRef?
}

/// What applying a commit's proposals does (RFC 9420 §12.3), before the commit's path.
struct ProposalEffects: Sendable {
    var tree: RatchetTreeState
    var extensions: [Extension]
    var added: [(leaf: LeafIndex, keyPackage: KeyPackage)] = []
    var removed: [LeafIndex] = []
    var updated: [LeafIndex] = []
    var psks: [PreSharedKeyID] = []
    var externalInit: ExternalInitProposal?
    var reInit: ReInitProposal?
    /// Whether the commit needs a path (§12.4): it is empty, or covers a proposal other than Add, PSK and ReInit.
    var pathRequired: Bool
}

extension MLSGroup {
    /// The label of a proposal reference (§5.2).
    static let proposalReferenceLabel = "MLS 1.0 Proposal Reference"

    /// `RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent)` (§5.2).
    func proposalReference(_ content: AuthenticatedContent) -> ProposalRef {
        Self.proposalReference(content, provider: provider)
    }

    static func proposalReference(_ content: AuthenticatedContent, provider: any CipherSuiteProvider) -> ProposalRef {
        ProposalRef(provider.refHash(label: proposalReferenceLabel, value: content.encoded()))
    }

    /// Applies `covered` to the current tree and context in the order of §12.3: GroupContextExtensions, Updates,
    /// Removes, Adds, then collects PSKs, ExternalInit and ReInit. The list is validated first (§12.2), and the
    /// validator's provisional tree, built by those same changes, is the new tree.
    func applyProposals(
        _ covered: [CoveredProposal],
        committer: Sender,
        nowSeconds: UInt64?
    ) throws(MLSError) -> ProposalEffects {
        try Self.applyProposals(
            covered,
            committer: committer,
            tree: tree,
            context: context,
            configuration: configuration,
            provider: provider,
            nowSeconds: nowSeconds
        )
    }

    /// `applyProposals` for any tree and context: the group engine's and a delivery service's (`PublicGroup`).
    static func applyProposals(
        _ covered: [CoveredProposal],
        committer: Sender,
        tree: RatchetTreeState,
        context: GroupContext,
        configuration: GroupConfiguration,
        provider: any CipherSuiteProvider,
        nowSeconds: UInt64?
    ) throws(MLSError) -> ProposalEffects {
        let provisional = try ProposalListValidator.validatedTree(
            covered.map {
                ProposalWithSender(proposal: $0.proposal, sender: $0.sender, byReference: $0.reference != nil)
            },
            committer: committer,
            tree: tree,
            groupContext: context,
            isExternalCommit: committer == .newMemberCommit,
            provider: provider,
            nowSeconds: nowSeconds
        )
        let memberCount = provisional.tree.nonBlankLeaves.count
        guard memberCount <= Int(configuration.maximumLeafCount) else {
            throw MLSError(
                .lengthLimitExceeded(length: memberCount, limit: Int(configuration.maximumLeafCount)),
                context: "group members"
            )
        }
        var effects = ProposalEffects(
            tree: provisional.tree,
            extensions: context.extensions,
            pathRequired: covered.isEmpty
                || covered.contains { ![.add, .preSharedKey, .reInit].contains($0.proposal.proposalType) }
        )
        for entry in provisional.newLeaves {
            if case .add(let proposal) = covered[entry.proposal].proposal {
                effects.added.append((entry.leaf, proposal.keyPackage))
            } else {
                effects.updated.append(entry.leaf)
            }
        }
        for item in covered {
            switch item.proposal {
            case .groupContextExtensions(let proposal): effects.extensions = proposal.extensions
            case .remove(let proposal): effects.removed.append(contentsOf: proposal.removedLeaf.map { [$0] } ?? [])
            case .preSharedKey(let proposal): effects.psks.append(proposal.psk)
            case .externalInit(let proposal): effects.externalInit = proposal
            case .reInit(let proposal): effects.reInit = proposal
            default: break
            }
        }
        return effects
    }

    /// The `psk_secret` for `psks` (§8.4): external PSKs from `store`, resumption PSKs of this group from its kept
    /// epochs or, for other groups, from `store`. Throws `pskNotFound` naming the first missing one.
    static func pskSecret(
        _ psks: [PreSharedKeyID],
        store: PreSharedKeyStore,
        ownGroupID: [UInt8]?,
        ownResumptionSecrets: [ResumptionSecret],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> SecretBytes {
        guard !psks.isEmpty else { return KeySchedule.zeroSecret(provider: provider) }
        var inputs: [PreSharedKeyInput] = []
        for (index, psk) in psks.enumerated() {
            let secret: SecretBytes?
            switch psk.key {
            case .external(let id):
                secret = store.external[id]
            case .resumption(_, let groupID, let epoch):
                if groupID == ownGroupID, let own = ownResumptionSecrets.last(where: { $0.epoch == epoch }) {
                    secret = own.secret
                } else {
                    secret = store.resumption[ResumptionKey(groupID: groupID, epoch: epoch)]
                }
            }
            guard let secret else { throw MLSError(.pskNotFound, context: "PSK \(index)") }
            inputs.append(PreSharedKeyInput(serializedID: psk.encoded(), secret: secret))
        }
        return try KeySchedule.pskSecret(inputs, provider: provider)
    }
}

/// The PSKs a member holds outside the group state (§8.4): external PSKs by ID, and resumption PSKs of other
/// groups (or of epochs of this group no longer kept) by group and epoch.
public struct PreSharedKeyStore: Sendable {
    /// External PSKs by `psk_id`.
    public var external: [[UInt8]: SecretBytes]
    /// Resumption PSKs by group ID and epoch.
    public var resumption: [ResumptionKey: SecretBytes]

    /// A store holding `external` and `resumption`.
    public init(external: [[UInt8]: SecretBytes] = [:], resumption: [ResumptionKey: SecretBytes] = [:]) {
        self.external = external
        self.resumption = resumption
    }

    /// An empty store.
    public static let empty = PreSharedKeyStore()
}

/// A group and epoch whose `resumption_psk` is meant (§8.6).
public struct ResumptionKey: Hashable, Sendable {
    /// The group ID.
    public let groupID: [UInt8]
    /// The epoch.
    public let epoch: UInt64

    /// The key of `groupID`'s epoch `epoch`.
    public init(groupID: [UInt8], epoch: UInt64) {
        self.groupID = groupID
        self.epoch = epoch
    }
}

extension MLSGroup {
    /// The resumption PSKs of the kept epochs, for a store that creates or joins a branch or a reinitialised group.
    public var resumptionPSKs: [ResumptionKey: SecretBytes] {
        var result: [ResumptionKey: SecretBytes] = [:]
        for secret in resumptionSecrets { result[ResumptionKey(groupID: groupID, epoch: secret.epoch)] = secret.secret }
        return result
    }

    /// The proposals of the current epoch held for a commit, in arrival order.
    public var pendingProposals: [CachedProposal] { proposalCache.ordered }

    /// Signs `proposal` as this member, sends it in the configured wire format, and keeps it for a commit of this
    /// epoch (this member's or another's, which then refers to it).
    public mutating func propose(
        _ proposal: Proposal,
        authenticatedData: [UInt8] = [],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> MLSMessage {
        try requireActive()
        guard proposalCache.count < configuration.maximumPendingProposals else {
            throw MLSError(.tooManyPendingProposals, context: "limit \(configuration.maximumPendingProposals)")
        }
        let content = FramedContent(
            groupID: groupID,
            epoch: epoch,
            sender: .member(ownLeaf),
            authenticatedData: authenticatedData,
            body: .proposal(proposal)
        )
        let (authenticated, message) = try sendHandshake(content, confirmationTag: nil, using: &generator)
        proposalCache.insert(
            CachedProposal(reference: proposalReference(authenticated), proposal: proposal, sender: .member(ownLeaf))
        )
        return message
    }

    /// An Update proposal (§12.1.2) with a fresh leaf encryption key; the private key is kept until a commit
    /// covering the proposal is merged.
    public mutating func proposeUpdate(
        authenticatedData: [UInt8] = [],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> MLSMessage {
        guard var leafNode = tree.leafNode(at: ownLeaf) else { throw MLSError(.groupInactive) }
        let keyPair = try provider.generateHPKEKeyPair(using: &generator)
        leafNode.encryptionKey = keyPair.publicKey
        leafNode.source = .update
        try leafNode.sign(groupID: groupID, leafIndex: ownLeaf, privateKey: signaturePrivateKey, provider: provider)
        let message = try propose(
            .update(UpdateProposal(leafNode: leafNode)),
            authenticatedData: authenticatedData,
            using: &generator
        )
        pendingUpdateKeys[keyPair.publicKey] = keyPair.privateKey
        return message
    }

    /// Signs `content` as this member and frames it in the configured handshake wire format: a PublicMessage with
    /// the epoch's membership tag, or a PrivateMessage under the handshake ratchet. `confirmationTag` computes a
    /// commit's tag from its signature.
    mutating func sendHandshake(
        _ content: FramedContent,
        confirmationTag: ((_ signature: [UInt8]) throws(MLSError) -> [UInt8])?,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> (AuthenticatedContent, MLSMessage) {
        let wireFormat: WireFormat =
            configuration.handshakeWireFormat == .publicMessage ? .publicMessage : .privateMessage
        let signature = try FramedContentTBS(wireFormat: wireFormat, content: content, context: context)
            .sign(privateKey: signaturePrivateKey, provider: provider)
        let authenticated = try AuthenticatedContent(
            wireFormat: wireFormat,
            content: content,
            auth: FramedContentAuthData(signature: signature, confirmationTag: try confirmationTag?(signature))
        )
        switch configuration.handshakeWireFormat {
        case .publicMessage:
            let message = try PublicMessage.protect(
                authenticated,
                context: context,
                membershipKey: epochSecrets.membershipKey,
                provider: provider
            )
            return (authenticated, MLSMessage(.publicMessage(message)))
        case .privateMessage:
            return (authenticated, try protectPrivately(authenticated, using: &generator))
        }
    }

    /// `content` as a PrivateMessage under this member's next key of the epoch's secret tree (§6.3), padded as the
    /// configuration says.
    mutating func protectPrivately(
        _ content: AuthenticatedContent,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> MLSMessage {
        let message = try PrivateMessage.protect(
            content,
            secretTree: &secretTree,
            senderDataSecret: epochSecrets.senderDataSecret,
            paddingCount: configuration.paddingCount,
            provider: provider,
            using: &generator
        )
        return MLSMessage(.privateMessage(message))
    }
}

/// `struct { SignaturePublicKey signature_key; Credential credential; } ExternalSender` (RFC 9420 §12.1.8.1): a
/// party outside the group, such as a server, whose proposals the group accepts. The `external_senders` extension
/// holds a vector of them.
public struct ExternalSender: Sendable, Equatable, TLSCodable {
    /// The key its proposals are signed with.
    public var signatureKey: SignaturePublicKey
    /// Who it is.
    public var credential: Credential

    /// An external sender with `signatureKey` and `credential`.
    public init(signatureKey: SignaturePublicKey, credential: Credential) {
        self.signatureKey = signatureKey
        self.credential = credential
    }

    /// Reads the fields in order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        signatureKey = try SignaturePublicKey(from: &reader)
        credential = try Credential(from: &reader)
    }

    /// Writes the fields in order.
    public func encode(to writer: inout TLSWriter) {
        signatureKey.encode(to: &writer)
        credential.encode(to: &writer)
    }

    /// The `external_senders` extension listing `senders`.
    public static func extensionValue(_ senders: [ExternalSender]) -> Extension {
        var writer = TLSWriter()
        writer.writeVector(senders)
        return Extension(extensionType: .externalSenders, extensionData: writer.bytes)
    }

    /// The external senders of `extensions` (empty without an `external_senders` extension).
    public static func senders(in extensions: [Extension]) throws(MLSError) -> [ExternalSender] {
        guard let data = extensions.first(where: { $0.extensionType == .externalSenders })?.extensionData else {
            return []
        }
        var reader = TLSReader(data)
        let senders = try reader.readVector(of: ExternalSender.self)
        try reader.finish()
        return senders
    }
}
