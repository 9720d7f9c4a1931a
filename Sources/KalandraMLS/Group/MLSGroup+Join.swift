import KalandraCrypto

extension MLSGroup {
    /// Joins a group through `welcome` (§12.4.3.1) as the owner of `keyPackage`: opens the Welcome, takes the tree
    /// from its `ratchet_tree` extension or `ratchetTree` (out of band), validates the tree against the GroupInfo's
    /// tree hash, verifies the GroupInfo's signature and confirmation tag, finds this member's leaf, derives the path
    /// keys from the Welcome's path secret and checks them against the tree, and starts the epoch's secret tree.
    /// `leafPrivateKey` is the private key of the KeyPackage leaf node's encryption key. PSKs the Welcome names come
    /// from `psks`. `nowSeconds` enables the lifetime check of the tree's leaves; nil skips it (§7.3 lets a joiner
    /// accept members whose KeyPackages have since expired).
    public static func join(
        welcome: Welcome,
        keyPackage: KeyPackage,
        initPrivateKey: HPKEPrivateKey,
        leafPrivateKey: HPKEPrivateKey,
        signaturePrivateKey: SignaturePrivateKey,
        ratchetTree: RatchetTree? = nil,
        psks: PreSharedKeyStore = .empty,
        configuration: GroupConfiguration = .default,
        nowSeconds: UInt64? = nil
    ) throws(MLSError) -> MLSGroup {
        let provider = try welcome.cipherSuite.provider()
        var tree: RatchetTreeState?
        let joined = try welcome.open(
            keyPackage: keyPackage,
            initPrivateKey: initPrivateKey,
            provider: provider,
            pskSecret: { ids throws(MLSError) in
                ids.isEmpty
                    ? nil
                    : try pskSecret(ids, store: psks, ownGroupID: nil, ownResumptionSecrets: [], provider: provider)
            }
        ) { groupInfo throws(MLSError) in
            let state = try treeState(
                from: groupInfo,
                outOfBand: ratchetTree,
                provider: provider,
                maximumLeafCount: configuration.maximumLeafCount
            )
            tree = state
            guard let signer = state.leafNode(at: groupInfo.signer) else {
                throw MLSError(.senderNotMember, context: "GroupInfo signer \(groupInfo.signer)")
            }
            return signer.signatureKey
        }
        guard let tree else { throw MLSError(.ratchetTreeMissing) }
        let groupContext = joined.groupInfo.groupContext
        // A branch or a reinitialised group starts at epoch 1 (§11.2, §11.3); which members may be in it is the
        // application's to judge from their credentials.
        let resumes = joined.groupSecrets.psks.contains { psk in
            if case .resumption(let usage, _, _) = psk.key { return usage != .application }
            return false
        }
        guard !resumes || groupContext.epoch == 1 else {
            throw MLSError(.invalidValue("a resumed group's Welcome is not for epoch 1"), context: "§11.2, §11.3")
        }
        try tree.validate(groupID: groupContext.groupID, treeHash: groupContext.treeHash, nowSeconds: nowSeconds)
        guard let ownLeaf = tree.nonBlankLeaves.first(where: { tree.leafNode(at: $0) == keyPackage.leafNode }) else {
            throw MLSError(.joinerLeafNotInTree)
        }
        var privateTree = TreeKEMPrivateState(leaf: ownLeaf, leafPrivateKey: leafPrivateKey)
        if let pathSecret = joined.groupSecrets.pathSecret {
            try privateTree.setPathSecrets(
                from: pathSecret.secret,
                at: ownLeaf.nodeIndex.commonAncestor(with: joined.groupInfo.signer.nodeIndex),
                committer: joined.groupInfo.signer,
                tree: tree
            )
        }
        guard privateTree.isConsistent(with: tree) else { throw MLSError(.pathSecretMismatch) }
        var epochSecrets = joined.keySchedule.epochSecrets
        let secretTree = try epochSecrets.makeSecretTree(treeSize: tree.size, limits: configuration.ratchetLimits)
        return MLSGroup(
            provider: provider,
            configuration: configuration,
            context: groupContext,
            tree: tree,
            isActive: true,
            pendingReInit: nil,
            privateTree: privateTree,
            epochSecrets: epochSecrets,
            secretTree: secretTree,
            interimTranscriptHash: TranscriptHashes.interimTranscriptHash(
                confirmed: groupContext.confirmedTranscriptHash,
                confirmationTag: joined.groupInfo.confirmationTag,
                provider: provider
            ),
            signaturePrivateKey: signaturePrivateKey,
            proposalCache: ProposalCache(),
            pastEpochs: [],
            resumptionSecrets: [ResumptionSecret(epoch: groupContext.epoch, secret: epochSecrets.resumptionPSK)],
            pendingCommit: nil,
            pendingUpdateKeys: [:]
        )
    }

    /// The tree of a GroupInfo: its `ratchet_tree` extension, else `outOfBand`; throws `ratchetTreeMissing`.
    static func treeState(
        from groupInfo: GroupInfo,
        outOfBand: RatchetTree?,
        provider: any CipherSuiteProvider,
        maximumLeafCount: UInt32
    ) throws(MLSError) -> RatchetTreeState {
        let tree: RatchetTree
        if let data = groupInfo.extensions.first(where: { $0.extensionType == .ratchetTree })?.extensionData {
            tree = try RatchetTree.decode(data)
        } else if let outOfBand {
            tree = outOfBand
        } else {
            throw MLSError(.ratchetTreeMissing)
        }
        return try RatchetTreeState(tree, provider: provider, maximumLeafCount: maximumLeafCount)
    }

    /// The tree of `groupInfo` (`treeState(from:...)`), validated against its tree hash (§12.4.3.1), with the
    /// GroupInfo's signature verified against its signer's leaf: what an external joiner and a delivery service
    /// (`PublicGroup`) start from.
    static func verifiedTree(
        of groupInfo: GroupInfo,
        outOfBand: RatchetTree?,
        provider: any CipherSuiteProvider,
        maximumLeafCount: UInt32,
        nowSeconds: UInt64?
    ) throws(MLSError) -> RatchetTreeState {
        let context = groupInfo.groupContext
        let tree = try treeState(
            from: groupInfo,
            outOfBand: outOfBand,
            provider: provider,
            maximumLeafCount: maximumLeafCount
        )
        try tree.validate(groupID: context.groupID, treeHash: context.treeHash, nowSeconds: nowSeconds)
        guard let signer = tree.leafNode(at: groupInfo.signer) else {
            throw MLSError(.senderNotMember, context: "GroupInfo signer \(groupInfo.signer)")
        }
        try groupInfo.verifySignature(publicKey: signer.signatureKey, provider: provider)
        return tree
    }
}

// MARK: - External commits

/// What joining by an external commit yields (§12.4.3.2): the commit to send, and the group in the new epoch, which
/// is this member's once the delivery service accepts the commit.
public struct ExternalJoin: Sendable {
    /// The commit, a PublicMessage from a `new_member_commit` sender.
    public let commit: MLSMessage
    /// The group in the epoch the commit creates.
    public let group: MLSGroup
}

extension MLSGroup {
    /// Joins the group `groupInfo` describes by an external commit (§12.4.3.2): verifies the GroupInfo and its tree,
    /// derives the init secret from the `external_pub` extension, covers an ExternalInit proposal (and a Remove of
    /// `resyncing`, this member's old leaf, when it rejoins after losing its state), takes the leftmost blank leaf
    /// with `leafNode`'s credential, capabilities and signature key, and commits with a path. `preSharedKeys` adds
    /// PreSharedKey proposals, whose secrets come from `psks`.
    public static func joinByExternalCommit(
        groupInfo: GroupInfo,
        ratchetTree: RatchetTree? = nil,
        leafNode: LeafNode,
        signaturePrivateKey: SignaturePrivateKey,
        resyncing oldLeaf: LeafIndex? = nil,
        preSharedKeys: [PreSharedKeyID] = [],
        psks: PreSharedKeyStore = .empty,
        authenticatedData: [UInt8] = [],
        configuration: GroupConfiguration = .default,
        nowSeconds: UInt64? = nil,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> ExternalJoin {
        let provider = try groupInfo.groupContext.cipherSuite.provider()
        let groupContext = groupInfo.groupContext
        var tree = try verifiedTree(
            of: groupInfo,
            outOfBand: ratchetTree,
            provider: provider,
            maximumLeafCount: configuration.maximumLeafCount,
            nowSeconds: nowSeconds
        )
        guard
            let externalPubData = groupInfo.extensions.first(where: { $0.extensionType == .externalPub })?.extensionData
        else { throw MLSError(.externalPubMissing) }
        let externalPub = try HPKEPublicKey.decode(externalPubData)
        let (kemOutput, initSecret) = try KeySchedule.externalInit(
            externalPublicKey: externalPub,
            provider: provider,
            using: &generator
        )
        var proposals: [Proposal] = [.externalInit(ExternalInitProposal(kemOutput: kemOutput))]
        if let oldLeaf {
            proposals.append(.remove(RemoveProposal(removed: oldLeaf)))
            try tree.remove(oldLeaf)
        }
        proposals.append(contentsOf: preSharedKeys.map { .preSharedKey(PreSharedKeyProposal(psk: $0)) })
        let pskSecret = try pskSecret(
            preSharedKeys,
            store: psks,
            ownGroupID: nil,
            ownResumptionSecrets: [],
            provider: provider
        )
        // createUpdatePath replaces the encryption key and source, and signs the leaf for its position.
        let ownLeaf = try tree.add(leafNode)
        let created = try tree.createUpdatePath(
            from: ownLeaf,
            signaturePrivateKey: signaturePrivateKey,
            groupID: groupContext.groupID,
            groupContext: { treeHash in
                GroupContext(
                    cipherSuite: groupContext.cipherSuite,
                    groupID: groupContext.groupID,
                    epoch: groupContext.epoch + 1,
                    treeHash: treeHash,
                    confirmedTranscriptHash: groupContext.confirmedTranscriptHash,
                    extensions: groupContext.extensions
                )
            },
            using: &generator
        )
        let content = FramedContent(
            groupID: groupContext.groupID,
            epoch: groupContext.epoch,
            sender: .newMemberCommit,
            authenticatedData: authenticatedData,
            body: .commit(Commit(proposals: proposals.map { .proposal($0) }, path: created.updatePath))
        )
        let signature = try FramedContentTBS(wireFormat: .publicMessage, content: content, context: groupContext)
            .sign(privateKey: signaturePrivateKey, provider: provider)
        let interimBefore = TranscriptHashes.interimTranscriptHash(
            confirmed: groupContext.confirmedTranscriptHash,
            confirmationTag: groupInfo.confirmationTag,
            provider: provider
        )
        var newContext = created.groupContext
        newContext.confirmedTranscriptHash = try TranscriptHashes.confirmedTranscriptHash(
            interimBefore: interimBefore,
            wireFormat: .publicMessage,
            content: content,
            signature: signature,
            provider: provider
        )
        var keySchedule = try KeySchedule(
            initSecret: initSecret,
            commitSecret: created.commitSecret,
            pskSecret: pskSecret,
            groupContext: newContext.encoded(),
            provider: provider
        )
        keySchedule.dropJoinerSecrets()
        let tag = keySchedule.epochSecrets.confirmationTag(confirmedTranscriptHash: newContext.confirmedTranscriptHash)
        let message = try PublicMessage(
            content: content,
            auth: FramedContentAuthData(signature: signature, confirmationTag: tag),
            membershipTag: nil
        )
        var epochSecrets = keySchedule.epochSecrets
        let secretTree = try epochSecrets.makeSecretTree(treeSize: tree.size, limits: configuration.ratchetLimits)
        let group = MLSGroup(
            provider: provider,
            configuration: configuration,
            context: newContext,
            tree: tree,
            isActive: true,
            pendingReInit: nil,
            privateTree: created.privateState,
            epochSecrets: epochSecrets,
            secretTree: secretTree,
            interimTranscriptHash: TranscriptHashes.interimTranscriptHash(
                confirmed: newContext.confirmedTranscriptHash,
                confirmationTag: tag,
                provider: provider
            ),
            signaturePrivateKey: signaturePrivateKey,
            proposalCache: ProposalCache(),
            pastEpochs: [],
            resumptionSecrets: [ResumptionSecret(epoch: newContext.epoch, secret: epochSecrets.resumptionPSK)],
            pendingCommit: nil,
            pendingUpdateKeys: [:]
        )
        return ExternalJoin(commit: MLSMessage(.publicMessage(message)), group: group)
    }

    /// A proposal from the external sender at `senderIndex` of the group's `external_senders` extension (§12.1.8.1),
    /// such as a server asking for a member's removal: a PublicMessage signed with `signaturePrivateKey`, for the
    /// epoch `groupID`/`epoch`.
    public static func externalProposal(
        _ proposal: Proposal,
        groupID: [UInt8],
        epoch: UInt64,
        senderIndex: UInt32,
        signaturePrivateKey: SignaturePrivateKey,
        authenticatedData: [UInt8] = [],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> MLSMessage {
        try signedExternally(
            proposal,
            sender: .external(senderIndex: senderIndex),
            groupID: groupID,
            epoch: epoch,
            signaturePrivateKey: signaturePrivateKey,
            authenticatedData: authenticatedData,
            provider: provider
        )
    }

    /// A new member's request to be added (§12.1.8, `new_member_proposal`): an Add of `keyPackage` for the epoch
    /// `groupID`/`epoch`, signed with the KeyPackage's signature key, as a PublicMessage that a member may commit.
    public static func newMemberAddProposal(
        keyPackage: KeyPackage,
        groupID: [UInt8],
        epoch: UInt64,
        signaturePrivateKey: SignaturePrivateKey,
        authenticatedData: [UInt8] = [],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> MLSMessage {
        try signedExternally(
            .add(AddProposal(keyPackage: keyPackage)),
            sender: .newMemberProposal,
            groupID: groupID,
            epoch: epoch,
            signaturePrivateKey: signaturePrivateKey,
            authenticatedData: authenticatedData,
            provider: provider
        )
    }

    /// `proposal` from a sender outside the group's tree, signed without the group context (§6.1) and sent as a
    /// PublicMessage without a membership tag (§6.2).
    private static func signedExternally(
        _ proposal: Proposal,
        sender: Sender,
        groupID: [UInt8],
        epoch: UInt64,
        signaturePrivateKey: SignaturePrivateKey,
        authenticatedData: [UInt8],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> MLSMessage {
        let content = FramedContent(
            groupID: groupID,
            epoch: epoch,
            sender: sender,
            authenticatedData: authenticatedData,
            body: .proposal(proposal)
        )
        let signature = try FramedContentTBS(wireFormat: .publicMessage, content: content, context: nil)
            .sign(privateKey: signaturePrivateKey, provider: provider)
        let message = try PublicMessage(
            content: content,
            auth: FramedContentAuthData(signature: signature, confirmationTag: nil),
            membershipTag: nil
        )
        return MLSMessage(.publicMessage(message))
    }

    // MARK: - Application messages

    /// `data` as a PrivateMessage of the current epoch under this member's application ratchet (§6.3).
    public mutating func encrypt(
        _ data: [UInt8],
        authenticatedData: [UInt8] = [],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> MLSMessage {
        try requireActive()
        let content = FramedContent(
            groupID: groupID,
            epoch: epoch,
            sender: .member(ownLeaf),
            authenticatedData: authenticatedData,
            body: .application(data)
        )
        let authenticated = try AuthenticatedContent.signed(
            wireFormat: .privateMessage,
            content: content,
            context: context,
            privateKey: signaturePrivateKey,
            provider: provider
        )
        return try protectPrivately(authenticated, using: &generator)
    }
}
