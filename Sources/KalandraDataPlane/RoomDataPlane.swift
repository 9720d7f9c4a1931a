import KalandraCore
import KalandraCrypto
import KalandraWire

/// One member's data plane for one room: the sender keys of the current epoch and of a few past ones, for messages
/// sent before a commit that arrive after it. Older epochs are dropped with all their keys.
public struct RoomDataPlane: Sendable {
    /// How many epochs are held, the current one included.
    public let retainedEpochCount: Int
    /// Held epochs, oldest first; the last is current.
    private var epochs: [SenderKeyEpoch]

    /// A data plane starting at `initial`, holding at most `retainedEpochCount` epochs (at least 1).
    public init(initial: SenderKeyEpoch, retainedEpochCount: Int = 2) {
        precondition(retainedEpochCount >= 1, "the current epoch is always held")
        self.retainedEpochCount = retainedEpochCount
        self.epochs = [initial]
    }

    /// The room.
    public var roomID: RoomID { epochs[0].roomID }
    /// The current epoch.
    public var currentEpoch: Epoch { epochs[epochs.count - 1].epoch }
    /// The epochs whose keys are held, oldest first.
    public var heldEpochs: [Epoch] { epochs.map(\.epoch) }

    /// Moves to `next` (the state of the epoch a merged commit started), dropping the oldest epoch beyond the limit.
    public mutating func enter(_ next: SenderKeyEpoch) throws(DataPlaneError) {
        guard next.roomID == roomID else { throw .wrongRoom(expected: roomID, found: next.roomID) }
        guard next.epoch > currentEpoch else { throw .epochNotNewer(found: next.epoch, current: currentEpoch) }
        epochs.append(next)
        if epochs.count > retainedEpochCount { epochs.removeFirst(epochs.count - retainedEpochCount) }
    }

    /// Encrypts and signs `plaintext` in the current epoch (see `SenderKeyEpoch.seal`).
    public mutating func seal(
        _ plaintext: [UInt8],
        senderID: SenderID,
        timestamp: Timestamp,
        messageID: UInt32,
        signingKey: SigningKey,
        using generator: inout some RandomNumberGenerator
    ) throws(DataPlaneError) -> SealedMessage {
        try epochs[epochs.count - 1].seal(
            plaintext,
            senderID: senderID,
            timestamp: timestamp,
            messageID: messageID,
            signingKey: signingKey,
            using: &generator
        )
    }

    /// Verifies and decrypts `frame` with the keys of its epoch (see `SenderKeyEpoch.open`).
    public mutating func open(_ frame: Frame) throws(DataPlaneError) -> DecryptedMessage {
        let header = frame.header
        guard header.opcode == .applicationMessage else { throw .wrongOpcode(found: header.opcode.rawValue) }
        guard header.roomID == roomID else { throw .wrongRoom(expected: roomID, found: header.roomID) }
        guard header.epoch <= currentEpoch else { throw .futureEpoch(found: header.epoch, current: currentEpoch) }
        guard let index = epochs.firstIndex(where: { $0.epoch == header.epoch }) else {
            throw .staleEpoch(found: header.epoch, oldestHeld: epochs[0].epoch)
        }
        return try epochs[index].open(frame)
    }
}
