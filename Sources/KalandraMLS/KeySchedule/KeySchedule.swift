import KalandraCrypto

/// The key schedule of one epoch (RFC 9420 §8): `joiner_secret`, `welcome_secret`, and the epoch's derived secrets,
/// from the previous epoch's `init_secret` (a member processing a Commit) or from a `joiner_secret` (a new member
/// processing a Welcome, §12.4.3.1). The intermediate `epoch_secret` and the member secret
/// `KDF.Extract(joiner_secret, psk_secret)` are consumed here and not kept (§9.2); `joiner_secret` and
/// `welcome_secret` are kept only until the Welcome is made or opened (`dropJoinerSecrets`).
public struct KeySchedule: Sendable {
    /// `joiner_secret = ExpandWithLabel(KDF.Extract(init_secret, commit_secret), "joiner", GroupContext, KDF.Nh)`:
    /// what a committer sends new members in GroupSecrets. Nil after `dropJoinerSecrets`.
    public private(set) var joinerSecret: SecretBytes?
    /// `welcome_secret = DeriveSecret(KDF.Extract(joiner_secret, psk_secret), "welcome")`: the source of the key
    /// that encrypts the Welcome's GroupInfo. Nil after `dropJoinerSecrets`.
    public private(set) var welcomeSecret: SecretBytes?
    /// The secrets derived from `epoch_secret` (Table 4), including the next `init_secret`; mutable so that
    /// `EpochSecrets.makeSecretTree` can hand the encryption secret over to the secret tree.
    public var epochSecrets: EpochSecrets

    /// The schedule of the epoch a Commit creates (§8), as existing members run it: from the previous epoch's
    /// `init_secret`, the Commit's `commit_secret` (`KDF.Nh` zero bytes when it has no path), the `psk_secret` (§8.4;
    /// `zeroSecret` without PSKs) and the new epoch's serialised GroupContext. Every secret is `KDF.Nh` bytes.
    public init(
        initSecret: SecretBytes,
        commitSecret: SecretBytes,
        pskSecret: SecretBytes,
        groupContext: [UInt8],
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        try provider.checkSecretLength(initSecret, "init_secret")
        try provider.checkSecretLength(commitSecret, "commit_secret")
        let extracted = provider.extract(salt: initSecret, inputKeyMaterial: commitSecret)
        let joinerSecret = try provider.expandWithLabel(
            secret: extracted,
            label: "joiner",
            context: groupContext,
            length: provider.kdfLength
        )
        try self.init(joinerSecret: joinerSecret, pskSecret: pskSecret, groupContext: groupContext, provider: provider)
    }

    /// The schedule of an epoch a new member joins through a Welcome (§8, §12.4.3.1): from the GroupSecrets'
    /// `joiner_secret`, the `psk_secret` of its PSKs and the GroupInfo's serialised GroupContext.
    public init(
        joinerSecret: SecretBytes,
        pskSecret: SecretBytes,
        groupContext: [UInt8],
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        let memberSecret = try Self.memberSecret(joinerSecret: joinerSecret, pskSecret: pskSecret, provider: provider)
        let epochSecret = try provider.expandWithLabel(
            secret: memberSecret,
            label: "epoch",
            context: groupContext,
            length: provider.kdfLength
        )
        self.joinerSecret = joinerSecret
        self.welcomeSecret = try provider.deriveSecret(secret: memberSecret, label: "welcome")
        self.epochSecrets = try EpochSecrets(epochSecret: epochSecret, provider: provider)
    }

    /// Releases `joinerSecret` and `welcomeSecret` (§9.2): call it once the Welcome is made (committer) or opened
    /// (new member); nothing of the epoch needs them afterwards.
    public mutating func dropJoinerSecrets() {
        joinerSecret = nil
        welcomeSecret = nil
    }

    /// `welcome_secret` alone (§8), which a new member needs to decrypt the GroupInfo before it knows the
    /// GroupContext that the rest of the schedule takes.
    public static func welcomeSecret(
        joinerSecret: SecretBytes,
        pskSecret: SecretBytes,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> SecretBytes {
        let memberSecret = try memberSecret(joinerSecret: joinerSecret, pskSecret: pskSecret, provider: provider)
        return try provider.deriveSecret(secret: memberSecret, label: "welcome")
    }

    /// `welcome_key = ExpandWithLabel(welcome_secret, "key", "", AEAD.Nk)` and `welcome_nonce =
    /// ExpandWithLabel(welcome_secret, "nonce", "", AEAD.Nn)` (§12.4.3.1), which protect the Welcome's GroupInfo.
    public static func welcomeKeyAndNonce(
        welcomeSecret: SecretBytes,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> (key: SecretBytes, nonce: SecretBytes) {
        try provider.checkSecretLength(welcomeSecret, "welcome_secret")
        let key = try provider.expandWithLabel(
            secret: welcomeSecret,
            label: "key",
            context: [],
            length: provider.aeadKeyLength
        )
        let nonce = try provider.expandWithLabel(
            secret: welcomeSecret,
            label: "nonce",
            context: [],
            length: provider.aeadNonceLength
        )
        return (key, nonce)
    }

    /// The all-zero `KDF.Nh`-byte string that stands for a missing `commit_secret` or `psk_secret` (§8, §8.4).
    public static func zeroSecret(provider: any CipherSuiteProvider) -> SecretBytes {
        SecretBytes(copying: [UInt8](repeating: 0, count: provider.kdfLength))
    }

    /// `KDF.Extract(joiner_secret, psk_secret)`, the secret between `joiner_secret` and `epoch_secret` in §8's
    /// diagram.
    private static func memberSecret(
        joinerSecret: SecretBytes,
        pskSecret: SecretBytes,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> SecretBytes {
        try provider.checkSecretLength(joinerSecret, "joiner_secret")
        try provider.checkSecretLength(pskSecret, "psk_secret")
        return provider.extract(salt: joinerSecret, inputKeyMaterial: pskSecret)
    }
}
