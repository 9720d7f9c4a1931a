import CSodium

/// libsodium must be initialised once per process before use; `sodium_init` is idempotent and thread-safe, and a
/// global `let` runs it exactly once, on first use.
enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    /// Traps when libsodium cannot initialise: no cryptography is possible then, so there is nothing to recover.
    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise")
    }
}
