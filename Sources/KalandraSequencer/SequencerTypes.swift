import KalandraCore
import KalandraStorage
import KalandraWire

/// A client connection as the shell knows it; the sequencer only hands it back in replies.
public struct ClientOrigin: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "client#\(rawValue)" }
    public static func < (lhs: ClientOrigin, rhs: ClientOrigin) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What happens to a room's sequencer.
public enum SequencerEvent: Sendable {
    /// A client sent a frame for this room.
    case frame(Frame, origin: ClientOrigin)
    /// The shell's storage made every entry up to `through` durable.
    case durable(through: LogSequence)
    /// What the shell read for a redaction the sequencer asked about (`SequencerAction.loadEntry`): the stored
    /// entry, or nil when the position holds none (never written, or already shredded).
    case redactionTarget(RedactionRequest, StoredEntry?)
}

/// What the shell must do for a sequencer. Actions are returned in the order they must happen.
public enum SequencerAction: Sendable {
    /// Write `batch` (appends and state records of entries up to `through`) durably, then report
    /// `.durable(through:)`. Nothing of it is acknowledged or delivered before then.
    case persist(WriteBatch, through: LogSequence)
    /// Send `frame` (an `accepted` or `error` frame, signed by the server) to `origin`.
    case reply(Frame, to: ClientOrigin)
    /// Send `frame` (a `deliver` frame) to every connected member of the room.
    case broadcast(Frame)
    /// Send the `welcome` frame to the owners of these KeyPackages (the members a commit adds).
    case sendWelcome(Frame, keyPackages: [[UInt8]])
    /// Read the entry a redaction names and report it with `.redactionTarget`.
    case loadEntry(RedactionRequest)
    /// Securely delete the log entry (key, then payload, then verify: `Storage.shred`). Emitted once the redaction
    /// record is durable; a restart re-emits it for records whose target still exists.
    case shred(room: RoomID, sequence: LogSequence)
}

/// A redaction the sequencer has checked as far as it can without the target entry.
public struct RedactionRequest: Sendable, Equatable {
    /// The `redact` frame, as its author signed it.
    public let frame: [UInt8]
    /// The connection it came on.
    public let origin: ClientOrigin
    /// The entry to erase.
    public let target: LogSequence
    /// The requester's credential (TLS encoding), compared with the target's author.
    public let requester: [UInt8]
    /// The requester's message ID.
    public let messageID: UInt32
}

/// Bounds on what a sequencer holds. Every queue and window is bounded; over a bound the frame is refused
/// (`overLimit` for queues, `tooLarge` for sizes), never queued.
public struct SequencerLimits: Sendable {
    /// Entries admitted but not yet durable.
    public var maximumPendingEntries: Int
    /// Message IDs remembered per sender for recognising retries.
    public var retryWindow: Int
    /// Senders whose retry windows are kept (the oldest is forgotten first).
    public var maximumTrackedSenders: Int
    /// Payload bytes of the entries admitted but not yet durable (Welcomes included).
    public var maximumPendingBytes: Int
    /// Redactions waiting for their target to be read.
    public var maximumPendingRedactions: Int
    /// The largest frame payload taken.
    public var maximumPayloadBytes: Int

    public init(
        maximumPendingEntries: Int = 4_096,
        retryWindow: Int = 256,
        maximumTrackedSenders: Int = 10_000,
        maximumPendingBytes: Int = 64 << 20,
        maximumPendingRedactions: Int = 64,
        maximumPayloadBytes: Int = Limits.maximumFramePayloadBytes
    ) {
        self.maximumPendingEntries = max(1, maximumPendingEntries)
        self.retryWindow = max(1, retryWindow)
        self.maximumTrackedSenders = max(1, maximumTrackedSenders)
        self.maximumPendingBytes = max(1, maximumPendingBytes)
        self.maximumPendingRedactions = max(1, maximumPendingRedactions)
        self.maximumPayloadBytes = max(0, maximumPayloadBytes)
    }

    public static let `default` = SequencerLimits()
}

/// Why the sequencer refused a frame: the code on the wire and the detail for logs.
public struct SequencerRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: RejectionCode
    public let detail: String
    /// The current epoch, for epoch rejections.
    public let currentEpoch: Epoch?

    public init(_ code: RejectionCode, _ detail: String, currentEpoch: Epoch? = nil) {
        self.code = code
        self.detail = detail
        self.currentEpoch = currentEpoch
    }

    public var description: String { "\(code): \(detail)" }
}
