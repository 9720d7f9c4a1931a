/// One entry of messages.json: 17 serialised RFC 9420 structs (snake_case JSON keys, hex values).
public struct MessagesVectorEntry: Decodable, Sendable {
    /// `MLSMessage` holding a Welcome.
    @HexBytes public var mlsWelcome: [UInt8]
    /// `MLSMessage` holding a GroupInfo.
    @HexBytes public var mlsGroupInfo: [UInt8]
    /// `MLSMessage` holding a KeyPackage.
    @HexBytes public var mlsKeyPackage: [UInt8]
    /// `ratchet_tree` extension data.
    @HexBytes public var ratchetTree: [UInt8]
    /// `GroupSecrets`.
    @HexBytes public var groupSecrets: [UInt8]
    /// `Add`.
    @HexBytes public var addProposal: [UInt8]
    /// `Update`.
    @HexBytes public var updateProposal: [UInt8]
    /// `Remove`.
    @HexBytes public var removeProposal: [UInt8]
    /// `PreSharedKey`.
    @HexBytes public var preSharedKeyProposal: [UInt8]
    /// `ReInit`.
    @HexBytes public var reInitProposal: [UInt8]
    /// `ExternalInit`.
    @HexBytes public var externalInitProposal: [UInt8]
    /// `GroupContextExtensions`.
    @HexBytes public var groupContextExtensionsProposal: [UInt8]
    /// `Commit`.
    @HexBytes public var commit: [UInt8]
    /// `MLSMessage` holding a PublicMessage of application content.
    @HexBytes public var publicMessageApplication: [UInt8]
    /// `MLSMessage` holding a PublicMessage of a proposal.
    @HexBytes public var publicMessageProposal: [UInt8]
    /// `MLSMessage` holding a PublicMessage of a commit.
    @HexBytes public var publicMessageCommit: [UInt8]
    /// `MLSMessage` holding a PrivateMessage.
    @HexBytes public var privateMessage: [UInt8]
}
