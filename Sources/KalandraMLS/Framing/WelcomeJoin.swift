/// What a new member learns from a Welcome it has opened (RFC 9420 §12.4.3.1): its group secrets, the verified
/// GroupInfo, and the key schedule of the epoch it joins, whose confirmation tag matched.
public struct WelcomeJoin: Sendable {
    /// The decrypted `GroupSecrets` (joiner secret, optional path secret, PSK IDs).
    public let groupSecrets: GroupSecrets
    /// The decrypted GroupInfo, whose signature and confirmation tag verified.
    public let groupInfo: GroupInfo
    /// The key schedule of the joined epoch, from the joiner secret, the PSK secret and the GroupInfo's context;
    /// its joiner and welcome secrets are already dropped. Mutable so that the joiner can build the secret tree
    /// (`EpochSecrets.makeSecretTree`), which takes over the encryption secret.
    public var keySchedule: KeySchedule
}
