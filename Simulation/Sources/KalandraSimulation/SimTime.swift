/// Virtual time in microseconds since the start of a run, also used for durations. Only the simulator's event queue
/// advances it, so runs do not depend on the host's speed.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since the start of the run (or the length of a duration).
    public var microseconds: UInt64

    /// A time of `microseconds`.
    public init(microseconds: UInt64) {
        self.microseconds = microseconds
    }

    /// The start of a run, or an empty duration.
    public static let zero = SimTime(microseconds: 0)

    /// `count` microseconds.
    public static func microseconds(_ count: UInt64) -> SimTime { SimTime(microseconds: count) }

    /// `count` milliseconds.
    public static func milliseconds(_ count: UInt64) -> SimTime { SimTime(microseconds: count * 1_000) }

    /// `count` seconds.
    public static func seconds(_ count: UInt64) -> SimTime { SimTime(microseconds: count * 1_000_000) }

    /// Milliseconds with three decimals, e.g. "12.345ms": exact, and lines up in traces.
    public var description: String {
        let fraction = String(microseconds % 1_000)
        return "\(microseconds / 1_000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)ms"
    }

    /// The time `duration` after `time`.
    public static func + (time: SimTime, duration: SimTime) -> SimTime {
        SimTime(microseconds: time.microseconds + duration.microseconds)
    }

    /// Advances `time` by `duration`.
    public static func += (time: inout SimTime, duration: SimTime) {
        time.microseconds += duration.microseconds
    }

    /// The duration from `earlier` to `self`, or zero when `earlier` is later.
    public func duration(since earlier: SimTime) -> SimTime {
        SimTime(microseconds: microseconds > earlier.microseconds ? microseconds - earlier.microseconds : 0)
    }

    public static func < (lhs: SimTime, rhs: SimTime) -> Bool { lhs.microseconds < rhs.microseconds }
}
