/// Wall-clock time in milliseconds since the Unix epoch, limited to 48 bits (until the year 10889), the width the frame
/// header gives it. Protocol cores receive timestamps as inputs; they never read a clock.
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The largest representable value, 2^48 - 1 milliseconds.
    public static let maximumMilliseconds: UInt64 = (1 << 48) - 1

    /// Milliseconds since 1970-01-01T00:00:00Z; at most `maximumMilliseconds`.
    public let milliseconds: UInt64

    /// A timestamp, or nil when `milliseconds` does not fit in 48 bits.
    public init?(milliseconds: UInt64) {
        guard milliseconds <= Self.maximumMilliseconds else { return nil }
        self.milliseconds = milliseconds
    }

    /// The Unix epoch.
    public static let zero = Timestamp(milliseconds: 0)!

    /// The decimal number of milliseconds.
    public var description: String { "\(milliseconds) ms" }

    /// The distance from `other` to `self` in milliseconds, negative when `self` is earlier.
    public func millisecondsSince(_ other: Timestamp) -> Int64 {
        Int64(milliseconds) - Int64(other.milliseconds)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }
}
