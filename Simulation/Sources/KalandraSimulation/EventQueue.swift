/// The simulator's agenda: a binary min-heap of events ordered by (time, insertion order), so events at the same
/// virtual time pop in the order they were scheduled and a run never depends on how the heap breaks ties.
public struct EventQueue<Event> {
    fileprivate struct Entry {
        let time: SimTime
        let sequence: UInt64
        let event: Event

        func precedes(_ other: Entry) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0
    /// The most events the queue holds at once.
    public let limit: Int
    /// The time of the last event popped: scheduling before it is refused.
    public private(set) var now: SimTime = .zero

    /// An empty queue that holds at most `limit` events.
    public init(limit: Int) {
        precondition(limit > 0, "an event queue needs room for at least one event")
        self.limit = limit
    }

    /// The number of events waiting.
    public var count: Int { heap.count }

    /// True when no event is waiting.
    public var isEmpty: Bool { heap.isEmpty }

    /// The time of the next event, or nil when the queue is empty.
    public var peekTime: SimTime? { heap.first?.time }

    /// Schedules `event` at `time`, after every event already scheduled at the same time.
    public mutating func schedule(_ event: Event, at time: SimTime) throws(SimulationError) {
        guard heap.count < limit else { throw .queueFull(limit: limit) }
        guard time >= now else { throw .scheduledInPast(time: time, now: now) }
        heap.append(Entry(time: time, sequence: nextSequence, event: event))
        nextSequence += 1
        siftUp(from: heap.count - 1)
    }

    /// Removes and returns the earliest event (the first scheduled among equal times), advancing `now` to its time.
    public mutating func popNext() -> (time: SimTime, event: Event)? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(from: 0)
        }
        now = first.time
        return (first.time, first.event)
    }

    private mutating func siftUp(from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let smaller = right < heap.count && heap[right].precedes(heap[left]) ? right : left
            guard heap[smaller].precedes(heap[parent]) else { return }
            heap.swapAt(parent, smaller)
            parent = smaller
        }
    }
}

extension EventQueue: Sendable where Event: Sendable {}
extension EventQueue.Entry: Sendable where Event: Sendable {}
