import KalandraCore
import KalandraCrypto
import KalandraMLS

extension SenderKeyEpoch {
    /// The state of `group`'s current epoch for `roomID`: the base secret from the group's exporter, the members'
    /// signature keys from its tree. The group's suite must sign with Ed25519 (suites 1 and 3).
    public init(group: MLSGroup, roomID: RoomID, limits: SenderKeyLimits = .default) throws(DataPlaneError) {
        let baseSecret = try SenderKeySchedule.baseSecret(of: group, roomID: roomID)
        var members: [LeafIndex: VerifyingKey] = [:]
        for leaf in group.memberLeaves {
            guard let leafNode = group.tree.leafNode(at: leaf),
                let key = try? VerifyingKey(bytes: leafNode.signatureKey.bytes)
            else { throw .invalidMemberKey(leaf: leaf.rawValue) }
            members[leaf] = key
        }
        self.init(
            baseSecret: baseSecret,
            roomID: roomID,
            epoch: Epoch(group.epoch),
            ownLeaf: group.ownLeaf,
            members: members,
            limits: limits
        )
    }

    /// The frame signing key of a member whose MLS signature private key is `privateKey`: for Ed25519 both are the
    /// same 32-byte RFC 8032 seed, so frames and MLS messages are signed by the key in the member's leaf.
    public static func signingKey(for privateKey: SignaturePrivateKey) throws(DataPlaneError) -> SigningKey {
        do {
            return try SigningKey(seed: privateKey.secret)
        } catch {
            throw .mls("the MLS signature key is not an Ed25519 seed: \(error)")
        }
    }
}
