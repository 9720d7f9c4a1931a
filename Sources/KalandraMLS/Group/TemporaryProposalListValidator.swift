// TEMPORARY until the validation module lands: same API, no rules.
struct ProposalWithSender: Sendable {
    let proposal: Proposal
    let sender: Sender
    let byReference: Bool
}

enum ProposalListValidator {
    static func validate(
        _ proposals: [ProposalWithSender],
        committer: Sender,
        tree: RatchetTreeState,
        groupContext: GroupContext,
        isExternalCommit: Bool,
        provider: any CipherSuiteProvider,
        nowSeconds: UInt64?
    ) throws(MLSError) {}
}
