import KalandraMLS

/// What one id of the interop interface names. The proto's `state_id`, `transaction_id`, `reinit_id` and
/// `signer_id` share one number space because `StorePSK` takes "a state or a transaction id" without saying which.
enum InteropEntry: Sendable {
    /// A member of a group (`state_id`).
    case member(MemberState)
    /// A KeyPackage whose owner waits for a Welcome (`transaction_id`).
    case transaction(PendingJoin)
    /// A member whose group was closed by a ReInit commit, waiting to create or join the successor (`reinit_id`).
    case reInit(PendingReInit)
    /// A party outside the group that signs external proposals (`signer_id`).
    case signer(Signer)
}

/// The entries the test-runner refers to by number, at most `maximumCount` of them: the runner frees states only
/// sometimes, so a long run must hit a clear error instead of growing without bound.
struct InteropStateTable: Sendable {
    /// The most entries held at once.
    let maximumCount: Int
    private var entries: [UInt32: InteropEntry] = [:]
    /// Ids are never reused, so a stale id held by the runner cannot reach a newer entry.
    private var nextID: UInt32 = 1

    init(maximumCount: Int) {
        precondition(maximumCount > 0, "the table must hold at least one entry")
        self.maximumCount = maximumCount
    }

    /// How many entries are held.
    var count: Int { entries.count }

    /// Stores `entry` under a new id.
    mutating func insert(_ entry: InteropEntry) throws(InteropError) -> UInt32 {
        guard entries.count < maximumCount else { throw .tableFull(limit: maximumCount) }
        guard nextID < UInt32.max else { throw .tableFull(limit: maximumCount) }
        let id = nextID
        nextID += 1
        entries[id] = entry
        return id
    }

    /// Replaces the entry under `id`, which must exist.
    mutating func replace(_ id: UInt32, with entry: InteropEntry) {
        precondition(entries[id] != nil, "replacing an id that was never handed out")
        entries[id] = entry
    }

    /// Forgets `id`; forgetting an unknown id does nothing, as `Free` of a freed state is harmless.
    mutating func remove(_ id: UInt32) {
        entries[id] = nil
    }

    /// The entry under `id`.
    func entry(_ id: UInt32) throws(InteropError) -> InteropEntry {
        guard let entry = entries[id] else { throw .unknownID(id) }
        return entry
    }

    /// The group member under `id`.
    func member(_ id: UInt32) throws(InteropError) -> MemberState {
        guard case .member(let member) = try entry(id) else { throw .wrongKind(id, expected: "state") }
        return member
    }

    /// The pending join under `id`.
    func transaction(_ id: UInt32) throws(InteropError) -> PendingJoin {
        guard case .transaction(let pending) = try entry(id) else { throw .wrongKind(id, expected: "transaction") }
        return pending
    }

    /// The pending reinitialisation under `id`.
    func reInit(_ id: UInt32) throws(InteropError) -> PendingReInit {
        guard case .reInit(let pending) = try entry(id) else { throw .wrongKind(id, expected: "reinit") }
        return pending
    }

    /// The external signer under `id`.
    func signer(_ id: UInt32) throws(InteropError) -> Signer {
        guard case .signer(let signer) = try entry(id) else { throw .wrongKind(id, expected: "signer") }
        return signer
    }
}
