/// The ways message protection, transcript hashing and joining can fail (RFC 9420 §6, §8.2, §12.4.3), as named
/// kinds. `MLSError.Kind` has no dedicated cases for them yet, so each is an `invalidValue` with a fixed message;
/// callers match them by these names, which stay source-compatible if dedicated cases replace them.
extension MLSError.Kind {
    /// A message names another group than the one it was processed in (§6.2, §6.3).
    public static let wrongGroup = MLSError.Kind.invalidValue("message is for another group")
    /// A message names another epoch than the group's current one (§6.2, §6.3).
    public static let wrongEpoch = MLSError.Kind.invalidValue("message is for another epoch")
    /// A PublicMessage's membership tag does not verify with the epoch's `membership_key` (§6.2).
    public static let membershipTagInvalid = MLSError.Kind.invalidValue("membership tag does not verify")
    /// A confirmation tag does not match `MAC(confirmation_key, confirmed_transcript_hash)` (§6.1, §12.4.3).
    public static let confirmationTagInvalid = MLSError.Kind.invalidValue("confirmation tag does not verify")
    /// Application data was offered or received as a PublicMessage, which §6.2 forbids.
    public static let applicationInPublicMessage = MLSError.Kind.invalidValue(
        "application data must not be sent as a PublicMessage"
    )
    /// A PrivateMessage's sender data names a leaf outside the group's tree (§6.3.2).
    public static let senderOutsideTree = MLSError.Kind.invalidValue("sender data names a leaf outside the tree")
    /// A Welcome holds no `EncryptedGroupSecrets` for our KeyPackage (§12.4.3.1).
    public static let keyPackageNotInWelcome = MLSError.Kind.invalidValue("welcome has no secrets for this key package")
    /// Cipher suites of a Welcome, its KeyPackage, its GroupInfo and the provider differ (§12.4.3.1).
    public static let cipherSuiteMismatch = MLSError.Kind.invalidValue("cipher suites do not match")
}
