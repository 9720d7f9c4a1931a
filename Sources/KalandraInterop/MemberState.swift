import KalandraMLS

/// One member's group and what the interop interface keeps beside it.
struct MemberState: Sendable {
    /// The group, in this member's view.
    var group: MLSGroup
    /// The member's credential and signature key, for the leaves of a branch or a successor group.
    let signer: Signer
    /// External PSKs given by `StorePSK`, and resumption PSKs of the group this one resumes.
    var psks: PreSharedKeyStore
    /// The proposals this member sent in `sentEpoch`, encoded. The runner hands a member its own proposals back in
    /// the lists of `Commit` and `HandleCommit`; the group holds them already, and a member cannot decrypt its own
    /// PrivateMessage, so they are recognised and skipped.
    private var sentProposals: Set<[UInt8]> = []
    private var sentEpoch: UInt64

    init(group: MLSGroup, signer: Signer, psks: PreSharedKeyStore) {
        self.group = group
        self.signer = signer
        self.psks = psks
        sentEpoch = group.epoch
    }

    /// Remembers `message` as this member's proposal of the current epoch and returns its encoding.
    mutating func noteSent(_ message: MLSMessage) -> [UInt8] {
        if sentEpoch != group.epoch {
            sentProposals.removeAll()
            sentEpoch = group.epoch
        }
        let encoded = message.encoded()
        sentProposals.insert(encoded)
        return encoded
    }

    /// Whether `encoded` is a proposal this member sent in the current epoch.
    func sent(_ encoded: [UInt8]) -> Bool {
        sentEpoch == group.epoch && sentProposals.contains(encoded)
    }

    /// Processes the proposals a commit covers by reference, skipping this member's own.
    mutating func receiveProposals(_ proposals: [[UInt8]]) throws {
        for (index, encoded) in proposals.enumerated() where !sent(encoded) {
            let message = try MLSMessage.decode(encoded)
            guard case .proposal = try group.process(message, psks: psks).content else {
                throw InteropError.invalidRequest("proposal \(index) is not a proposal message")
            }
        }
    }

    /// The leaf of the member whose basic credential has `identity` (how the runner names members).
    func leaf(ofIdentity identity: [UInt8]) throws -> LeafIndex {
        try Self.leaf(ofIdentity: identity, in: group.tree)
    }

    /// The leaf in `tree` of the member whose basic credential has `identity`.
    static func leaf(ofIdentity identity: [UInt8], in tree: RatchetTreeState) throws -> LeafIndex {
        let leaf = tree.nonBlankLeaves.first { leaf in
            guard case .basic(let memberIdentity) = tree.leafNode(at: leaf)?.credential else { return false }
            return memberIdentity == identity
        }
        guard let leaf else {
            throw InteropError.invalidRequest("no member has the identity \(String(decoding: identity, as: UTF8.self))")
        }
        return leaf
    }
}

/// A KeyPackage whose owner waits for a Welcome, with the PSKs stored for the group it will join.
struct PendingJoin: Sendable {
    let secrets: KeyPackageSecrets
    var psks: PreSharedKeyStore
}

/// A member whose group a ReInit commit closed (§11.2): the closed group (for its resumption PSK), the KeyPackage
/// it handed out for the successor, and its PSKs.
struct PendingReInit: Sendable {
    let group: MLSGroup
    let secrets: KeyPackageSecrets
    let psks: PreSharedKeyStore
}
