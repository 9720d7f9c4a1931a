import KalandraCore

/// The message IDs the sequencer remembers per sender, to answer a retried frame with its original position instead
/// of appending it twice. A sender's window keeps its last `size` admitted message IDs (oldest forgotten first);
/// an ID at or below the highest forgotten one, and not in the window, is too old to tell from a new frame.
struct RetryWindows: Sendable {
    struct Admitted: Sendable, Equatable {
        let sequence: LogSequence
        /// SHA-256 of the frame, so a different frame under a used ID is told apart from a retry.
        let digest: [UInt8]
    }

    private struct Window: Sendable {
        var admitted: [UInt32: Admitted] = [:]
        var order: [UInt32] = []
        var head = 0
        var highestForgotten: UInt32?
    }

    enum Lookup: Equatable {
        case new
        case retry(Admitted)
        case reused(Admitted)
        case tooOld
    }

    let windowSize: Int
    let maximumSenders: Int
    private var windows: [SenderID: Window] = [:]
    /// Senders in the order their windows were created, for forgetting the oldest.
    private var senders: [SenderID] = []
    private var sendersHead = 0

    init(windowSize: Int, maximumSenders: Int) {
        self.windowSize = windowSize
        self.maximumSenders = maximumSenders
    }

    func lookUp(sender: SenderID, messageID: UInt32, digest: [UInt8]) -> Lookup {
        guard let window = windows[sender] else { return .new }
        if let admitted = window.admitted[messageID] {
            return admitted.digest == digest ? .retry(admitted) : .reused(admitted)
        }
        if let forgotten = window.highestForgotten, messageID <= forgotten { return .tooOld }
        return .new
    }

    mutating func record(sender: SenderID, messageID: UInt32, _ admitted: Admitted) {
        if windows[sender] == nil {
            if windows.count >= maximumSenders { forgetOldestSender() }
            if senders.count - sendersHead > 2 * maximumSenders {
                // Forgotten senders leave stale entries behind; keep the list to the live ones, oldest first.
                var seen: Set<SenderID> = []
                senders = senders[sendersHead...].filter { windows[$0] != nil && seen.insert($0).inserted }
                sendersHead = 0
            }
            senders.append(sender)
            windows[sender] = Window()
        }
        windows[sender]!.admitted[messageID] = admitted
        windows[sender]!.order.append(messageID)
        while windows[sender]!.order.count - windows[sender]!.head > windowSize {
            let oldest = windows[sender]!.order[windows[sender]!.head]
            windows[sender]!.head += 1
            windows[sender]!.admitted[oldest] = nil
            windows[sender]!.highestForgotten = max(windows[sender]!.highestForgotten ?? 0, oldest)
        }
        // Compact the consumed prefix now and then, so the array stays within twice the window.
        if windows[sender]!.head > windowSize {
            windows[sender]!.order.removeFirst(windows[sender]!.head)
            windows[sender]!.head = 0
        }
    }

    /// Forgets `sender`'s window (a member removed from the room).
    mutating func forget(sender: SenderID) {
        windows[sender] = nil
    }

    private mutating func forgetOldestSender() {
        while sendersHead < senders.count {
            let oldest = senders[sendersHead]
            sendersHead += 1
            if windows.removeValue(forKey: oldest) != nil { break }
        }
        if sendersHead > maximumSenders {
            senders.removeFirst(sendersHead)
            sendersHead = 0
        }
    }
}
