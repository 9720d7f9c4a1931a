import KalandraCrypto

/// One member's state of an MLS group (RFC 9420 §8–§14): the group context, the public ratchet tree, the member's
/// private keys, the epoch's secrets and secret tree, the transcript, proposals received in the epoch, and a bounded
/// window of past epochs for late application messages.
///
/// A value type without I/O: time and randomness are arguments, so a run replays from its inputs. Every operation
/// either completes or leaves the state as it was. Processing a commit yields a `StagedCommit` that the application
/// inspects and merges; a commit this member makes stays pending until the application confirms that the
/// delivery service ordered it first (`confirmPendingCommit`), or drops it when another commit won
/// (`discardPendingCommit`, or merging the winner).
public struct MLSGroup: Sendable {
    /// The algorithms of the group's cipher suite.
    public let provider: any CipherSuiteProvider
    /// This member's local settings.
    public let configuration: GroupConfiguration
    /// The group context of the current epoch (§8.1).
    public internal(set) var context: GroupContext
    /// The public ratchet tree of the current epoch.
    public internal(set) var tree: RatchetTreeState
    /// Whether this member can still send and receive: false once it was removed, or after a ReInit commit.
    public internal(set) var isActive: Bool
    /// The ReInit proposal the last commit carried, if any: the group is then closed and the application creates
    /// its successor (§11.2).
    public internal(set) var pendingReInit: ReInitProposal?

    /// This member's private keys for the tree.
    var privateTree: TreeKEMPrivateState
    /// The current epoch's secrets (its encryption secret handed over to `secretTree`).
    var epochSecrets: EpochSecrets
    /// The current epoch's secret tree (§9).
    var secretTree: SecretTree
    /// `interim_transcript_hash` of the current epoch (§8.2).
    var interimTranscriptHash: [UInt8]
    /// This member's signature key.
    let signaturePrivateKey: SignaturePrivateKey
    /// Proposals received or sent in the current epoch, for commits that refer to them.
    var proposalCache: ProposalCache
    /// Past epochs, oldest first, at most `configuration.pastEpochCount`.
    var pastEpochs: [PastEpoch]
    /// `resumption_psk` of recent epochs, oldest first (§8.6), for branch, reinit and application resumption PSKs.
    var resumptionSecrets: [ResumptionSecret]
    /// This member's commit that awaits the delivery service's verdict.
    var pendingCommit: PendingCommit?
    /// Private keys of this member's Update proposals, by public key, until a commit covers one (§12.1.2).
    var pendingUpdateKeys: [HPKEPublicKey: HPKEPrivateKey]
    /// The resumption PSK usage the next commit may carry: set only while a branch or reinitialised group makes
    /// its initial commit (§11.2, §11.3); every other commit refuses `branch` and `reinit` PSKs (§12.2).
    var resumptionUsageAllowed: ResumptionPSKUsage? = nil

    /// This member's leaf.
    public var ownLeaf: LeafIndex { privateTree.leaf }
    /// The current epoch.
    public var epoch: UInt64 { context.epoch }
    /// The group ID.
    public var groupID: [UInt8] { context.groupID }
    /// The cipher suite.
    public var cipherSuite: CipherSuite { context.cipherSuite }
    /// `epoch_authenticator` of the current epoch (§8.7): equal at every member who is in the same epoch.
    public var epochAuthenticator: SecretBytes { epochSecrets.epochAuthenticator }
    /// Whether a commit of this member awaits confirmation.
    public var hasPendingCommit: Bool { pendingCommit != nil }
    /// The leaves that hold members, in order.
    public var memberLeaves: [LeafIndex] { tree.nonBlankLeaves }
    /// The number of members.
    public var memberCount: Int { tree.nonBlankLeaves.count }

    /// `MLS-Exporter(label, context, length)` of the current epoch (§8.5).
    public func exporter(label: String, context exporterContext: [UInt8], length: Int) throws(MLSError) -> SecretBytes {
        try epochSecrets.exporter(label: label, context: exporterContext, length: length)
    }

    /// The credential of the member at `leaf`, or nil when the leaf is blank.
    public func credential(at leaf: LeafIndex) -> Credential? { tree.leafNode(at: leaf)?.credential }

    /// Throws `groupInactive` once this member left the group.
    func requireActive() throws(MLSError) {
        guard isActive else { throw MLSError(.groupInactive) }
    }
}

/// A past epoch kept for application messages that arrive after the next commit (§14).
struct PastEpoch: Sendable {
    let context: GroupContext
    /// The tree of the epoch, for the senders' signature keys.
    let tree: RatchetTreeState
    var secretTree: SecretTree
    let senderDataSecret: SecretBytes
}

/// `resumption_psk` of one epoch (§8.6).
struct ResumptionSecret: Sendable {
    let epoch: UInt64
    let secret: SecretBytes
}

/// A proposal held for commits of the current epoch (§12.4).
public struct CachedProposal: Sendable, Equatable {
    /// `ProposalRef` of the message that carried it (§5.2).
    public let reference: ProposalRef
    /// The proposal.
    public let proposal: Proposal
    /// Who proposed it.
    public let sender: Sender
}

/// The proposals of one epoch in arrival order, addressable by reference.
struct ProposalCache: Sendable {
    private(set) var ordered: [CachedProposal] = []
    private var positions: [ProposalRef: Int] = [:]

    var count: Int { ordered.count }

    subscript(reference: ProposalRef) -> CachedProposal? {
        positions[reference].map { ordered[$0] }
    }

    /// Adds `proposal` unless one with its reference is held already (a retransmission).
    mutating func insert(_ proposal: CachedProposal) {
        guard positions[proposal.reference] == nil else { return }
        positions[proposal.reference] = ordered.count
        ordered.append(proposal)
    }

    mutating func removeAll() {
        ordered.removeAll()
        positions.removeAll()
    }
}

/// A commit this member made, with the state it leads to once the delivery service accepts it.
struct PendingCommit: Sendable {
    /// The commit as sent; the delivery service echoes it back, and this identifies it.
    let message: MLSMessage
    /// The state of the next epoch, boxed because a group cannot contain a group.
    let next: GroupBox
}

/// An immutable reference to a group state, so that a state can hold the state it leads to.
final class GroupBox: Sendable {
    let group: MLSGroup
    init(_ group: MLSGroup) { self.group = group }
}

// MARK: - Creating a group

extension MLSGroup {
    /// A one-member group (§11): epoch 0, a tree holding this member's `leafNode` (source `key_package`, signed),
    /// an empty confirmed transcript hash, a random epoch secret and the interim transcript hash from the epoch's
    /// confirmation tag. `leafPrivateKey` is the private key of `leafNode`'s encryption key.
    public static func create(
        groupID: [UInt8],
        leafNode: LeafNode,
        leafPrivateKey: HPKEPrivateKey,
        signaturePrivateKey: SignaturePrivateKey,
        extensions: [Extension] = [],
        provider: any CipherSuiteProvider,
        configuration: GroupConfiguration = .default,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> MLSGroup {
        guard try provider.hpkePublicKey(for: leafPrivateKey) == leafNode.encryptionKey else {
            throw MLSError(.invalidKey("the leaf private key does not match the leaf node's encryption key"))
        }
        guard try provider.signaturePublicKey(for: signaturePrivateKey) == leafNode.signatureKey else {
            throw MLSError(.invalidKey("the signature private key does not match the leaf node's signature key"))
        }
        try leafNode.verifySignature(groupID: groupID, leafIndex: LeafIndex(rawValue: 0)!, provider: provider)
        let tree = RatchetTreeState(founder: leafNode, provider: provider)
        let context = GroupContext(
            cipherSuite: provider.cipherSuite,
            groupID: groupID,
            epoch: 0,
            treeHash: tree.treeHash,
            confirmedTranscriptHash: [],
            extensions: extensions
        )
        var epochSecrets = try EpochSecrets(
            epochSecret: SecretBytes(randomCount: provider.kdfLength, using: &generator),
            provider: provider
        )
        let tag = epochSecrets.confirmationTag(confirmedTranscriptHash: [])
        let secretTree = try epochSecrets.makeSecretTree(treeSize: tree.size, limits: configuration.ratchetLimits)
        return MLSGroup(
            provider: provider,
            configuration: configuration,
            context: context,
            tree: tree,
            isActive: true,
            pendingReInit: nil,
            privateTree: TreeKEMPrivateState(leaf: LeafIndex(rawValue: 0)!, leafPrivateKey: leafPrivateKey),
            epochSecrets: epochSecrets,
            secretTree: secretTree,
            interimTranscriptHash: TranscriptHashes.interimTranscriptHash(
                confirmed: [],
                confirmationTag: tag,
                provider: provider
            ),
            signaturePrivateKey: signaturePrivateKey,
            proposalCache: ProposalCache(),
            pastEpochs: [],
            resumptionSecrets: [ResumptionSecret(epoch: 0, secret: epochSecrets.resumptionPSK)],
            pendingCommit: nil,
            pendingUpdateKeys: [:]
        )
    }

    /// This state moved into the epoch that `keySchedule` derives, with `context`, `tree`, `privateTree` and the
    /// transcript: the current epoch becomes a past epoch (kept within the window), proposals are cleared.
    func entering(
        context newContext: GroupContext,
        tree newTree: RatchetTreeState,
        privateTree newPrivateTree: TreeKEMPrivateState,
        keySchedule: KeySchedule,
        interimTranscriptHash newInterim: [UInt8]
    ) throws(MLSError) -> MLSGroup {
        var next = self
        var secrets = keySchedule.epochSecrets
        next.secretTree = try secrets.makeSecretTree(treeSize: newTree.size, limits: configuration.ratchetLimits)
        next.epochSecrets = secrets
        // The setting is a public var: bound it here too, so no setting can make the window unbounded.
        let keptEpochs = min(configuration.pastEpochCount, GroupConfiguration.maximumPastEpochCount)
        if keptEpochs > 0 {
            next.pastEpochs.append(
                PastEpoch(
                    context: context,
                    tree: tree,
                    secretTree: secretTree,
                    senderDataSecret: epochSecrets.senderDataSecret
                )
            )
            next.pastEpochs.removeFirst(max(0, next.pastEpochs.count - keptEpochs))
        }
        next.resumptionSecrets.append(ResumptionSecret(epoch: newContext.epoch, secret: secrets.resumptionPSK))
        next.resumptionSecrets.removeFirst(max(0, next.resumptionSecrets.count - (keptEpochs + 1)))
        next.context = newContext
        next.tree = newTree
        next.privateTree = newPrivateTree
        next.interimTranscriptHash = newInterim
        next.proposalCache.removeAll()
        next.pendingCommit = nil
        next.pendingUpdateKeys = [:]
        return next
    }
}
