/// Errors of the group engine (RFC 9420 §12–§13), each naming the rule broken.
extension MLSError.Kind {
    /// The member was removed from the group, or the group was reinitialised: it can no longer send or receive.
    public static let groupInactive = MLSError.Kind.invalidValue("the group is no longer active for this member")
    /// A message's sender is not a member: a blank leaf or a leaf outside the tree (§6.2, §12.4.2).
    public static let senderNotMember = MLSError.Kind.invalidValue("the sender is not a member of the group")
    /// A commit refers to a proposal this member did not receive in the epoch (§12.4.2).
    public static let unknownProposalReference = MLSError.Kind.invalidValue(
        "the commit refers to a proposal that was not received in this epoch (§12.4.2)"
    )
    /// A commit omits the path although a proposal it covers requires one, or it covers no proposal (§12.4).
    public static let commitPathRequired = MLSError.Kind.invalidValue(
        "the commit has no path but it is empty or covers a proposal that requires one (§12.4)"
    )
    /// A member processed a commit it sent itself; its own commit is merged through `confirmPendingCommit`.
    public static let ownCommitReceived = MLSError.Kind.invalidValue(
        "this member's own commit: confirm the pending commit instead of processing it"
    )
    /// A commit is signed by a sender type that may not commit (§12.4.2: only members and new members).
    public static let senderCannotCommit = MLSError.Kind.invalidValue(
        "this sender type may not send a commit (§12.4.2)"
    )
    /// A message's sender type cannot send its content type (§6: external and new-member proposal senders send
    /// proposals only; application data comes from members only).
    public static let senderContentMismatch = MLSError.Kind.invalidValue(
        "the sender type cannot send this content type (§6)"
    )
    /// An external sender index names no entry of the `external_senders` extension (§12.1.8.1).
    public static let unknownExternalSender = MLSError.Kind.invalidValue(
        "external sender index not in the group's external_senders extension (§12.1.8.1)"
    )
    /// A PreSharedKey proposal names a PSK this member does not have (§8.4).
    public static let pskNotFound = MLSError.Kind.invalidValue("a PSK named by the commit or Welcome is unknown (§8.4)")
    /// The Welcome or GroupInfo did not carry the ratchet tree and none was given out of band (§12.4.3.1).
    public static let ratchetTreeMissing = MLSError.Kind.invalidValue(
        "no ratchet tree: the Welcome has no ratchet_tree extension and none was given (§12.4.3.1)"
    )
    /// The joiner's KeyPackage leaf node is not in the tree the Welcome describes (§12.4.3.1).
    public static let joinerLeafNotInTree = MLSError.Kind.invalidValue(
        "the new member's leaf node is not in the tree (§12.4.3.1)"
    )
    /// The private keys a joiner derived do not match the tree's public keys (§12.4.3.1).
    public static let pathSecretMismatch = MLSError.Kind.invalidValue(
        "the path secret does not produce the public keys of the tree (§12.4.3.1)"
    )
    /// There is no pending commit to confirm, or a second commit was started while one is pending.
    public static let pendingCommitState = MLSError.Kind.invalidValue("no pending commit, or one is already pending")
    /// An application message is for an epoch older than the kept window (§14), or for a future epoch.
    public static let epochNotAvailable = MLSError.Kind.invalidValue(
        "the message's epoch is not the current one nor within the kept past epochs"
    )
    /// A member received a handshake message from a past epoch; only application messages may be late (§14).
    public static let staleHandshake = MLSError.Kind.invalidValue("a proposal or commit for a past epoch")
    /// The group holds the most pending proposals its configuration allows.
    public static let tooManyPendingProposals = MLSError.Kind.invalidValue("too many proposals pending in this epoch")
    /// The GroupInfo has no `external_pub` extension, so an external commit cannot be made (§12.4.3.2).
    public static let externalPubMissing = MLSError.Kind.invalidValue(
        "the GroupInfo has no external_pub extension (§12.4.3.2)"
    )
    /// A saved group state is of an unknown format version or is damaged.
    public static let groupStateInvalid = MLSError.Kind.invalidValue("the saved group state cannot be loaded")
}
