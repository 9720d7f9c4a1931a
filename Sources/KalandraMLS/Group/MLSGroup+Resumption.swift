import KalandraCrypto

/// A group that resumes another (RFC 9420 §11.2, §11.3): the new group's first epoch and the Welcome for the members
/// it adds.
public struct ResumedGroup: Sendable {
    /// The new group, in epoch 1.
    public let group: MLSGroup
    /// The Welcome for the other members.
    public let welcome: Welcome
}

extension MLSGroup {
    /// Branches a subgroup (§11.3): a new group `newGroupID` with this group's suite, `extensions` (this group's
    /// when nil), this member (with `leafNode`, a fresh leaf whose private key is `leafPrivateKey`) and the owners of
    /// `keyPackages`, linked to the current epoch by a `resumption` PSK of usage `branch` with a random `KDF.Nh`-byte
    /// nonce. `forcePath` gives the initial commit a path.
    public func branch(
        newGroupID: [UInt8],
        extensions: [Extension]? = nil,
        leafNode: LeafNode,
        leafPrivateKey: HPKEPrivateKey,
        keyPackages: [KeyPackage],
        forcePath: Bool = false,
        configuration: GroupConfiguration? = nil,
        nowSeconds: UInt64? = nil,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> ResumedGroup {
        try resume(
            usage: .branch,
            groupID: newGroupID,
            cipherSuite: cipherSuite,
            extensions: extensions ?? context.extensions,
            leafNode: leafNode,
            leafPrivateKey: leafPrivateKey,
            keyPackages: keyPackages,
            forcePath: forcePath,
            configuration: configuration ?? self.configuration,
            nowSeconds: nowSeconds,
            using: &generator
        )
    }

    /// Creates the successor of a group closed by a ReInit commit (§11.2): the group the ReInit describes (its
    /// group ID, suite and extensions), with this member and the owners of `keyPackages`, linked to this epoch by a
    /// `resumption` PSK of usage `reinit`; `forcePath` gives the initial commit a path. Throws unless a ReInit
    /// commit was merged.
    public func reinitialize(
        leafNode: LeafNode,
        leafPrivateKey: HPKEPrivateKey,
        keyPackages: [KeyPackage],
        forcePath: Bool = false,
        configuration: GroupConfiguration? = nil,
        nowSeconds: UInt64? = nil,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> ResumedGroup {
        guard let reInit = pendingReInit else {
            throw MLSError(.invalidValue("no ReInit commit was merged"), context: "§11.2")
        }
        return try resume(
            usage: .reInit,
            groupID: reInit.groupID,
            cipherSuite: reInit.cipherSuite,
            extensions: reInit.extensions,
            leafNode: leafNode,
            leafPrivateKey: leafPrivateKey,
            keyPackages: keyPackages,
            forcePath: forcePath,
            configuration: configuration ?? self.configuration,
            nowSeconds: nowSeconds,
            using: &generator
        )
    }

    /// The initial commit of a resumed group: create it, then commit the Adds and the resumption PSK (§11.2, §11.3).
    private func resume(
        usage: ResumptionPSKUsage,
        groupID newGroupID: [UInt8],
        cipherSuite newSuite: CipherSuite,
        extensions: [Extension],
        leafNode: LeafNode,
        leafPrivateKey: HPKEPrivateKey,
        keyPackages: [KeyPackage],
        forcePath: Bool,
        configuration: GroupConfiguration,
        nowSeconds: UInt64?,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> ResumedGroup {
        let newProvider = try newSuite.provider()
        var group = try MLSGroup.create(
            groupID: newGroupID,
            leafNode: leafNode,
            leafPrivateKey: leafPrivateKey,
            signaturePrivateKey: signaturePrivateKey,
            extensions: extensions,
            provider: newProvider,
            configuration: configuration,
            using: &generator
        )
        group.resumptionUsageAllowed = usage
        let psk = PreSharedKeyID(
            key: .resumption(usage: usage, groupID: groupID, epoch: epoch),
            nonce: SecretBytes(randomCount: newProvider.kdfLength, using: &generator).withUnsafeBytes { Array($0) }
        )
        let output = try group.commit(
            CommitOptions(
                proposals: keyPackages.map { .add(AddProposal(keyPackage: $0)) }
                    + [.preSharedKey(PreSharedKeyProposal(psk: psk))],
                forcePath: forcePath
            ),
            psks: PreSharedKeyStore(resumption: resumptionPSKs),
            nowSeconds: nowSeconds,
            using: &generator
        )
        try group.confirmPendingCommit()
        group.resumptionUsageAllowed = nil
        guard let welcome = output.welcome else {
            throw MLSError(.invalidValue("a resumed group needs at least one other member"), context: "§11")
        }
        return ResumedGroup(group: group, welcome: welcome)
    }
}
