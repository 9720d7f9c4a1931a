import KalandraCore
import KalandraMLS

/// Names one message key: the room, the epoch, the sender's leaf and the generation. Unique, because each sender's
/// chain hands out each generation once per epoch.
public struct MessageKeyID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The room.
    public var roomID: RoomID
    /// The MLS epoch.
    public var epoch: Epoch
    /// The sender's leaf in the epoch's tree.
    public var sender: LeafIndex
    /// The generation in the sender's chain.
    public var generation: UInt32

    /// An identifier from its parts.
    public init(roomID: RoomID, epoch: Epoch, sender: LeafIndex, generation: UInt32) {
        self.roomID = roomID
        self.epoch = epoch
        self.sender = sender
        self.generation = generation
    }

    /// "room/epoch/leaf/generation".
    public var description: String { "\(roomID)/\(epoch)/\(sender.rawValue)/\(generation)" }

    public static func < (lhs: MessageKeyID, rhs: MessageKeyID) -> Bool {
        (lhs.roomID, lhs.epoch, lhs.sender, lhs.generation) < (rhs.roomID, rhs.epoch, rhs.sender, rhs.generation)
    }
}
