/// The rules of KeyPackage, leaf node and proposal list validation (RFC 9420 §7.3, §10.1, §12.1, §12.2), as named
/// kinds in the style of `MLSError+Framing.swift`: each is an `invalidValue` with a fixed message naming the rule and
/// its section, which callers match by name; the error's context says where (which proposal, which leaf).
extension MLSError.Kind {
    // MARK: KeyPackages (§10, §10.1)

    /// The KeyPackage's version is not `mls10` (§10.1).
    public static let keyPackageVersionUnsupported = MLSError.Kind.invalidValue(
        "KeyPackage version is not mls10 (§10.1)"
    )
    /// The KeyPackage's cipher suite is not the group's (§10.1).
    public static let keyPackageCipherSuiteMismatch = MLSError.Kind.invalidValue(
        "KeyPackage cipher suite is not the group's (§10.1)"
    )
    /// The KeyPackage's signature does not verify with its leaf node's `signature_key` (§10, §10.1).
    public static let keyPackageSignatureInvalid = MLSError.Kind.invalidValue(
        "KeyPackage signature does not verify with its leaf node's signature key (§10.1)"
    )
    /// The KeyPackage's `init_key` equals its leaf node's `encryption_key` (§10.1).
    public static let keyPackageInitKeyEqualsEncryptionKey = MLSError.Kind.invalidValue(
        "KeyPackage init_key equals its leaf node's encryption_key (§10.1)"
    )
    /// A non-default extension of the KeyPackage is not listed in its leaf node's capabilities (§10).
    public static let keyPackageExtensionNotInCapabilities = MLSError.Kind.invalidValue(
        "a KeyPackage extension is not listed in its leaf node's capabilities (§10)"
    )
    /// The current time is outside the lifetime of a KeyPackage's leaf node (§7.3).
    public static let keyPackageExpired = MLSError.Kind.invalidValue(
        "the current time is outside the KeyPackage leaf node's lifetime (§7.3)"
    )
    /// The private key offered for signing a KeyPackage does not match its leaf node's `signature_key` (§10).
    public static let keyPackageSigningKeyMismatch = MLSError.Kind.invalidValue(
        "the signing key does not match the leaf node's signature_key (§10)"
    )

    // MARK: Leaf nodes (§7.2, §7.3)

    /// The leaf node's source is not the one its message requires: `key_package` in a KeyPackage, `update` in an
    /// Update, `commit` in an UpdatePath (§7.3).
    public static let leafNodeSourceMismatch = MLSError.Kind.invalidValue(
        "leaf node source is not the one its message requires (§7.3)"
    )
    /// The leaf node's signature does not verify with its `signature_key` (§7.3).
    public static let leafNodeSignatureInvalid = MLSError.Kind.invalidValue(
        "leaf node signature does not verify (§7.3)"
    )
    /// A non-default extension of the leaf node is not listed in its capabilities (§7.2, §7.3).
    public static let leafNodeExtensionNotInCapabilities = MLSError.Kind.invalidValue(
        "a leaf node extension is not listed in its capabilities (§7.2)"
    )
    /// The leaf node's credential type is not listed in its capabilities (§7.2).
    public static let leafNodeCredentialNotInCapabilities = MLSError.Kind.invalidValue(
        "leaf node credential type is not listed in its capabilities (§7.2)"
    )
    /// The leaf node's capabilities do not list the cipher suite it is used with (§7.2, §11.1).
    public static let leafNodeCipherSuiteNotInCapabilities = MLSError.Kind.invalidValue(
        "leaf node capabilities do not list the cipher suite in use (§7.2, §11.1)"
    )
    /// The leaf node's capabilities do not list `mls10` (§7.2, §11.1).
    public static let leafNodeVersionNotInCapabilities = MLSError.Kind.invalidValue(
        "leaf node capabilities do not list the protocol version in use (§7.2, §11.1)"
    )
    /// The leaf node's capabilities lack something the group's `required_capabilities` requires (§7.3, §11.1).
    public static let leafNodeLacksRequiredCapabilities = MLSError.Kind.invalidValue(
        "leaf node capabilities lack a capability the group requires (§7.3, §11.1)"
    )
    /// The leaf node's capabilities do not list a non-default extension of the group context (§13.4).
    public static let leafNodeLacksGroupExtension = MLSError.Kind.invalidValue(
        "leaf node capabilities do not list an extension of the group context (§13.4)"
    )
    /// Another member's capabilities do not list the leaf node's credential type (§7.3).
    public static let leafNodeCredentialUnsupportedByMember = MLSError.Kind.invalidValue(
        "a member does not support the leaf node's credential type (§7.3)"
    )
    /// The leaf node's capabilities do not list a credential type another member uses (§7.3).
    public static let leafNodeLacksMemberCredentialType = MLSError.Kind.invalidValue(
        "leaf node capabilities do not list a credential type a member uses (§7.3)"
    )
    /// The leaf node's `encryption_key` is already the key of another node of the tree (§7.3).
    public static let leafNodeEncryptionKeyInUse = MLSError.Kind.invalidValue(
        "leaf node encryption_key is already in the tree (§7.3)"
    )
    /// The leaf node's `signature_key` is already the key of another member (§7.3).
    public static let leafNodeSignatureKeyInUse = MLSError.Kind.invalidValue(
        "leaf node signature_key is already in the tree (§7.3)"
    )
    /// An Update's or UpdatePath's leaf node keeps the `encryption_key` of the leaf it replaces (§7.3, §12.4.2).
    public static let leafNodeEncryptionKeyUnchanged = MLSError.Kind.invalidValue(
        "leaf node encryption_key equals the one of the leaf it replaces (§7.3, §12.4.2)"
    )
    /// The leaf an Update replaces is blank or outside the tree (§12.1.2).
    public static let leafNodeReplacesBlankLeaf = MLSError.Kind.invalidValue(
        "the leaf an Update replaces is blank or outside the tree (§12.1.2)"
    )
    /// A list of extensions holds two extensions of one type (§13.4).
    public static let duplicateExtensionType = MLSError.Kind.invalidValue(
        "a list of extensions holds two extensions of one type (§13.4)"
    )
    /// The `required_capabilities` extension's data does not decode as `RequiredCapabilities` (§11.1).
    public static let requiredCapabilitiesMalformed = MLSError.Kind.invalidValue(
        "the required_capabilities extension does not decode (§11.1)"
    )

    // MARK: Proposal lists (§12.1, §12.2, §12.4)

    /// The committer is not a member of the tree (regular commit) or not `new_member_commit` (external commit)
    /// (§12.4, §12.4.3.2).
    public static let commitSenderInvalid = MLSError.Kind.invalidValue(
        "the committer is not a member (regular commit) or not new_member_commit (external commit) (§12.4)"
    )
    /// A proposal committed by value names a sender other than the committer (§12.4).
    public static let proposalByValueNotFromCommitter = MLSError.Kind.invalidValue(
        "a proposal by value is not from the committer (§12.4)"
    )
    /// A proposal committed by reference has sender type `new_member_commit`, which only commits carry (§6).
    public static let proposalSenderTypeInvalid = MLSError.Kind.invalidValue(
        "a proposal by reference has sender type new_member_commit (§6)"
    )
    /// An `external` sender's proposal is not Add, Remove, PreSharedKey, ReInit or GroupContextExtensions
    /// (§12.1.8).
    public static let externalSenderProposalTypeNotAllowed = MLSError.Kind.invalidValue(
        "an external sender's proposal is of a type external senders may not send (§12.1.8)"
    )
    /// A `new_member_proposal` sender's proposal is not an Add (§12.1.8).
    public static let newMemberProposalNotAdd = MLSError.Kind.invalidValue(
        "a new_member_proposal sender's proposal is not an Add (§12.1.8)"
    )
    /// An Update is committed by value: only the committer's own proposals go by value, and the committer's
    /// Updates are invalid (§12.2, §12.4).
    public static let updateByValue = MLSError.Kind.invalidValue(
        "an Update is committed by value, so it is the committer's own (§12.2, §12.4)"
    )
    /// The list holds an Update from the committer (§12.2).
    public static let updateFromCommitter = MLSError.Kind.invalidValue("an Update is from the committer (§12.2)")
    /// The list holds a Remove of the committer (§12.2).
    public static let removeOfCommitter = MLSError.Kind.invalidValue("a Remove removes the committer (§12.2)")
    /// A Remove names a blank leaf or one outside the tree (§12.1.3).
    public static let removeOfBlankLeaf = MLSError.Kind.invalidValue(
        "a Remove does not name a non-blank leaf (§12.1.3)"
    )
    /// The list holds an Update and a Remove for the same leaf (§12.2).
    public static let updateAndRemoveOfSameLeaf = MLSError.Kind.invalidValue(
        "an Update and a Remove apply to the same leaf (§12.2)"
    )
    /// The list holds two Updates for the same leaf (§12.2).
    public static let multipleUpdatesOfSameLeaf = MLSError.Kind.invalidValue(
        "two Updates apply to the same leaf (§12.2)"
    )
    /// The list holds two Removes for the same leaf (§12.2).
    public static let multipleRemovesOfSameLeaf = MLSError.Kind.invalidValue(
        "two Removes apply to the same leaf (§12.2)"
    )
    /// An Add's signature or encryption key is the key of a member who stays in the group (§12.2).
    public static let addOfExistingClient = MLSError.Kind.invalidValue(
        "an Add's signature or encryption key belongs to a member who is not removed (§12.2)"
    )
    /// Two Adds share a signature or encryption key (§12.2).
    public static let addsOfSameClient = MLSError.Kind.invalidValue(
        "two Adds share a signature or encryption key (§12.2)"
    )
    /// Two PreSharedKey proposals name the same PSK (§12.2).
    public static let duplicatePreSharedKey = MLSError.Kind.invalidValue(
        "two PreSharedKey proposals name the same PSK (§12.2)"
    )
    /// A PreSharedKey proposal's `psk_nonce` is not `KDF.Nh` bytes long (§12.1.4).
    public static let preSharedKeyNonceLengthInvalid = MLSError.Kind.invalidValue(
        "a PreSharedKey proposal's psk_nonce is not KDF.Nh bytes long (§12.1.4)"
    )
    /// A PreSharedKey proposal names a resumption PSK with usage `reinit` or `branch` after a group's first commit:
    /// only the commit that starts a reinitialised group or a branch may (§11.2, §11.3, §12.1.4).
    public static let preSharedKeyUsageNotAllowed = MLSError.Kind.invalidValue(
        "a PreSharedKey proposal names a reinit or branch resumption PSK outside a group's first commit (§12.1.4)"
    )
    /// The list holds more than one GroupContextExtensions proposal (§12.2).
    public static let multipleGroupContextExtensions = MLSError.Kind.invalidValue(
        "more than one GroupContextExtensions proposal (§12.2)"
    )
    /// The list holds a ReInit together with another proposal (§12.2).
    public static let reInitNotAlone = MLSError.Kind.invalidValue(
        "a ReInit is committed together with another proposal (§12.2)"
    )
    /// A ReInit names a version below the group's (§12.1.5).
    public static let reInitVersionDowngrade = MLSError.Kind.invalidValue(
        "a ReInit names a version below the group's (§12.1.5)"
    )
    /// A regular commit holds an ExternalInit (§12.2).
    public static let externalInitInRegularCommit = MLSError.Kind.invalidValue(
        "a regular commit holds an ExternalInit (§12.2)"
    )
    /// A proposal of a non-default type is not supported by a member who processes the commit (§12.2).
    public static let proposalTypeUnsupportedByMember = MLSError.Kind.invalidValue(
        "a member does not support a non-default proposal type of the commit (§12.2)"
    )
    /// A GroupContextExtensions proposal sets a non-default extension a member does not support (§12.1.7, §13.4).
    public static let groupContextExtensionUnsupportedByMember = MLSError.Kind.invalidValue(
        "a member does not support an extension of a GroupContextExtensions proposal (§12.1.7, §13.4)"
    )
    /// A GroupContextExtensions proposal requires capabilities a member lacks (§11.1, §12.1.7).
    public static let groupContextRequiredCapabilitiesUnmet = MLSError.Kind.invalidValue(
        "a member lacks a capability a GroupContextExtensions proposal requires (§11.1, §12.1.7)"
    )
    /// An external commit holds a proposal by reference (§12.4.3.2).
    public static let externalCommitProposalByReference = MLSError.Kind.invalidValue(
        "an external commit holds a proposal by reference (§12.4.3.2)"
    )
    /// An external commit does not hold exactly one ExternalInit (§12.2).
    public static let externalCommitExternalInitCount = MLSError.Kind.invalidValue(
        "an external commit does not hold exactly one ExternalInit (§12.2)"
    )
    /// An external commit holds more than one Remove (§12.2).
    public static let externalCommitMultipleRemoves = MLSError.Kind.invalidValue(
        "an external commit holds more than one Remove (§12.2)"
    )
    /// An external commit holds a proposal other than ExternalInit, Remove and PreSharedKey (§12.2).
    public static let externalCommitProposalTypeNotAllowed = MLSError.Kind.invalidValue(
        "an external commit holds a proposal other than ExternalInit, Remove and PreSharedKey (§12.2)"
    )
}
