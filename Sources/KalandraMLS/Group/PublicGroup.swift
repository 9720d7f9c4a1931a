import KalandraCrypto

/// A group as a delivery service sees it (RFC 9420 §15 and §16.4): the group context, the public ratchet tree, the
/// transcript and the epoch's proposals, and no secret. It follows the group through its PublicMessage handshakes:
/// it verifies each one's signature against its sender's key (not the membership tag, which needs the epoch's
/// `membership_key`), validates proposals and commits by the rules of §12.2 and §12.4.2, merges the commit's path
/// (parent hashes checked) and computes the next tree hash and transcript. What it cannot check is the confirmation
/// tag (the members check that), so a member could make the service accept a commit that the members then refuse;
/// what it can check is that the commit comes from a member and describes a valid tree, which is what ordering
/// needs. Kalandra's sequencer keeps one per room.
public struct PublicGroup: Sendable {
    /// The algorithms of the group's cipher suite.
    public let provider: any CipherSuiteProvider
    /// Bounds on proposals held and members.
    public let configuration: GroupConfiguration
    /// The group context of the current epoch.
    public private(set) var context: GroupContext
    /// The public ratchet tree of the current epoch.
    public private(set) var tree: RatchetTreeState
    /// `interim_transcript_hash` of the current epoch (§8.2).
    private var interimTranscriptHash: [UInt8]
    /// Proposals of the current epoch, for commits that refer to them.
    private var proposalCache: ProposalCache

    /// The current epoch.
    public var epoch: UInt64 { context.epoch }
    /// The group ID.
    public var groupID: [UInt8] { context.groupID }
    /// The tree hash of the current epoch.
    public var treeHash: [UInt8] { context.treeHash }
    /// The leaves that hold members, in order.
    public var memberLeaves: [LeafIndex] { tree.nonBlankLeaves }
    /// The number of proposals held for the epoch's commit.
    public var pendingProposalCount: Int { proposalCache.count }

    /// The group of `groupInfo`, whose tree comes from its `ratchet_tree` extension or `ratchetTree`: the tree is
    /// validated against the GroupInfo's tree hash (§12.4.3.1), and the GroupInfo's signature against its signer's
    /// leaf. `nowSeconds` enables the lifetime checks of the tree's leaves; nil skips them.
    public init(
        groupInfo: GroupInfo,
        ratchetTree: RatchetTree? = nil,
        configuration: GroupConfiguration = .default,
        nowSeconds: UInt64? = nil
    ) throws(MLSError) {
        let provider = try groupInfo.groupContext.cipherSuite.provider()
        let context = groupInfo.groupContext
        let tree = try MLSGroup.verifiedTree(
            of: groupInfo,
            outOfBand: ratchetTree,
            provider: provider,
            maximumLeafCount: configuration.maximumLeafCount,
            nowSeconds: nowSeconds
        )
        self.provider = provider
        self.configuration = configuration
        self.context = context
        self.tree = tree
        self.interimTranscriptHash = TranscriptHashes.interimTranscriptHash(
            confirmed: context.confirmedTranscriptHash,
            confirmationTag: groupInfo.confirmationTag,
            provider: provider
        )
        self.proposalCache = ProposalCache()
    }

    /// The leaf node of `leaf`, or nil when it is blank or outside the tree.
    public func leafNode(at leaf: LeafIndex) -> LeafNode? { tree.leafNode(at: leaf) }

    /// The signature key of `message`'s sender in the current epoch (§6.1), without checking anything else: a
    /// member's leaf, an `external_senders` entry, a new member's KeyPackage or path leaf.
    public func senderSignatureKey(of message: PublicMessage) throws(MLSError) -> SignaturePublicKey {
        try CommitTransition.senderSignatureKey(of: message.content, tree: tree, context: context)
    }

    /// Authenticates a handshake `message` of the current epoch (a PublicMessage; anything else throws) and returns
    /// what it is: a proposal, now held for the epoch's commit, or a commit staged with the state it leads to (held
    /// proposals and the group stay as they are until `merge`). Throws `staleHandshake` or `wrongEpoch` for another
    /// epoch, and the typed error of the first rule a proposal or commit breaks.
    public mutating func process(_ message: MLSMessage, nowSeconds: UInt64? = nil) throws(MLSError) -> PublicHandshake {
        guard case .publicMessage(let publicMessage) = message.body else {
            throw MLSError(.invalidValue("a \(message.wireFormat) cannot be followed without the group's secrets"))
        }
        let content = publicMessage.content
        guard content.groupID == groupID else { throw MLSError(.wrongGroup) }
        guard content.epoch == epoch else {
            if content.epoch < epoch { throw MLSError(.staleHandshake, context: "epoch \(content.epoch)") }
            throw MLSError(.wrongEpoch, context: "epoch \(content.epoch), group is in epoch \(epoch)")
        }
        let key = try CommitTransition.senderSignatureKey(of: content, tree: tree, context: context)
        let authenticated = try publicMessage.unprotectAsObserver(
            context: context,
            signaturePublicKey: key,
            provider: provider
        )
        switch content.body {
        case .application:
            throw MLSError(.applicationInPublicMessage)
        case .proposal(let proposal):
            guard proposalCache.count < configuration.maximumPendingProposals else {
                throw MLSError(.tooManyPendingProposals, context: "limit \(configuration.maximumPendingProposals)")
            }
            let cached = CachedProposal(
                reference: MLSGroup.proposalReference(authenticated, provider: provider),
                proposal: proposal,
                sender: content.sender
            )
            proposalCache.insert(cached)
            return .proposal(cached)
        case .commit(let commit):
            switch content.sender {
            case .member, .newMemberCommit: break
            default: throw MLSError(.senderCannotCommit, context: "\(content.sender.senderType)")
            }
            let transition = try CommitTransition.compute(
                commit,
                authenticated: authenticated,
                context: context,
                tree: tree,
                proposalCache: proposalCache,
                interimTranscriptHash: interimTranscriptHash,
                configuration: configuration,
                provider: provider,
                nowSeconds: nowSeconds
            )
            return .commit(
                PublicStagedCommit(
                    sender: content.sender,
                    committerLeaf: transition.committerLeaf,
                    proposals: transition.covered,
                    addedMembers: transition.effects.added.map(\.leaf),
                    removedMembers: transition.effects.removed,
                    baseEpoch: epoch,
                    context: transition.newContext,
                    tree: transition.effects.tree,
                    interimTranscriptHash: TranscriptHashes.interimTranscriptHash(
                        confirmed: transition.newContext.confirmedTranscriptHash,
                        confirmationTag: transition.confirmationTag,
                        provider: provider
                    )
                )
            )
        }
    }

    /// Moves into the epoch of `staged`, which `process` returned in this epoch; the epoch's proposals are dropped.
    public mutating func merge(_ staged: PublicStagedCommit) throws(MLSError) {
        guard staged.baseEpoch == epoch, staged.context.groupID == groupID else {
            throw MLSError(.wrongEpoch, context: "staged for epoch \(staged.baseEpoch), group is in epoch \(epoch)")
        }
        context = staged.context
        tree = staged.tree
        interimTranscriptHash = staged.interimTranscriptHash
        proposalCache.removeAll()
    }
}

/// A handshake message as a `PublicGroup` took it.
public enum PublicHandshake: Sendable {
    /// A proposal, held for the epoch's commit.
    case proposal(CachedProposal)
    /// A valid commit, staged: `merge` moves the group into its epoch.
    case commit(PublicStagedCommit)
}

/// A commit that passed every check a delivery service can make, with the public state of the epoch it creates.
public struct PublicStagedCommit: Sendable {
    /// The committer.
    public let sender: Sender
    /// The committer's leaf in the new epoch.
    public let committerLeaf: LeafIndex
    /// The proposals it covers, in its order.
    public let proposals: [CoveredProposal]
    /// The leaves of the members it adds.
    public let addedMembers: [LeafIndex]
    /// The leaves it removes.
    public let removedMembers: [LeafIndex]
    /// The epoch it leads from.
    public let baseEpoch: UInt64
    /// The new epoch's group context.
    public let context: GroupContext
    /// The new epoch's tree.
    let tree: RatchetTreeState
    /// The new epoch's interim transcript hash.
    let interimTranscriptHash: [UInt8]

    /// The epoch it creates.
    public var newEpoch: UInt64 { context.epoch }
}
