import KalandraCore
import Synchronization

/// The `hello` nonces a server has accepted, shared by all its connections. A nonce is remembered until its hello
/// timestamp leaves the skew window (after which the timestamp check refuses a replay anyway), and at most
/// `capacity` nonces are kept: when full, the oldest is forgotten first.
public final class ReplayGuard: Sendable {
    private struct Key: Hashable {
        var sender: SenderID
        var nonce: [UInt8]
    }

    private struct State {
        var expiries: [Key: UInt64] = [:]
        // Insertion order, for eviction: a ring of keys from `head`.
        var order: [Key] = []
        var head = 0
    }

    private let capacity: Int
    private let skewMilliseconds: UInt64
    private let state = Mutex(State())

    /// A guard remembering up to `capacity` nonces for `skewMilliseconds` past their hello's timestamp.
    public init(capacity: Int, skewMilliseconds: UInt64) {
        precondition(capacity >= 1, "the replay guard must remember at least one nonce")
        self.capacity = capacity
        self.skewMilliseconds = skewMilliseconds
    }

    /// The number of nonces remembered now.
    public var count: Int { state.withLock { $0.expiries.count } }

    /// Records `nonce` for `sender` and returns true, or returns false when it is already remembered. `now` is the
    /// server's wall clock and `timestamp` the hello's, both in milliseconds.
    public func admit(sender: SenderID, nonce: [UInt8], timestamp: UInt64, now: UInt64) -> Bool {
        let key = Key(sender: sender, nonce: nonce)
        return state.withLock { state in
            // Forget what expired, oldest first; entries behind a later-expiring one wait their turn (still bounded).
            while state.head < state.order.count {
                let oldest = state.order[state.head]
                if let expiry = state.expiries[oldest], expiry >= now { break }
                state.expiries[oldest] = nil
                state.head += 1
            }
            if let expiry = state.expiries[key], expiry >= now { return false }
            while state.expiries.count >= capacity, state.head < state.order.count {
                state.expiries[state.order[state.head]] = nil
                state.head += 1
            }
            state.expiries[key] = timestamp + skewMilliseconds
            state.order.append(key)
            // Drop the consumed prefix once it is half the array, so the array stays within twice the capacity.
            if state.head > state.order.count / 2 {
                state.order.removeFirst(state.head)
                state.head = 0
            }
            return true
        }
    }
}
