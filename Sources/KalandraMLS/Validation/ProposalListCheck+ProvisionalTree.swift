/// The proposal list rules judged on the tree after the commit's Updates, Removes and Adds (RFC 9420 §12.2, §12.3):
/// "a client already in the group" and "all members" mean the members after the commit.
extension ProposalListCheck {
    /// The tree after the list's Updates, Removes and Adds, applied in the order of §12.3, with where each changed
    /// leaf node landed.
    struct ProvisionalTree {
        /// The tree after the changes.
        var tree: RatchetTreeState
        /// The leaf of each Update's and Add's leaf node, by proposal index, in proposal order.
        var newLeaves: [(proposal: Int, leaf: LeafIndex, leafNode: LeafNode)] = []
        /// The leaves the Adds took.
        var addedLeaves: Set<LeafIndex> = []
    }

    /// Checks `provisional`, the tree after the list's changes, in order: Adds are new clients, non-default proposal
    /// types are supported, a GroupContextExtensions is supported by every member, and every new leaf node passes
    /// the §7.3 rules about other members under `extensions`.
    func checkAgainstProvisionalTree(_ provisional: ProvisionalTree, extensions: [Extension]) throws(MLSError) {
        // Only Adds, Updates and GroupContextExtensions bring leaf nodes or requirements to check against the
        // members; without them (an empty commit, Removes, PSKs) the O(members) pass below would find nothing.
        guard
            proposals.contains(where: {
                [.add, .update, .groupContextExtensions].contains($0.proposal.proposalType)
            })
        else { return }
        try checkAddsAreNewClients(provisional)
        for type in Set(proposals.map(\.proposal.proposalType)).sorted(by: { $0.rawValue < $1.rawValue }) {
            try ProposalListValidator.validateSupport(
                of: type,
                in: provisional.tree,
                excluding: provisional.addedLeaves
            )
        }
        try checkGroupContextExtensionsSupported(provisional.tree)
        let required = try RequiredCapabilities.find(in: extensions)
        let summary = TreeMemberSummary(provisional.tree)
        for entry in provisional.newLeaves {
            try summary.validate(
                entry.leafNode,
                at: entry.leaf,
                requiredCapabilities: required,
                groupExtensions: extensions,
                name: "proposal \(entry.proposal), \(entry.leaf)"
            )
        }
    }

    /// The tree after the Updates, then the Removes, then the Adds in list order (§12.3). The earlier checks made
    /// every Update and Remove name a distinct non-blank leaf.
    func provisionalTree() throws(MLSError) -> ProvisionalTree {
        var provisional = ProvisionalTree(tree: tree)
        for (index, item) in proposals.enumerated() {
            guard case .update(let update) = item.proposal, case .member(let leaf) = item.sender else { continue }
            try provisional.tree.update(leaf, with: update.leafNode)
            provisional.newLeaves.append((index, leaf, update.leafNode))
        }
        for item in proposals {
            guard case .remove(let remove) = item.proposal, let leaf = remove.removedLeaf else { continue }
            try provisional.tree.remove(leaf)
        }
        var adds: [(index: Int, leafNode: LeafNode)] = []
        for (index, item) in proposals.enumerated() {
            if case .add(let add) = item.proposal { adds.append((index, add.keyPackage.leafNode)) }
        }
        let leaves = try provisional.tree.add(adds.map(\.leafNode))
        for (add, leaf) in zip(adds, leaves) {
            provisional.newLeaves.append((add.index, leaf, add.leafNode))
            provisional.addedLeaves.insert(leaf)
        }
        provisional.newLeaves.sort { $0.proposal < $1.proposal }
        return provisional
    }

    /// No Add shares a signature or encryption key with another Add, or with a member who stays in the group (not
    /// removed; an updated member by its new leaf node) (§12.2, which leaves "same client" to the application:
    /// identical keys are the test every application shares).
    func checkAddsAreNewClients(_ provisional: ProvisionalTree) throws(MLSError) {
        var memberSignatureKeys: [SignaturePublicKey: LeafIndex] = [:]
        var memberEncryptionKeys: [HPKEPublicKey: LeafIndex] = [:]
        for leaf in provisional.tree.nonBlankLeaves where !provisional.addedLeaves.contains(leaf) {
            guard let member = provisional.tree.leafNode(at: leaf) else { continue }
            memberSignatureKeys[member.signatureKey] = leaf
            memberEncryptionKeys[member.encryptionKey] = leaf
        }
        var addSignatureKeys: [SignaturePublicKey: Int] = [:]
        var addEncryptionKeys: [HPKEPublicKey: Int] = [:]
        for entry in provisional.newLeaves where provisional.addedLeaves.contains(entry.leaf) {
            let leafNode = entry.leafNode
            if let member = memberSignatureKeys[leafNode.signatureKey] ?? memberEncryptionKeys[leafNode.encryptionKey] {
                throw MLSError(.addOfExistingClient, context: "proposal \(entry.proposal) has a key of \(member)")
            }
            let earlier =
                addSignatureKeys.updateValue(entry.proposal, forKey: leafNode.signatureKey)
                ?? addEncryptionKeys.updateValue(entry.proposal, forKey: leafNode.encryptionKey)
            if let earlier {
                throw MLSError(.addsOfSameClient, context: "proposals \(earlier) and \(entry.proposal)")
            }
        }
    }

    /// A GroupContextExtensions' non-default extensions and `required_capabilities` are supported by every member
    /// after the commit, those it adds included and those it removes not (§11.1, §12.1.7, §13.4).
    func checkGroupContextExtensionsSupported(_ provisionalTree: RatchetTreeState) throws(MLSError) {
        for (index, item) in proposals.enumerated() {
            guard case .groupContextExtensions(let proposal) = item.proposal else { continue }
            let required = try RequiredCapabilities.find(in: proposal.extensions)
            let types = proposal.extensions.map(\.extensionType).filter { !$0.isDefaultExtensionType }
            for leaf in provisionalTree.nonBlankLeaves {
                guard let member = provisionalTree.leafNode(at: leaf) else { continue }
                if let missing = types.first(where: { !member.capabilities.extensions.contains($0) }) {
                    throw MLSError(
                        .groupContextExtensionUnsupportedByMember,
                        context: "proposal \(index): \(leaf) does not list extension type \(missing.rawValue)"
                    )
                }
                if let unmet = required?.firstUnmet(by: member.capabilities) {
                    throw MLSError(
                        .groupContextRequiredCapabilitiesUnmet,
                        context: "proposal \(index): \(leaf) lacks \(unmet)"
                    )
                }
            }
        }
    }
}
