import KalandraCrypto

/// A message received in a group, authenticated and decrypted (RFC 9420 §6, §12.4.2).
public struct ProcessedMessage: Sendable {
    /// What the message carried.
    public enum Content: Sendable {
        /// Application data from a member.
        case application([UInt8])
        /// A proposal, now held for a commit of the epoch.
        case proposal(CachedProposal)
        /// A commit, validated and staged: `merge` moves the group into its epoch.
        case commit(StagedCommit)
    }

    /// Who sent it.
    public let sender: Sender
    /// The epoch it was sent in (an application message may come from a kept past epoch).
    public let epoch: UInt64
    /// Its `authenticated_data`.
    public let authenticatedData: [UInt8]
    /// What it carried.
    public let content: Content
}

/// A commit that passed every check of §12.4.2, with the state of the epoch it creates. Inspect it, then `merge`.
public struct StagedCommit: Sendable {
    /// The committer.
    public let sender: Sender
    /// The proposals it covers, in its order.
    public let proposals: [CoveredProposal]
    /// The leaves of the members it adds.
    public let addedMembers: [LeafIndex]
    /// The leaves it removes.
    public let removedMembers: [LeafIndex]
    /// The leaves whose Update proposals it applies.
    public let updatedMembers: [LeafIndex]
    /// Whether it carries a path.
    public let hasPath: Bool
    /// Whether it removes the member processing it.
    public let removesSelf: Bool
    /// The ReInit it covers, if any (§11.2).
    public let reInit: ReInitProposal?
    /// The epoch it leads from.
    public let baseEpoch: UInt64
    /// The epoch it creates.
    public var newEpoch: UInt64 { baseEpoch + 1 }
    /// The state of the new epoch.
    let next: GroupBox

    /// `epoch_authenticator` of the new epoch (§8.7); nil when the commit removes this member.
    public var epochAuthenticator: SecretBytes? { removesSelf ? nil : next.group.epochAuthenticator }
}

extension MLSGroup {
    /// Authenticates and decrypts `message` (§6.2, §6.3). Application data and proposals are returned (proposals are
    /// held for a commit); a commit is validated and returned staged, without changing the epoch. Application
    /// messages of a kept past epoch are accepted; handshake messages must be of the current epoch. `nowSeconds`
    /// (Unix time) enables the lifetime checks of added KeyPackages; nil skips them.
    public mutating func process(
        _ message: MLSMessage,
        psks: PreSharedKeyStore = .empty,
        nowSeconds: UInt64? = nil
    ) throws(MLSError) -> ProcessedMessage {
        try requireActive()
        let authenticated: AuthenticatedContent
        switch message.body {
        case .publicMessage(let publicMessage):
            authenticated = try unprotectPublic(publicMessage)
        case .privateMessage(let privateMessage):
            if privateMessage.epoch != epoch {
                return try processPastEpochApplication(privateMessage)
            }
            authenticated = try privateMessage.unprotect(
                context: context,
                secretTree: &secretTree,
                senderDataSecret: epochSecrets.senderDataSecret,
                provider: provider
            ) { leaf throws(MLSError) in
                guard let leafNode = tree.leafNode(at: leaf) else {
                    throw MLSError(.senderNotMember, context: "\(leaf)")
                }
                return leafNode.signatureKey
            }
        default:
            throw MLSError(.invalidValue("a \(message.wireFormat) is not a message for a group"))
        }
        let content = authenticated.content
        let processed: ProcessedMessage.Content
        switch content.body {
        case .application(let data):
            processed = .application(data)
        case .proposal(let proposal):
            guard proposalCache.count < configuration.maximumPendingProposals else {
                throw MLSError(.tooManyPendingProposals, context: "limit \(configuration.maximumPendingProposals)")
            }
            let cached = CachedProposal(
                reference: proposalReference(authenticated),
                proposal: proposal,
                sender: content.sender
            )
            proposalCache.insert(cached)
            processed = .proposal(cached)
        case .commit(let commit):
            processed = .commit(try stage(commit, authenticated: authenticated, psks: psks, nowSeconds: nowSeconds))
        }
        return ProcessedMessage(
            sender: content.sender,
            epoch: content.epoch,
            authenticatedData: content.authenticatedData,
            content: processed
        )
    }

    /// Moves the group into the epoch of `staged`, which `process` returned in this epoch. A pending commit of
    /// this member is dropped: the staged commit won the epoch.
    public mutating func merge(_ staged: StagedCommit) throws(MLSError) {
        guard staged.baseEpoch == epoch, staged.next.group.groupID == groupID else {
            throw MLSError(.wrongEpoch, context: "staged for epoch \(staged.baseEpoch), group is in epoch \(epoch)")
        }
        self = carryingReceiveState(into: staged.next.group)
    }

    /// `next` with the secret trees of the epochs it keeps as past ones taken from this state: application messages
    /// received between staging (or making) a commit and merging it consumed keys, which must stay consumed.
    func carryingReceiveState(into next: MLSGroup) -> MLSGroup {
        var next = next
        for index in next.pastEpochs.indices {
            let pastEpoch = next.pastEpochs[index].context.epoch
            if pastEpoch == epoch {
                next.pastEpochs[index].secretTree = secretTree
            } else if let kept = pastEpochs.first(where: { $0.context.epoch == pastEpoch }) {
                next.pastEpochs[index].secretTree = kept.secretTree
            }
        }
        return next
    }

    /// Checks the epoch and the sender, then the membership tag and signature of a PublicMessage (§6.2), with
    /// the signature key of its sender (§6.1): a member's leaf, an `external_senders` entry, the KeyPackage of a
    /// new member's Add, or the path leaf of a new member's commit.
    private func unprotectPublic(_ message: PublicMessage) throws(MLSError) -> AuthenticatedContent {
        let content = message.content
        guard content.groupID == groupID else { throw MLSError(.wrongGroup) }
        guard content.epoch == epoch else {
            if content.epoch < epoch { throw MLSError(.staleHandshake, context: "epoch \(content.epoch)") }
            throw MLSError(.wrongEpoch, context: "epoch \(content.epoch), group is in epoch \(epoch)")
        }
        let key = try CommitTransition.senderSignatureKey(of: content, tree: tree, context: context)
        return try message.unprotect(
            context: context,
            membershipKey: epochSecrets.membershipKey,
            signaturePublicKey: key,
            provider: provider
        )
    }

    /// An application message of a kept past epoch (§14: late messages), decrypted with that epoch's secret tree.
    private mutating func processPastEpochApplication(_ message: PrivateMessage) throws(MLSError) -> ProcessedMessage {
        guard message.contentType == .application else {
            throw MLSError(message.epoch < epoch ? .staleHandshake : .wrongEpoch, context: "epoch \(message.epoch)")
        }
        guard let position = pastEpochs.firstIndex(where: { $0.context.epoch == message.epoch }) else {
            throw MLSError(.epochNotAvailable, context: "epoch \(message.epoch), group is in epoch \(epoch)")
        }
        let past = pastEpochs[position]
        var secretTree = past.secretTree
        let authenticated = try message.unprotect(
            context: past.context,
            secretTree: &secretTree,
            senderDataSecret: past.senderDataSecret,
            provider: provider
        ) { leaf throws(MLSError) in
            guard let leafNode = past.tree.leafNode(at: leaf) else {
                throw MLSError(.senderNotMember, context: "\(leaf) in epoch \(message.epoch)")
            }
            return leafNode.signatureKey
        }
        pastEpochs[position].secretTree = secretTree
        guard case .application(let data) = authenticated.content.body else {
            throw MLSError(.staleHandshake, context: "epoch \(message.epoch)")
        }
        return ProcessedMessage(
            sender: authenticated.content.sender,
            epoch: message.epoch,
            authenticatedData: message.authenticatedData,
            content: .application(data)
        )
    }

    /// Validates `commit` (§12.4.2) and computes the epoch it creates, without changing this state.
    private func stage(
        _ commit: Commit,
        authenticated: AuthenticatedContent,
        psks: PreSharedKeyStore,
        nowSeconds: UInt64?
    ) throws(MLSError) -> StagedCommit {
        let sender = authenticated.content.sender
        switch sender {
        case .member(let leaf) where leaf == ownLeaf:
            throw MLSError(.ownCommitReceived)
        case .member, .newMemberCommit:
            break
        default:
            throw MLSError(.senderCannotCommit, context: "\(sender.senderType)")
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
        let effects = transition.effects
        let newMembers = Set(effects.added.map(\.leaf))
        let removesSelf = effects.tree.leafNode(at: ownLeaf) == nil
        let staged = { (next: MLSGroup) in
            StagedCommit(
                sender: sender,
                proposals: transition.covered,
                addedMembers: effects.added.map(\.leaf),
                removedMembers: effects.removed,
                updatedMembers: effects.updated,
                hasPath: commit.path != nil,
                removesSelf: removesSelf,
                reInit: effects.reInit,
                baseEpoch: epoch,
                next: GroupBox(next)
            )
        }
        if removesSelf {
            // A removed member cannot decrypt the new epoch's secrets; it learns that it left, and stops.
            var next = self
            next.isActive = false
            return staged(next)
        }
        var newPrivateTree = privateTree
        if effects.updated.contains(ownLeaf) {
            guard let leafKey = effects.tree.leafNode(at: ownLeaf)?.encryptionKey,
                let privateKey = pendingUpdateKeys[leafKey]
            else { throw MLSError(.invalidValue("a commit applies an Update of this member that it did not propose")) }
            newPrivateTree = TreeKEMPrivateState(leaf: ownLeaf, leafPrivateKey: privateKey)
        }
        // Blank nodes of the merged tree: a path fills only the committer's direct path, where this member holds no
        // key below the common ancestor and gets new ones above it from the path.
        newPrivateTree.dropKeys(ofBlankNodesIn: effects.tree)
        let newContext = transition.newContext
        var commitSecret = KeySchedule.zeroSecret(provider: provider)
        if let path = commit.path {
            commitSecret =
                try newPrivateTree.apply(
                    path,
                    from: transition.committerLeaf,
                    mergedTree: effects.tree,
                    groupContext: transition.provisionalContext,
                    newMembers: newMembers
                )
                .commitSecret
        }
        let initSecret: SecretBytes
        if let externalInit = effects.externalInit {
            initSecret = try KeySchedule.externalInitSecret(
                kemOutput: externalInit.kemOutput,
                externalPrivateKey: epochSecrets.externalKeyPair().privateKey,
                provider: provider
            )
        } else {
            initSecret = epochSecrets.initSecret
        }
        let pskSecret = try Self.pskSecret(
            effects.psks,
            store: psks,
            ownGroupID: groupID,
            ownResumptionSecrets: resumptionSecrets,
            provider: provider
        )
        var keySchedule = try KeySchedule(
            initSecret: initSecret,
            commitSecret: commitSecret,
            pskSecret: pskSecret,
            groupContext: newContext.encoded(),
            provider: provider
        )
        keySchedule.dropJoinerSecrets()
        let tag = transition.confirmationTag
        guard
            keySchedule.epochSecrets.verifyConfirmationTag(
                tag,
                confirmedTranscriptHash: newContext.confirmedTranscriptHash
            )
        else { throw MLSError(.confirmationTagInvalid, context: "commit for epoch \(epoch + 1)") }
        var next = try entering(
            context: newContext,
            tree: effects.tree,
            privateTree: newPrivateTree,
            keySchedule: keySchedule,
            interimTranscriptHash: TranscriptHashes.interimTranscriptHash(
                confirmed: newContext.confirmedTranscriptHash,
                confirmationTag: tag,
                provider: provider
            )
        )
        if let reInit = effects.reInit {
            next.pendingReInit = reInit
            next.isActive = false
        }
        return staged(next)
    }
}
