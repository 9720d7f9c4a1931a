/// Proposal list validation (RFC 9420 §12.2, with the per-proposal rules of §12.1 and the external commit rules of
/// §12.4.3.2): whether a commit may cover these proposals. Pure: it reads the tree and the group context and changes
/// nothing, so the committer (before sending) and every receiver (before applying) run the same checks.
public enum ProposalListValidator {
    /// The proposal types an `external` sender may send (§12.1.8).
    static let externalSenderTypes: Set<ProposalType> = [
        .add, .remove, .preSharedKey, .reInit, .groupContextExtensions,
    ]
    /// The proposal types an external commit may cover (§12.2).
    static let externalCommitTypes: Set<ProposalType> = [.externalInit, .remove, .preSharedKey]

    /// Throws the kind of the first rule `proposals` break as the list of a commit by `committer`, on the group of
    /// `tree` and `groupContext` in the current epoch, in this order:
    /// 1. the committer is a member (regular commit) or `new_member_commit` (external commit);
    /// 2. an external commit has only proposals by value, exactly one ExternalInit, at most one Remove and otherwise
    ///    only PreSharedKeys; a regular commit has no ExternalInit;
    /// 3. proposals by value are the committer's; by reference, an `external` sender's are Add, Remove, PSK, ReInit
    ///    or GroupContextExtensions, a `new_member_proposal` sender's are Adds;
    /// 4. a ReInit is alone, and there is at most one GroupContextExtensions;
    /// 5. Updates are by reference and not the committer's; Removes name a non-blank leaf other than the
    ///    committer's; no leaf has two Updates, two Removes, or an Update and a Remove;
    /// 6. PSKs have `KDF.Nh`-byte nonces, resumption usage `reinit` or `branch` only in the first commit (epoch 0:
    ///    the one that starts a reinitialised group or a branch), and are pairwise distinct; a ReInit's version is
    ///    not below `mls10`;
    /// 7. each Add's KeyPackage is valid (§10.1) and each Update's leaf node passes its own §7.3 rules;
    /// 8. on the tree after the Updates, Removes and Adds: no Add shares a key with a member who stays or with
    ///    another Add; non-default proposal types are supported by the members who process the commit; a
    ///    GroupContextExtensions' extensions and required capabilities are supported by every member; every new
    ///    leaf node passes the §7.3 rules about other members.
    ///
    /// When the list holds a GroupContextExtensions, its extensions are the ones new leaf nodes must support (§12.3).
    /// Which old leaf an external commit's Remove names cannot be judged here; only the count is limited. `provider`
    /// is the group's cipher suite; `nowSeconds` is Unix time from the caller (nil skips KeyPackage lifetimes).
    public static func validate(
        _ proposals: [ProposalWithSender],
        committer: Sender,
        tree: RatchetTreeState,
        groupContext: GroupContext,
        isExternalCommit: Bool,
        provider: any CipherSuiteProvider,
        nowSeconds: UInt64?
    ) throws(MLSError) {
        _ = try validatedTree(
            proposals,
            committer: committer,
            tree: tree,
            groupContext: groupContext,
            isExternalCommit: isExternalCommit,
            provider: provider,
            nowSeconds: nowSeconds
        )
    }

    /// `validate`, returning the tree after the list's Updates, Removes and Adds (§12.3) with where each new leaf
    /// node landed: the tree the group engine applies the commit to.
    static func validatedTree(
        _ proposals: [ProposalWithSender],
        committer: Sender,
        tree: RatchetTreeState,
        groupContext: GroupContext,
        isExternalCommit: Bool,
        provider: any CipherSuiteProvider,
        nowSeconds: UInt64?
    ) throws(MLSError) -> ProposalListCheck.ProvisionalTree {
        precondition(provider.cipherSuite == groupContext.cipherSuite, "the provider must be the group's suite")
        let check = ProposalListCheck(
            proposals: proposals,
            committer: committer,
            tree: tree,
            groupContext: groupContext,
            isExternalCommit: isExternalCommit,
            provider: provider,
            nowSeconds: nowSeconds
        )
        return try check.run()
    }

    /// Throws `proposalTypeUnsupportedByMember` unless `proposalType` is a default type (§7.2) or every member of
    /// `tree` other than `excludedLeaves` lists it in its capabilities (§12.2: members added or removed by the commit
    /// need not support it). The seven RFC 9420 types are all default, so this matters once `Proposal` gains others.
    public static func validateSupport(
        of proposalType: ProposalType,
        in tree: RatchetTreeState,
        excluding excludedLeaves: Set<LeafIndex>
    ) throws(MLSError) {
        guard !proposalType.isDefaultProposalType else { return }
        for leaf in tree.nonBlankLeaves where !excludedLeaves.contains(leaf) {
            guard let member = tree.leafNode(at: leaf), member.capabilities.proposals.contains(proposalType) else {
                throw MLSError(
                    .proposalTypeUnsupportedByMember,
                    context: "\(leaf) does not list proposal type \(proposalType.rawValue)"
                )
            }
        }
    }
}
