/// How far a `HashRatchet` may be driven by the generations of received messages. RFC 9420 §9.2 lets members keep
/// unconsumed keys "for some reasonable amount of time" for out-of-order delivery; these limits bound both that store
/// and the work one message can cause, so a peer cannot make a member derive or hold an unbounded number of keys.
public struct RatchetLimits: Sendable, Hashable {
    /// How many generations behind the newest derived one a skipped key is kept for a late message. A key further
    /// behind is deleted, and asking for it fails. At most this many keys are retained per ratchet; 0 keeps none.
    public var maximumRetainedGenerations: UInt32
    /// How many generations a received message may skip ahead of the ratchet's position (the number of keys one
    /// message can make the ratchet derive and retain).
    public var maximumForwardJump: UInt32

    /// Limits of `maximumRetainedGenerations` keys kept behind and `maximumForwardJump` generations skipped ahead.
    public init(maximumRetainedGenerations: UInt32 = 1_000, maximumForwardJump: UInt32 = 1_000) {
        self.maximumRetainedGenerations = maximumRetainedGenerations
        self.maximumForwardJump = maximumForwardJump
    }

    /// 1,000 generations back and 1,000 forward.
    public static let `default` = RatchetLimits()
}
