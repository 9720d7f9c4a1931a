import CSodium

/// Best-effort wiping of transient copies of secret bytes held in Swift arrays (prefer `SecretBytes`, which wipes
/// itself). Uses `sodium_memzero`, which the optimiser cannot remove.
public enum Zeroize {
    /// Overwrites `bytes` with zeros in place. If the array's storage is shared with another array, Swift copies it
    /// first and only this array's copy is wiped.
    public static func bytes(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            sodium_memzero(base, raw.count)
        }
    }
}

/// The operating system's cryptographic randomness (libsodium: `getrandom` on Linux), in bulk.
public enum SystemRandom {
    /// Fills `words` with random bits in one call.
    public static func fill(_ words: inout [UInt64]) {
        Sodium.ensureInitialized()
        words.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            randombytes_buf(base, raw.count)
        }
    }
}
