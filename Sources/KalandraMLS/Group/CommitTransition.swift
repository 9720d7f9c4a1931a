import KalandraCrypto

/// The public half of processing a commit (RFC 9420 §12.4.2): everything that needs no secret of the epoch. The
/// group engine continues from it (path decryption, key schedule, confirmation tag); a delivery service
/// (`PublicGroup`) stops here, which is how Kalandra's sequencer follows a room's epochs without being a member.
struct CommitTransition: Sendable {
    /// The proposals the commit covers, in its order.
    let covered: [CoveredProposal]
    /// What they do; `effects.tree` is the new epoch's tree, the path merged.
    let effects: ProposalEffects
    /// The committer's leaf (an external joiner's is the leaf it takes).
    let committerLeaf: LeafIndex
    /// Whether the commit comes from a `new_member_commit` sender.
    let isExternal: Bool
    /// The provisional GroupContext of §12.4.2 (new epoch, tree hash and extensions; the old confirmed transcript
    /// hash), which the path's secrets are encrypted to.
    let provisionalContext: GroupContext
    /// The new epoch's GroupContext.
    let newContext: GroupContext
    /// The confirmation tag the commit carries (not verified here: it needs the new epoch's confirmation key).
    let confirmationTag: [UInt8]

    /// Resolves `commit`'s proposals (by reference from `proposalCache`), validates and applies them, checks the
    /// committer's path leaf (§7.3) and merges the path (parent hashes checked), and computes the new tree hash and
    /// confirmed transcript hash. Throws the first rule broken; changes nothing.
    static func compute(
        _ commit: Commit,
        authenticated: AuthenticatedContent,
        context: GroupContext,
        tree: RatchetTreeState,
        proposalCache: ProposalCache,
        interimTranscriptHash: [UInt8],
        configuration: GroupConfiguration,
        provider: any CipherSuiteProvider,
        nowSeconds: UInt64?
    ) throws(MLSError) -> CommitTransition {
        let sender = authenticated.content.sender
        var covered: [CoveredProposal] = []
        for (index, item) in commit.proposals.enumerated() {
            switch item {
            case .proposal(let proposal):
                covered.append(CoveredProposal(proposal: proposal, sender: sender, reference: nil))
            case .reference(let reference):
                guard let cached = proposalCache[reference] else {
                    throw MLSError(.unknownProposalReference, context: "proposal \(index)")
                }
                covered.append(CoveredProposal(proposal: cached.proposal, sender: cached.sender, reference: reference))
            }
        }
        var effects = try MLSGroup.applyProposals(
            covered,
            committer: sender,
            tree: tree,
            context: context,
            configuration: configuration,
            provider: provider,
            nowSeconds: nowSeconds
        )
        let isExternal = sender == .newMemberCommit
        if commit.path == nil && (effects.pathRequired || isExternal) {
            throw MLSError(.commitPathRequired)
        }
        let committerLeaf: LeafIndex
        switch sender {
        case .member(let leaf): committerLeaf = leaf
        default:
            // An external joiner takes the leftmost blank leaf, as an Add would, and its leaf node passes leaf node
            // validation (§7.3) against the members, as any new leaf does (§12.4.3.2).
            guard let path = commit.path else { throw MLSError(.commitPathRequired) }
            var joined = effects.tree
            let leaf = try joined.add(path.leafNode)
            var joinContext = context
            joinContext.extensions = effects.extensions
            try effects.tree.validateLeafNode(
                path.leafNode,
                as: .commit(leaf),
                groupContext: joinContext,
                nowSeconds: nowSeconds
            )
            effects.tree = joined
            committerLeaf = leaf
        }
        var provisional = GroupContext(
            cipherSuite: context.cipherSuite,
            groupID: context.groupID,
            epoch: context.epoch + 1,
            treeHash: [],
            confirmedTranscriptHash: context.confirmedTranscriptHash,
            extensions: effects.extensions
        )
        if let path = commit.path {
            if !isExternal {
                // §12.4.2: the path's leaf node passes leaf node validation (§7.3) against the tree after the
                // proposals: required capabilities, credential types the members support, unique keys.
                try effects.tree.validateLeafNode(
                    path.leafNode,
                    as: .commit(committerLeaf),
                    groupContext: provisional,
                    nowSeconds: nowSeconds
                )
            }
            try effects.tree.merge(path, from: committerLeaf, groupID: context.groupID, isNewLeaf: isExternal)
        }
        provisional.treeHash = effects.tree.treeHash
        guard let tag = authenticated.auth.confirmationTag else {
            throw MLSError(.confirmationTagInvalid, context: "commit without a confirmation tag")
        }
        var newContext = provisional
        newContext.confirmedTranscriptHash = try TranscriptHashes.confirmedTranscriptHash(
            interimBefore: interimTranscriptHash,
            wireFormat: authenticated.wireFormat,
            content: authenticated.content,
            signature: authenticated.auth.signature,
            provider: provider
        )
        return CommitTransition(
            covered: covered,
            effects: effects,
            committerLeaf: committerLeaf,
            isExternal: isExternal,
            provisionalContext: provisional,
            newContext: newContext,
            confirmationTag: tag
        )
    }

    /// The signature key of `content`'s sender (§6.1): a member's leaf, an `external_senders` entry, the KeyPackage
    /// of a new member's Add, or the path leaf of a new member's commit.
    static func senderSignatureKey(
        of content: FramedContent,
        tree: RatchetTreeState,
        context: GroupContext
    ) throws(MLSError) -> SignaturePublicKey {
        switch (content.sender, content.body) {
        case (.member(let leaf), _):
            guard let leafNode = tree.leafNode(at: leaf) else {
                throw MLSError(.senderNotMember, context: "\(leaf)")
            }
            return leafNode.signatureKey
        case (.external(let index), .proposal):
            let senders = try ExternalSender.senders(in: context.extensions)
            guard index < senders.count else { throw MLSError(.unknownExternalSender, context: "index \(index)") }
            return senders[Int(index)].signatureKey
        case (.newMemberProposal, .proposal(.add(let add))):
            return add.keyPackage.leafNode.signatureKey
        case (.newMemberCommit, .commit(let commit)):
            guard let path = commit.path else { throw MLSError(.commitPathRequired, context: "external commit") }
            return path.leafNode.signatureKey
        default:
            throw MLSError(
                .senderContentMismatch,
                context: "\(content.sender.senderType) sending \(content.contentType)"
            )
        }
    }
}
