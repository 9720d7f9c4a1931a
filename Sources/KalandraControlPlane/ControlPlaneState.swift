import KalandraCore

/// What the control plane asks of the running server. The server implements it; the control plane only reads.
public protocol ControlPlaneState: Sendable {
    /// Whether the server can take clients now; `/readyz` answers 200 only for ``Readiness/ready``.
    func readiness() async -> Readiness

    /// Up to `limit` rooms whose IDs are greater than `after` (from the first room when nil), in ascending ID order.
    /// The control plane never asks for more than ``ControlPlane/maximumRoomsPerPage`` + 1.
    func rooms(after: RoomID?, limit: Int) async -> [RoomSummary]
}

/// The answer of `/readyz`. A fixed set of reasons, so an unauthenticated probe learns nothing more than the state.
public enum Readiness: Sendable, Equatable, CaseIterable {
    /// Storage is open and every room is restored.
    case ready
    /// Storage is not (yet, or any longer) open.
    case storageNotOpen
    /// Storage is open but rooms are still being restored from it.
    case restoringRooms
    /// The server is draining connections before it stops.
    case shuttingDown

    /// The reason `/readyz` gives with a 503, or nil when ready.
    public var reason: String? {
        switch self {
        case .ready: nil
        case .storageNotOpen: "storage not open"
        case .restoringRooms: "rooms not restored"
        case .shuttingDown: "shutting down"
        }
    }
}

/// One room as the admin API lists it.
public struct RoomSummary: Sendable, Equatable {
    public var id: RoomID
    public var epoch: Epoch
    public var memberCount: Int
    public var lastSequence: LogSequence

    public init(id: RoomID, epoch: Epoch, memberCount: Int, lastSequence: LogSequence) {
        self.id = id
        self.epoch = epoch
        self.memberCount = memberCount
        self.lastSequence = lastSequence
    }
}
