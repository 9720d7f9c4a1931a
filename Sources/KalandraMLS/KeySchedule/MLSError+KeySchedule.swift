/// The ways using an epoch's key schedule can fail (RFC 9420 §8, §9), as named kinds in the style of
/// `MLSError+Framing.swift`: each is an `invalidValue` with a fixed message that callers match by name.
extension MLSError.Kind {
    /// The epoch's secret tree was already built: it took over `encryption_secret`, which is not kept (§9.2).
    public static let encryptionSecretAlreadyUsed = MLSError.Kind.invalidValue(
        "the epoch's secret tree was already built from its encryption_secret, which is not kept (§9.2)"
    )
}
