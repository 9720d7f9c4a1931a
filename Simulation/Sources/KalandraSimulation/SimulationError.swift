/// What the simulator's infrastructure refuses.
public enum SimulationError: Error, Equatable, Sendable {
    /// An event queue already holds `limit` events; a run that floods its queue is a bug or a runaway workload, and
    /// failing loudly beats exhausting memory.
    case queueFull(limit: Int)
    /// An event was scheduled before the time of the last event popped: delivering it would reverse cause and effect.
    case scheduledInPast(time: SimTime, now: SimTime)
    /// A link profile with an impossible setting (a probability outside [0, 1], a minimum latency above the maximum,
    /// a negative number of duplicates).
    case invalidLinkProfile(String)
    /// A fault option that is unknown or has a value out of range.
    case invalidFaultOption(String)
}
