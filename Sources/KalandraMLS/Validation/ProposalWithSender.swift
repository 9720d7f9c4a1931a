/// A proposal a commit covers, with who proposed it and how the commit carries it (RFC 9420 §12.4): the proposal
/// list rules depend on both (§12.2, §12.1.8). A proposal by reference has already been resolved by the caller.
public struct ProposalWithSender: Sendable, Equatable {
    /// The proposal.
    public var proposal: Proposal
    /// Who proposed it: for a proposal by value, the committer; for one by reference, the sender of the message
    /// that carried it.
    public var sender: Sender
    /// Whether the commit names the proposal by reference rather than carrying it by value.
    public var byReference: Bool

    /// A proposal from `sender`, carried by reference or by value.
    public init(proposal: Proposal, sender: Sender, byReference: Bool) {
        self.proposal = proposal
        self.sender = sender
        self.byReference = byReference
    }
}
