import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraWire

/// Members of one room with sender keys from a base secret fed directly (no MLS), for the pure tests.
struct PureRoom {
    static let roomID = RoomID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)
    static let epoch = Epoch(5)
    let baseSecret = SecretBytes(copying: Array(0..<32) as [UInt8])
    let signingKeys: [SigningKey]
    var generator = DeterministicGenerator(seed: 42)

    init(memberCount: Int = 3) {
        var generator = DeterministicGenerator(seed: 7)
        signingKeys = (0..<memberCount).map { _ in SigningKey.generate(using: &generator) }
    }

    var members: [LeafIndex: VerifyingKey] {
        var members: [LeafIndex: VerifyingKey] = [:]
        for (index, key) in signingKeys.enumerated() { members[leaf(index)] = key.verifyingKey }
        return members
    }

    func state(of member: Int, limits: SenderKeyLimits = .default) -> SenderKeyEpoch {
        SenderKeyEpoch(
            baseSecret: baseSecret,
            roomID: Self.roomID,
            epoch: Self.epoch,
            ownLeaf: leaf(member),
            members: members,
            limits: limits
        )
    }

    /// A sealed frame from `member`'s `state`, with sender ID = leaf + 100 and message ID = generation.
    mutating func seal(_ text: String, from member: Int, state: inout SenderKeyEpoch) throws -> SealedMessage {
        try state.seal(
            Array(text.utf8),
            senderID: SenderID(UInt64(member) + 100),
            timestamp: Timestamp(milliseconds: 1_700_000_000_000)!,
            messageID: state.nextSendingGeneration,
            signingKey: signingKeys[member],
            using: &generator
        )
    }
}

func leaf(_ index: Int) -> LeafIndex { LeafIndex(rawValue: UInt32(index))! }

extension DecryptedMessage {
    var text: String { String(decoding: plaintext, as: UTF8.self) }
}

/// The error `body` throws, if it is a `DataPlaneError`.
func dataPlaneError(_ body: () throws -> Void) -> DataPlaneError? {
    do {
        try body()
        return nil
    } catch let error as DataPlaneError {
        return error
    } catch {
        return nil
    }
}
