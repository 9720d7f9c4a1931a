import KalandraCore
import KalandraMLS
import KalandraWire

/// Where a client stands in a room (the seed's state machine, plus `left`).
public enum RoomClientState: Sendable, Equatable, CustomStringConvertible {
    /// No connection to the room's server; intents and messages queue.
    case disconnected
    /// Invited (a KeyPackage published) and waiting for the Welcome.
    case pendingWelcome
    /// A member in this epoch, with no commit of its own outstanding.
    case synchronized(Epoch)
    /// A commit of its own for `target` awaits the server's order; messages queue until it is settled.
    case pendingCommit(target: Epoch)
    /// Removed from the room (or the room was closed): nothing more is sent or decrypted.
    case left

    public var description: String {
        switch self {
        case .disconnected: "disconnected"
        case .pendingWelcome: "pendingWelcome"
        case .synchronized(let epoch): "synchronized(\(epoch))"
        case .pendingCommit(let target): "pendingCommit(\(target))"
        case .left: "left"
        }
    }
}

/// What happens to a room client.
public enum RoomClientEvent: Sendable {
    /// The connection to the room's server is up.
    case connected
    /// The connection went down.
    case disconnected
    /// A frame from the server.
    case frame(Frame)
    /// Time passed: retransmit what was not acknowledged, ask for catch-up now and then.
    case tick
    /// The application sends a message.
    case send([UInt8])
    /// The application wants these KeyPackages' owners added (one commit).
    case add([KeyPackage])
    /// The application wants the members with these credentials removed (one commit).
    case remove([Credential])
    /// The application proposes an update of its own leaf (a proposal; someone's commit covers it).
    case proposeUpdate
    /// The application commits the proposals received in this epoch (with a path).
    case commitPending
    /// The application erases its own message at this position (server-side redaction and local key deletion).
    case redact(LogSequence)
}

/// What the shell must do, or learn, for a room client.
public enum RoomClientAction: Sendable {
    /// Send this frame to the room's server.
    case send(Frame)
    /// A message was decrypted and verified, at its log position.
    case delivered(DeliveredMessage)
    /// The client joined the room by a Welcome (a creator is a member from the start).
    case joined(Epoch)
    /// The group moved to a new epoch.
    case epochChanged(Epoch, treeHash: [UInt8])
    /// The client was removed from the room.
    case left(at: LogSequence)
    /// A message at this position was redacted; its key is deleted here.
    case redacted(LogSequence)
    /// The server refused a frame for a reason retrying does not cure.
    case rejected(RejectionPayload)
    /// The server's log contradicts what this client saw (a chain hash mismatch): a fork or a faulty server.
    case logForked(at: LogSequence)
}

/// A decrypted application message.
public struct DeliveredMessage: Sendable, Equatable {
    public let sequence: LogSequence
    public let epoch: Epoch
    public let senderLeaf: UInt32
    public let senderCredential: Credential?
    public let plaintext: [UInt8]
}

/// Timers and bounds of a room client.
public struct RoomClientLimits: Sendable {
    /// Frames sent and not acknowledged are sent again after this long (milliseconds).
    public var retransmitAfterMilliseconds: UInt64
    /// The client asks for catch-up at least this often (milliseconds), so it converges without new traffic.
    public var catchUpEveryMilliseconds: UInt64
    /// Messages and intents queued while they cannot be sent.
    public var maximumQueued: Int
    /// Frames sent and not yet acknowledged. Kept well under the sequencer's retry window (256 message IDs per
    /// sender), so a retransmission is still recognised as a retry.
    public var maximumInFlight: Int

    public init(
        retransmitAfterMilliseconds: UInt64 = 500,
        catchUpEveryMilliseconds: UInt64 = 2_000,
        maximumQueued: Int = 10_000,
        maximumInFlight: Int = 128
    ) {
        self.retransmitAfterMilliseconds = retransmitAfterMilliseconds
        self.catchUpEveryMilliseconds = catchUpEveryMilliseconds
        self.maximumQueued = max(1, maximumQueued)
        self.maximumInFlight = max(1, maximumInFlight)
    }

    public static let `default` = RoomClientLimits()
}

/// Why a room client refused an application request.
public enum RoomClientError: Error, Sendable, Equatable {
    case queueFull(limit: Int)
    case notAMember
    case mls(String)
}
