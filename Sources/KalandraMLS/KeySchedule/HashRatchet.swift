import KalandraCrypto

/// A sender's hash ratchet for one content type (RFC 9420 §9.1): from `ratchet_secret_[j]` it derives the key and
/// nonce of generation `j` and the next secret `ratchet_secret_[j+1]`, deleting the old secret at once (§9.2).
///
/// A sender takes keys in order with `next()`; a receiver asks for the generation a message names with
/// `key(for:)`. Keys of generations skipped on the way are retained for late messages, within `limits`; every key is
/// handed out at most once and deleted from the ratchet when it is.
public struct HashRatchet: Sendable {
    /// The bounds on retained keys and forward jumps.
    public let limits: RatchetLimits
    /// The generation of the next key the ratchet derives (the position of `ratchet_secret`).
    public private(set) var generation: UInt32

    private let provider: any CipherSuiteProvider
    /// `ratchet_secret_[generation]`; nil once the key of generation 2^32 - 1 has been derived, the last one a
    /// `uint32` generation can name.
    private var secret: SecretBytes?
    /// Keys of skipped generations, each at most `limits.maximumRetainedGenerations` behind `generation`.
    private var retained: [UInt32: RatchetKeyNonce] = [:]

    /// A ratchet whose secret of `generation` is `secret` (`KDF.Nh` bytes): generation 0 for a fresh ratchet from
    /// the secret tree (§9), or a later one when restoring a stored ratchet.
    public init(
        secret: SecretBytes,
        generation: UInt32 = 0,
        provider: any CipherSuiteProvider,
        limits: RatchetLimits = .default
    ) throws(MLSError) {
        try provider.checkSecretLength(secret, "ratchet secret")
        self.secret = secret
        self.generation = generation
        self.provider = provider
        self.limits = limits
    }

    /// How many keys of skipped generations are retained for late messages.
    public var retainedKeyCount: Int { retained.count }

    /// Whether every generation has been used, so that neither `next()` nor a later `key(for:)` can succeed.
    public var isExhausted: Bool { secret == nil }

    /// The key and nonce of the current generation, for sending; the ratchet moves to the next generation.
    public mutating func next() throws(MLSError) -> RatchetKeyNonce {
        let oldPosition = position
        let result = try advance()
        pruneRetained(from: oldPosition)
        return result
    }

    /// The key and nonce of `requested`, for a received message (§9.1, §9.2).
    ///
    /// A generation behind the ratchet's position is served from the retained keys and deleted from them; one ahead
    /// moves the ratchet past it, retaining the keys of the generations skipped. Fails without changing the ratchet
    /// when the key was already handed out, lies more than `limits.maximumRetainedGenerations` behind the newest
    /// derived generation (deleted), or more than `limits.maximumForwardJump` ahead of the position.
    public mutating func key(for requested: UInt32) throws(MLSError) -> RatchetKeyNonce {
        if requested < generation || secret == nil {
            return try retainedKey(for: requested)
        }
        let oldPosition = position
        let jump = requested - generation
        guard jump <= limits.maximumForwardJump else {
            throw MLSError(
                .invalidValue("ratchet generation is too far ahead"),
                context: "generation \(requested) is \(jump) ahead of \(generation); limit \(limits.maximumForwardJump)"
            )
        }
        // At most `maximumForwardJump` iterations, checked above.
        while generation < requested {
            let skipped = try advance()
            // Keep only what survives the pruning below: after this call the newest generation is `requested`.
            if requested - skipped.generation <= limits.maximumRetainedGenerations {
                retained[skipped.generation] = skipped
            }
        }
        let result = try advance()
        pruneRetained(from: oldPosition)
        return result
    }

    private mutating func retainedKey(for requested: UInt32) throws(MLSError) -> RatchetKeyNonce {
        if let key = retained.removeValue(forKey: requested) { return key }
        if UInt64(requested) >= position {
            throw MLSError(.invalidValue("ratchet has no generations left"), context: "generation \(requested)")
        }
        if position - 1 - UInt64(requested) > UInt64(limits.maximumRetainedGenerations) {
            throw MLSError(
                .invalidValue("ratchet generation is too old"),
                context: "generation \(requested), newest \(position - 1), window \(limits.maximumRetainedGenerations)"
            )
        }
        throw MLSError(.invalidValue("ratchet generation was already used"), context: "generation \(requested)")
    }

    /// Derives the key and nonce of `generation` and replaces the secret with the next one; the old secret is
    /// released here, which zeroises it (§9.2).
    private mutating func advance() throws(MLSError) -> RatchetKeyNonce {
        guard let secret else {
            throw MLSError(.invalidValue("ratchet has no generations left"), context: "generation \(generation)")
        }
        let key = try provider.deriveTreeSecret(
            secret: secret,
            label: "key",
            generation: generation,
            length: provider.aeadKeyLength
        )
        let nonce = try provider.deriveTreeSecret(
            secret: secret,
            label: "nonce",
            generation: generation,
            length: provider.aeadNonceLength
        )
        let result = RatchetKeyNonce(generation: generation, key: key, nonce: nonce)
        if generation == UInt32.max {
            self.secret = nil
        } else {
            self.secret = try provider.deriveTreeSecret(
                secret: secret,
                label: "secret",
                generation: generation,
                length: provider.kdfLength
            )
            generation += 1
        }
        return result
    }

    /// One past the newest derived generation: `generation`, or 2^32 once exhausted.
    private var position: UInt64 { UInt64(generation) + (secret == nil ? 1 : 0) }

    /// Deletes the retained keys that the move from `oldPosition` to `position` took more than
    /// `limits.maximumRetainedGenerations` behind the newest generation (`position - 1`): a key of generation `g` is
    /// kept while `position - 1 - g <= window`, so those in `oldPosition - 1 - window ..< position - 1 - window` go.
    private mutating func pruneRetained(from oldPosition: UInt64) {
        let window = UInt64(limits.maximumRetainedGenerations)
        guard !retained.isEmpty, position > window + 1 else { return }
        let lower = oldPosition > window + 1 ? oldPosition - 1 - window : 0
        let upper = position - 1 - window
        guard upper > lower else { return }
        if upper - lower > UInt64(retained.count) {
            retained = retained.filter { UInt64($0.key) >= upper }
        } else {
            // At most `retained.count` iterations, checked above.
            for expired in lower..<upper { retained.removeValue(forKey: UInt32(truncatingIfNeeded: expired)) }
        }
    }
}

// MARK: - Saving and restoring (MLSGroup+Persistence.swift)

extension HashRatchet {
    /// `ratchet_secret_[generation]`, nil once the ratchet is exhausted; for saving the ratchet.
    var currentSecret: SecretBytes? { secret }

    /// The retained keys of skipped generations, oldest first; for saving the ratchet.
    var retainedKeys: [RatchetKeyNonce] { retained.keys.sorted().compactMap { retained[$0] } }

    /// A ratchet restored from the parts `currentSecret` and `retainedKeys` gave: its position `generation`, its
    /// secret (nil once exhausted, which only generation 2^32 - 1 can be) and its retained keys, oldest first.
    /// Throws unless the parts could belong to a ratchet with `limits`: a `KDF.Nh`-byte secret, AEAD-sized keys and
    /// nonces, generations strictly increasing, behind the position and within the retention window, and at most
    /// `limits.maximumRetainedGenerations` of them.
    init(
        restoringGeneration generation: UInt32,
        secret: SecretBytes?,
        retainedKeys: [RatchetKeyNonce],
        provider: any CipherSuiteProvider,
        limits: RatchetLimits
    ) throws(MLSError) {
        if let secret {
            try provider.checkSecretLength(secret, "ratchet secret")
        } else if generation != UInt32.max {
            throw MLSError(.invalidValue("a ratchet without a secret must be at generation 2^32 - 1"))
        }
        guard retainedKeys.count <= Int(limits.maximumRetainedGenerations) else {
            throw MLSError(
                .lengthLimitExceeded(length: retainedKeys.count, limit: Int(limits.maximumRetainedGenerations)),
                context: "retained ratchet keys"
            )
        }
        let position = UInt64(generation) + (secret == nil ? 1 : 0)
        var previous: UInt32?
        var retained: [UInt32: RatchetKeyNonce] = [:]
        for key in retainedKeys {
            guard previous.map({ $0 < key.generation }) ?? true else {
                throw MLSError(.invalidValue("retained ratchet keys are not in increasing generation order"))
            }
            guard UInt64(key.generation) < position,
                position - 1 - UInt64(key.generation) <= UInt64(limits.maximumRetainedGenerations)
            else {
                throw MLSError(
                    .invalidValue("retained key of generation \(key.generation) outside the window"),
                    context: "ratchet at generation \(generation)"
                )
            }
            guard key.key.count == provider.aeadKeyLength, key.nonce.count == provider.aeadNonceLength else {
                throw MLSError(
                    .invalidKey("retained key or nonce of generation \(key.generation) has the wrong length")
                )
            }
            retained[key.generation] = key
            previous = key.generation
        }
        self.limits = limits
        self.generation = generation
        self.provider = provider
        self.secret = secret
        self.retained = retained
    }
}
