/// The rules a received UpdatePath can break (RFC 9420 §12.4.2, §7.3), as named kinds in the style of
/// `MLSError+Framing.swift`: each is an `invalidValue` with a fixed message that callers match by name; the error's
/// context says where.
extension MLSError.Kind {
    /// The UpdatePath's leaf node has another source than `commit` (§12.4.2).
    public static let updatePathLeafSourceNotCommit = MLSError.Kind.invalidValue(
        "UpdatePath leaf node source is not commit"
    )
    /// The UpdatePath's leaf node keeps the committer's current encryption key (§12.4.2).
    public static let updatePathLeafKeyUnchanged = MLSError.Kind.invalidValue(
        "UpdatePath leaf encryption key equals the committer's current leaf encryption key (§12.4.2)"
    )
    /// A key of the UpdatePath is already in the tree or occurs twice in the path (§7.3, §12.4.2).
    public static let updatePathDuplicateEncryptionKey = MLSError.Kind.invalidValue(
        "an UpdatePath encryption key is already in the tree or occurs twice in the path (§7.3, §12.4.2)"
    )
    /// The UpdatePath's leaf node breaks a capability rule of leaf node validation; the context names it (§7.3).
    public static let updatePathLeafNodeInvalid = MLSError.Kind.invalidValue(
        "UpdatePath leaf node breaks leaf node validation (§7.3)"
    )
}
