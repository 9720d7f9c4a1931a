import KalandraCore

/// Bounds on what a sender-key state keeps and accepts. Every skipped generation costs a stored key, and every
/// generation jumped costs a hash computation, so both are capped.
public struct SenderKeyLimits: Sendable, Equatable {
    /// Keys of skipped generations kept per sender, for messages that arrive out of order; older ones are dropped.
    public var maximumSkippedGenerations: Int
    /// How far past the next expected generation a message may be; further is refused before any work is done.
    public var maximumForwardJump: UInt32
    /// The longest plaintext accepted for encryption.
    public var maximumPlaintextBytes: Int

    /// Limits; every value must be positive.
    public init(maximumSkippedGenerations: Int, maximumForwardJump: UInt32, maximumPlaintextBytes: Int) {
        precondition(maximumSkippedGenerations > 0, "the skipped-generation window must be positive")
        precondition(maximumForwardJump > 0, "the forward jump limit must be positive")
        precondition(maximumPlaintextBytes > 0, "the plaintext limit must be positive")
        self.maximumSkippedGenerations = maximumSkippedGenerations
        self.maximumForwardJump = maximumForwardJump
        self.maximumPlaintextBytes = maximumPlaintextBytes
    }

    /// 1,000 skipped generations, jumps of at most 10,000, and plaintexts that fit a frame with room for the
    /// ciphertext map around them.
    public static let `default` = SenderKeyLimits(
        maximumSkippedGenerations: 1_000,
        maximumForwardJump: 10_000,
        maximumPlaintextBytes: Limits.maximumFramePayloadBytes - SenderKeyCiphertext.maximumOverheadBytes
    )
}
