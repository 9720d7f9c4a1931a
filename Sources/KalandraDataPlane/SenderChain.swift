import KalandraCrypto

/// One sender's symmetric ratchet in one epoch: a chain key that moves forward one generation per message, and a
/// bounded window of keys of generations skipped on the way (messages that arrive out of order).
///
/// Every key is handed out once and deleted: a message key leaves the chain when it is taken, and a chain key is
/// dropped as soon as the next one is derived, so a state captured later cannot recompute earlier keys.
/// A receiver computes a `PendingKey` without changing the chain and commits it only once the message proves
/// authentic, so a forged message cannot burn generations. Generation `UInt32.max - 1` is a chain's last.
public struct SenderChain: Sendable {
    /// The generation the chain key currently stands at: the next one to send, or the next one expected.
    public private(set) var nextGeneration: UInt32
    /// Generations below this one that are not in `skippedKeys` are forgotten (dropped from the window).
    public private(set) var oldestRetainedGeneration: UInt32
    /// The chain key of `nextGeneration`.
    private var chainKey: SecretBytes
    /// Keys of skipped generations, at most `limits.maximumSkippedGenerations`.
    private var skippedKeys: [UInt32: SecretBytes] = [:]
    /// The bounds of the window and of a jump.
    public let limits: SenderKeyLimits

    /// A chain at generation 0.
    public init(chainKey: SecretBytes, limits: SenderKeyLimits = .default) {
        precondition(chainKey.count == SenderKeySchedule.secretByteCount, "a chain key has 32 bytes")
        self.chainKey = chainKey
        self.nextGeneration = 0
        self.oldestRetainedGeneration = 0
        self.limits = limits
    }

    /// The number of skipped-generation keys held.
    public var skippedKeyCount: Int { skippedKeys.count }

    /// The key of the next generation, for sending; the chain moves past it.
    public mutating func nextSendingKey() throws(DataPlaneError) -> (generation: UInt32, key: SecretBytes) {
        let generation = nextGeneration
        let key = try advance()
        return (generation, key)
    }

    /// The key of `generation`, for receiving; it is deleted from the chain. Generations between the next expected
    /// one and `generation` keep their keys in the window.
    public mutating func takeKey(generation: UInt32) throws(DataPlaneError) -> SecretBytes {
        let pending = try pendingKey(generation: generation)
        commit(pending)
        return pending.key
    }

    /// The key of `generation` without changing the chain: a receiver decrypts with it, then `commit`s it only if
    /// the message proved authentic, so a forgery burns no generation and nothing is copied.
    public func pendingKey(generation: UInt32) throws(DataPlaneError) -> PendingKey {
        if generation < nextGeneration {
            if let key = skippedKeys[generation] {
                return PendingKey(generation: generation, key: key, base: nextGeneration, advance: .fromWindow)
            }
            if generation < oldestRetainedGeneration {
                throw .generationExpired(generation, oldestRetained: oldestRetainedGeneration)
            }
            throw .replayedGeneration(generation)
        }
        let jump = generation - nextGeneration
        guard jump <= limits.maximumForwardJump else {
            throw .generationTooFarAhead(generation, next: nextGeneration, limit: limits.maximumForwardJump)
        }
        // Only the last `maximumSkippedGenerations` skipped keys can be kept; older ones are derived and dropped.
        let firstKept = generation - min(jump, UInt32(clamping: limits.maximumSkippedGenerations))
        var skipped: [(generation: UInt32, key: SecretBytes)] = []
        var current = chainKey
        for step in nextGeneration..<generation {
            let (key, next) = try Self.step(current, generation: step)
            if step >= firstKept { skipped.append((step, key)) }
            current = next
        }
        let (key, next) = try Self.step(current, generation: generation)
        return PendingKey(
            generation: generation,
            key: key,
            base: nextGeneration,
            advance: .forward(chainKey: next, skipped: skipped, firstKept: firstKept)
        )
    }

    /// Applies `pending`, which must come from `pendingKey` on this chain in its current state: deletes its key
    /// from the window, or moves the chain past it, keeping the skipped keys.
    public mutating func commit(_ pending: PendingKey) {
        precondition(pending.base == nextGeneration, "a pending key applies only to the chain state it came from")
        switch pending.advance {
        case .fromWindow:
            let removed = skippedKeys.removeValue(forKey: pending.generation)
            precondition(removed != nil, "a pending key of the window applies once")
        case .forward(let next, let skipped, let firstKept):
            for (generation, key) in skipped { skippedKeys[generation] = key }
            // A jump longer than the window derived some keys only to drop them: everything below is gone.
            if firstKept > nextGeneration { forget(below: firstKept) }
            chainKey = next
            nextGeneration = pending.generation &+ 1
            trimWindow()
        }
    }

    /// The message key of `generation` from its chain key, and the next chain key.
    private static func step(
        _ chainKey: SecretBytes,
        generation: UInt32
    ) throws(DataPlaneError) -> (messageKey: SecretBytes, nextChainKey: SecretBytes) {
        guard generation < UInt32.max else { throw .chainExhausted }
        return SenderKeySchedule.step(chainKey: chainKey)
    }

    /// Derives the key of `nextGeneration` and moves the chain key forward, dropping the old one.
    private mutating func advance() throws(DataPlaneError) -> SecretBytes {
        guard nextGeneration < UInt32.max else { throw .chainExhausted }
        let (messageKey, nextChainKey) = SenderKeySchedule.step(chainKey: chainKey)
        chainKey = nextChainKey
        nextGeneration += 1
        return messageKey
    }

    /// Drops skipped keys beyond the window, oldest first.
    private mutating func trimWindow() {
        let excess = skippedKeys.count - limits.maximumSkippedGenerations
        guard excess > 0 else { return }
        let dropped = skippedKeys.keys.sorted().prefix(excess)
        for generation in dropped { skippedKeys[generation] = nil }
        forget(below: dropped.last! + 1)
    }

    private mutating func forget(below generation: UInt32) {
        guard generation > oldestRetainedGeneration else { return }
        oldestRetainedGeneration = generation
        skippedKeys = skippedKeys.filter { $0.key >= generation }
    }
}

extension SenderChain {
    /// A receiving key computed but not yet applied to its chain (see `pendingKey(generation:)`).
    public struct PendingKey: Sendable {
        /// The generation.
        public let generation: UInt32
        /// The message key.
        public let key: SecretBytes
        /// The chain's next generation when this was computed.
        fileprivate let base: UInt32
        fileprivate let advance: Advance

        fileprivate enum Advance: Sendable {
            case fromWindow
            case forward(chainKey: SecretBytes, skipped: [(generation: UInt32, key: SecretBytes)], firstKept: UInt32)
        }
    }
}
