import KalandraCrypto

/// What a commit covers and how it is made (RFC 9420 §12.4.1).
public struct CommitOptions: Sendable {
    /// Proposals the commit carries by value, as this member's.
    public var proposals: [Proposal]
    /// Whether the commit also covers, by reference, the proposals of the epoch held so far (§12.4: a committer
    /// SHOULD cover all valid proposals it received). This member's own Updates are left out: its path replaces them.
    public var includePendingProposals: Bool
    /// Whether the commit carries a path even when its proposals do not require one.
    public var forcePath: Bool
    /// The commit's `authenticated_data`.
    public var authenticatedData: [UInt8]

    /// A commit of `proposals` by value and, with `includePendingProposals`, the held ones by reference.
    public init(
        proposals: [Proposal] = [],
        includePendingProposals: Bool = true,
        forcePath: Bool = false,
        authenticatedData: [UInt8] = []
    ) {
        self.proposals = proposals
        self.includePendingProposals = includePendingProposals
        self.forcePath = forcePath
        self.authenticatedData = authenticatedData
    }
}

/// What making a commit yields: the message for the group, the Welcome for new members, and the new epoch's
/// GroupInfo and tree for those who join with the tree out of band.
public struct CommitOutput: Sendable {
    /// The commit, as a PublicMessage or PrivateMessage.
    public let commit: MLSMessage
    /// The Welcome for the members the commit adds; nil when it adds none.
    public let welcome: Welcome?
    /// The signed GroupInfo of the new epoch (§12.4.3).
    public let groupInfo: GroupInfo
    /// The ratchet tree of the new epoch (§12.4.3.3), for new members when Welcomes do not carry it.
    public let ratchetTree: RatchetTree
}

extension MLSGroup {
    /// Makes a commit (§12.4.1) and keeps the state it leads to as pending: the group stays in its epoch until
    /// `confirmPendingCommit()`. Throws `pendingCommitState` while another commit of this member is pending.
    public mutating func commit(
        _ options: CommitOptions = CommitOptions(),
        psks: PreSharedKeyStore = .empty,
        nowSeconds: UInt64? = nil,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> CommitOutput {
        try requireActive()
        guard pendingCommit == nil else { throw MLSError(.pendingCommitState, context: "a commit is pending") }
        let committer = Sender.member(ownLeaf)
        // The closures below outlive this call's access to `self`; they read this snapshot.
        let current = self
        var covered = options.proposals.map { CoveredProposal(proposal: $0, sender: committer, reference: nil) }
        if options.includePendingProposals {
            for cached in proposalCache.ordered {
                if case .update = cached.proposal, cached.sender == committer { continue }
                covered.append(
                    CoveredProposal(proposal: cached.proposal, sender: cached.sender, reference: cached.reference)
                )
            }
        }
        let effects = try applyProposals(covered, committer: committer, nowSeconds: nowSeconds)
        let newMembers = Set(effects.added.map(\.leaf))
        var newTree = effects.tree
        var newPrivateTree = privateTree
        newPrivateTree.dropKeys(ofBlankNodesIn: newTree)
        let provisionalContext = { (treeHash: [UInt8]) in
            GroupContext(
                cipherSuite: current.cipherSuite,
                groupID: current.groupID,
                epoch: current.epoch + 1,
                treeHash: treeHash,
                confirmedTranscriptHash: current.context.confirmedTranscriptHash,
                extensions: effects.extensions
            )
        }
        var path: CreatedUpdatePath?
        if options.forcePath || effects.pathRequired {
            let created = try newTree.createUpdatePath(
                from: ownLeaf,
                signaturePrivateKey: signaturePrivateKey,
                groupID: groupID,
                newMembers: newMembers,
                groupContext: provisionalContext,
                using: &generator
            )
            newPrivateTree = created.privateState
            path = created
        }
        let commit = Commit(
            proposals: covered.map { item in item.reference.map { .reference($0) } ?? .proposal(item.proposal) },
            path: path?.updatePath
        )
        let content = FramedContent(
            groupID: groupID,
            epoch: epoch,
            sender: committer,
            authenticatedData: options.authenticatedData,
            body: .commit(commit)
        )
        let pskSecret = try Self.pskSecret(
            effects.psks,
            store: psks,
            ownGroupID: groupID,
            ownResumptionSecrets: resumptionSecrets,
            provider: provider
        )
        var newContext = provisionalContext(newTree.treeHash)
        var keySchedule: KeySchedule?
        var interim: [UInt8] = []
        let wireFormat: WireFormat =
            configuration.handshakeWireFormat == .publicMessage ? .publicMessage : .privateMessage
        let (_, message) = try sendHandshake(
            content,
            confirmationTag: { signature throws(MLSError) in
                newContext.confirmedTranscriptHash = try TranscriptHashes.confirmedTranscriptHash(
                    interimBefore: current.interimTranscriptHash,
                    wireFormat: wireFormat,
                    content: content,
                    signature: signature,
                    provider: current.provider
                )
                let schedule = try KeySchedule(
                    initSecret: current.epochSecrets.initSecret,
                    commitSecret: path?.commitSecret ?? KeySchedule.zeroSecret(provider: current.provider),
                    pskSecret: pskSecret,
                    groupContext: newContext.encoded(),
                    provider: current.provider
                )
                let tag = schedule.epochSecrets.confirmationTag(
                    confirmedTranscriptHash: newContext.confirmedTranscriptHash
                )
                interim = TranscriptHashes.interimTranscriptHash(
                    confirmed: newContext.confirmedTranscriptHash,
                    confirmationTag: tag,
                    provider: current.provider
                )
                keySchedule = schedule
                return tag
            },
            using: &generator
        )
        // The closure ran: a commit always gets its confirmation tag.
        guard var schedule = keySchedule else { throw MLSError(.invalidValue("commit was not confirmed")) }
        var next = try entering(
            context: newContext,
            tree: newTree,
            privateTree: newPrivateTree,
            keySchedule: schedule,
            interimTranscriptHash: interim
        )
        if let reInit = effects.reInit {
            next.pendingReInit = reInit
            next.isActive = false
        }
        let groupInfo = try next.signedGroupInfo(
            confirmationTag: schedule.epochSecrets.confirmationTag(
                confirmedTranscriptHash: newContext.confirmedTranscriptHash
            )
        )
        var welcome: Welcome?
        if !effects.added.isEmpty, let joinerSecret = schedule.joinerSecret {
            welcome = try Welcome.seal(
                groupInfo: groupInfo,
                joinerSecret: joinerSecret,
                psks: effects.psks,
                pskSecret: effects.psks.isEmpty ? nil : pskSecret,
                newMembers: effects.added.map { added in
                    let ancestor = added.leaf.nodeIndex.commonAncestor(with: ownLeaf.nodeIndex)
                    let secret = path?.pathSecrets.first { $0.node == ancestor }?.secret
                    return (added.keyPackage, secret.map(PathSecret.init))
                },
                provider: provider,
                using: &generator
            )
        }
        schedule.dropJoinerSecrets()
        pendingCommit = PendingCommit(message: message, next: GroupBox(next))
        return CommitOutput(commit: message, welcome: welcome, groupInfo: groupInfo, ratchetTree: newTree.ratchetTree)
    }

    /// Moves the group into the epoch of this member's pending commit, once the delivery service accepted it.
    public mutating func confirmPendingCommit() throws(MLSError) {
        guard let pendingCommit else { throw MLSError(.pendingCommitState, context: "no commit is pending") }
        self = carryingReceiveState(into: pendingCommit.next.group)
    }

    /// Forgets this member's pending commit (another commit won the epoch); the group stays in its epoch.
    public mutating func discardPendingCommit() {
        pendingCommit = nil
    }

    /// The commit message this member has pending, if any: the delivery service echoes it when it accepted it.
    public var pendingCommitMessage: MLSMessage? { pendingCommit?.message }

    /// The signed GroupInfo of the current epoch (§12.4.3), for external joiners: with the `ratchet_tree`
    /// extension when the configuration says so, and `external_pub` when external commits are allowed.
    public func groupInfo() throws(MLSError) -> GroupInfo {
        try signedGroupInfo(
            confirmationTag: epochSecrets.confirmationTag(confirmedTranscriptHash: context.confirmedTranscriptHash)
        )
    }

    /// The GroupInfo of the current epoch with `confirmationTag`, signed by this member.
    func signedGroupInfo(confirmationTag: [UInt8]) throws(MLSError) -> GroupInfo {
        var extensions: [Extension] = []
        if configuration.ratchetTreeInWelcome {
            extensions.append(Extension(extensionType: .ratchetTree, extensionData: tree.ratchetTree.encoded()))
        }
        if configuration.allowExternalCommits {
            extensions.append(
                Extension(
                    extensionType: .externalPub,
                    extensionData: try epochSecrets.externalKeyPair().publicKey.encoded()
                )
            )
        }
        return try GroupInfo.signed(
            groupContext: context,
            extensions: extensions,
            confirmationTag: confirmationTag,
            signer: ownLeaf,
            privateKey: signaturePrivateKey,
            provider: provider
        )
    }
}
