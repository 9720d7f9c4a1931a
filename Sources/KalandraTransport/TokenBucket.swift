/// An inbound rate limit: `burst` tokens, refilled at `rate` per second, one taken per frame. Counts in
/// nano-tokens (token × 10⁹) so that refills of a fraction of a token are not lost, with integers only.
struct TokenBucket: Sendable {
    /// The largest rate or burst: keeps `burst × 10⁹` and `elapsed × rate` far from overflowing 64 bits.
    static let maximumSetting = 1_000_000
    private static let scale: UInt64 = 1_000_000_000

    private let rate: UInt64
    private let capacity: UInt64
    private var available: UInt64
    private var lastRefill: UInt64

    /// A full bucket at time `now` (nanoseconds of a monotonic clock).
    init(ratePerSecond: Int, burst: Int, now: UInt64) {
        precondition((1...Self.maximumSetting).contains(ratePerSecond), "rate out of range")
        precondition((1...Self.maximumSetting).contains(burst), "burst out of range")
        rate = UInt64(ratePerSecond)
        capacity = UInt64(burst) * Self.scale
        available = capacity
        lastRefill = now
    }

    /// Takes one token; false when none is left (the frame is over the rate). A clock that goes backwards adds
    /// nothing.
    mutating func take(now: UInt64) -> Bool {
        if now > lastRefill {
            // Elapsed time past what refills the whole bucket adds nothing; capping it first prevents overflow.
            let elapsed = min(now - lastRefill, capacity / rate + 1)
            available = min(capacity, available + elapsed * rate)
            lastRefill = now
        }
        guard available >= Self.scale else { return false }
        available -= Self.scale
        return true
    }
}
