/// One run of proposal list validation (RFC 9420 §12.2): the inputs, and one method per group of rules, run in the
/// order `ProposalListValidator.validate` documents. This file holds the rules that need no provisional tree.
struct ProposalListCheck {
    let proposals: [ProposalWithSender]
    let committer: Sender
    let tree: RatchetTreeState
    let groupContext: GroupContext
    let isExternalCommit: Bool
    let provider: any CipherSuiteProvider
    let nowSeconds: UInt64?

    /// Runs every rule; throws the first broken.
    /// Runs every rule and returns the provisional tree the last rules were judged on, which is the tree the
    /// commit's Updates, Removes and Adds produce (§12.3), so that applying the list need not build it again.
    func run() throws(MLSError) -> ProvisionalTree {
        let committerLeaf = try checkCommitter()
        if isExternalCommit {
            try checkExternalCommitShape()
        } else if let index = indices(of: .externalInit).first {
            throw MLSError(.externalInitInRegularCommit, context: "proposal \(index)")
        }
        try checkSenders()
        try checkSingletons()
        try checkUpdatesAndRemoves(committerLeaf: committerLeaf)
        try checkPreSharedKeys()
        try checkReInits()
        let extensions = try effectiveExtensions()
        try checkOwnRules(extensions: extensions)
        let provisional = try provisionalTree()
        try checkAgainstProvisionalTree(provisional, extensions: extensions)
        return provisional
    }

    /// The committer's leaf for a regular commit (it must be a member), nil for an external commit (its sender
    /// must be `new_member_commit`, §12.4.3.2).
    func checkCommitter() throws(MLSError) -> LeafIndex? {
        switch (committer, isExternalCommit) {
        case (.newMemberCommit, true):
            return nil
        case (.member(let leaf), false) where tree.leafNode(at: leaf) != nil:
            return leaf
        default:
            throw MLSError(.commitSenderInvalid, context: "\(committer), external commit: \(isExternalCommit)")
        }
    }

    /// §12.2 for external commits: all by value (§12.4.3.2), only ExternalInit, Remove and PreSharedKey, exactly one
    /// ExternalInit, at most one Remove.
    func checkExternalCommitShape() throws(MLSError) {
        if let index = proposals.firstIndex(where: \.byReference) {
            throw MLSError(.externalCommitProposalByReference, context: "proposal \(index)")
        }
        if let index = proposals.firstIndex(where: {
            !ProposalListValidator.externalCommitTypes.contains($0.proposal.proposalType)
        }) {
            throw MLSError(
                .externalCommitProposalTypeNotAllowed,
                context: "proposal \(index) has type \(proposals[index].proposal.proposalType.rawValue)"
            )
        }
        let externalInits = indices(of: .externalInit)
        guard externalInits.count == 1 else {
            throw MLSError(.externalCommitExternalInitCount, context: "\(externalInits.count) ExternalInit proposals")
        }
        let removes = indices(of: .remove)
        guard removes.count <= 1 else {
            throw MLSError(.externalCommitMultipleRemoves, context: "proposals \(removes)")
        }
    }

    /// By value means the committer's own (§12.4); by reference, the sender type limits the proposal type (§6,
    /// §12.1.8).
    func checkSenders() throws(MLSError) {
        for (index, item) in proposals.enumerated() {
            let type = item.proposal.proposalType
            guard item.byReference else {
                guard item.sender == committer else {
                    throw MLSError(.proposalByValueNotFromCommitter, context: "proposal \(index) from \(item.sender)")
                }
                continue
            }
            switch item.sender {
            case .member:
                continue
            case .external where !ProposalListValidator.externalSenderTypes.contains(type):
                throw MLSError(
                    .externalSenderProposalTypeNotAllowed,
                    context: "proposal \(index) has type \(type.rawValue)"
                )
            case .external:
                continue
            case .newMemberProposal where type != .add:
                throw MLSError(.newMemberProposalNotAdd, context: "proposal \(index) has type \(type.rawValue)")
            case .newMemberProposal:
                continue
            case .newMemberCommit:
                throw MLSError(.proposalSenderTypeInvalid, context: "proposal \(index)")
            }
        }
    }

    /// A ReInit stands alone; at most one GroupContextExtensions (§12.2).
    func checkSingletons() throws(MLSError) {
        if let index = indices(of: .reInit).first, proposals.count > 1 {
            throw MLSError(.reInitNotAlone, context: "proposal \(index) among \(proposals.count)")
        }
        let extensionProposals = indices(of: .groupContextExtensions)
        guard extensionProposals.count <= 1 else {
            throw MLSError(.multipleGroupContextExtensions, context: "proposals \(extensionProposals)")
        }
    }

    /// Updates by reference and not the committer's; Removes of non-blank leaves other than the committer's; at
    /// most one Update or Remove per leaf (§12.1.3, §12.2, §12.4).
    func checkUpdatesAndRemoves(committerLeaf: LeafIndex?) throws(MLSError) {
        var updates: [LeafIndex: Int] = [:]
        var removes: [LeafIndex: Int] = [:]
        for (index, item) in proposals.enumerated() {
            switch item.proposal {
            case .update:
                guard item.byReference else { throw MLSError(.updateByValue, context: "proposal \(index)") }
                // Senders were checked: an Update by reference is a member's.
                guard case .member(let leaf) = item.sender else { continue }
                guard leaf != committerLeaf else { throw MLSError(.updateFromCommitter, context: "proposal \(index)") }
                if let earlier = updates.updateValue(index, forKey: leaf) {
                    throw MLSError(.multipleUpdatesOfSameLeaf, context: "proposals \(earlier) and \(index), \(leaf)")
                }
            case .remove(let remove):
                guard let leaf = remove.removedLeaf, tree.leafNode(at: leaf) != nil else {
                    throw MLSError(.removeOfBlankLeaf, context: "proposal \(index) removes \(remove.removed)")
                }
                guard leaf != committerLeaf else { throw MLSError(.removeOfCommitter, context: "proposal \(index)") }
                if let earlier = removes.updateValue(index, forKey: leaf) {
                    throw MLSError(.multipleRemovesOfSameLeaf, context: "proposals \(earlier) and \(index), \(leaf)")
                }
            default:
                continue
            }
        }
        for (leaf, update) in updates.sorted(by: { $0.value < $1.value }) {
            if let remove = removes[leaf] {
                throw MLSError(.updateAndRemoveOfSameLeaf, context: "proposals \(update) and \(remove), \(leaf)")
            }
        }
    }

    /// PSK nonces of `KDF.Nh` bytes; resumption usage `reinit` or `branch` only in the first commit of a group
    /// (epoch 0), which is the commit that starts a reinitialised group or a branch (§11.2, §11.3, §12.1.4); no PSK
    /// twice (§12.2). Two proposals name the same PSK when their IDs match without the nonce: a fresh nonce does not make
    /// injecting the same key twice meaningful (mls-rs compares the same way).
    func checkPreSharedKeys() throws(MLSError) {
        var seen: [[UInt8]: Int] = [:]
        for (index, item) in proposals.enumerated() {
            guard case .preSharedKey(let proposal) = item.proposal else { continue }
            guard proposal.psk.nonce.count == provider.kdfLength else {
                throw MLSError(
                    .preSharedKeyNonceLengthInvalid,
                    context: "proposal \(index): \(proposal.psk.nonce.count) bytes, not \(provider.kdfLength)"
                )
            }
            if case .resumption(let usage, _, _) = proposal.psk.key, usage != .application, groupContext.epoch != 0 {
                throw MLSError(.preSharedKeyUsageNotAllowed, context: "proposal \(index): usage \(usage.rawValue)")
            }
            let key = PreSharedKeyID(key: proposal.psk.key, nonce: []).encoded()
            if let earlier = seen.updateValue(index, forKey: key) {
                throw MLSError(.duplicatePreSharedKey, context: "proposals \(earlier) and \(index)")
            }
        }
    }

    /// A ReInit may not lower the version (§12.1.5); the group's is `mls10`.
    func checkReInits() throws(MLSError) {
        for (index, item) in proposals.enumerated() {
            guard case .reInit(let reInit) = item.proposal else { continue }
            guard reInit.version.rawValue >= GroupContext.version.rawValue else {
                throw MLSError(.reInitVersionDowngrade, context: "proposal \(index): \(reInit.version)")
            }
        }
    }

    /// The group context extensions in force for the rest of the list (§12.3): a GroupContextExtensions proposal's
    /// (which must not repeat a type, and whose `required_capabilities` must decode), else the current ones.
    func effectiveExtensions() throws(MLSError) -> [Extension] {
        for (index, item) in proposals.enumerated() {
            guard case .groupContextExtensions(let proposal) = item.proposal else { continue }
            if let repeated = proposal.extensions.firstRepeatedType {
                throw MLSError(
                    .duplicateExtensionType,
                    context: "proposal \(index), extension type \(repeated.rawValue)"
                )
            }
            do {
                _ = try RequiredCapabilities.find(in: proposal.extensions)
            } catch {
                throw MLSError(error.kind, context: "proposal \(index): \(error.context)")
            }
            return proposal.extensions
        }
        return groupContext.extensions
    }

    /// Each Add's KeyPackage is valid (§10.1, §12.1.1) and each Update's leaf node passes the §7.3 rules that need no
    /// other member (§12.1.2).
    func checkOwnRules(extensions: [Extension]) throws(MLSError) {
        var context = groupContext
        context.extensions = extensions
        for (index, item) in proposals.enumerated() {
            do {
                switch item.proposal {
                case .add(let add):
                    try add.keyPackage.validate(provider: provider, nowSeconds: nowSeconds)
                case .update(let update):
                    guard case .member(let leaf) = item.sender else { continue }
                    try tree.validateOwnRules(
                        of: update.leafNode,
                        as: .update(leaf),
                        groupContext: context,
                        nowSeconds: nowSeconds
                    )
                default:
                    continue
                }
            } catch {
                throw MLSError(error.kind, context: "proposal \(index): \(error.context)")
            }
        }
    }

    /// The indices of the proposals of `type`, in order.
    func indices(of type: ProposalType) -> [Int] {
        proposals.indices.filter { proposals[$0].proposal.proposalType == type }
    }
}
