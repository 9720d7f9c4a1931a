/// Bounds on what one request may ask of storage. Requests over a bound are refused with
/// `StorageError.limitExceeded`, never truncated silently.
public struct StorageLimits: Sendable, Equatable {
    /// Largest log payload, in bytes (a frame with its maximum payload fits).
    public var maximumPayloadBytes: Int = (1 << 20) + 4_096
    /// Largest state value, in bytes (MLS group state of a large room fits).
    public var maximumStateValueBytes: Int = 64 << 20
    /// Longest state key name, in bytes.
    public var maximumStateNameBytes: Int = 1_024
    /// Most operations in one batch.
    public var maximumBatchOperations: Int = 10_000
    /// Most entries one log read returns.
    public var maximumReadCount: Int = 10_000
    /// A log segment is sealed once its payloads reach this many bytes; the next append opens a new segment.
    public var segmentBytes: Int = 64 << 20

    /// The defaults.
    public init() {}
}
