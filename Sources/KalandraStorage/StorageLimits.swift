/// Bounds on what one request may ask of storage. Requests over a bound are refused with
/// `StorageError.limitExceeded`, never truncated silently.
public struct StorageLimits: Sendable, Equatable {
    /// Largest log payload, in bytes (a frame with its maximum payload fits).
    public var maximumPayloadBytes: Int = (1 << 20) + 4_096
    /// Largest state value, in bytes (the MLS state of a 10,000-member room fits with room to spare; kept well under
    /// the RocksDB wrapper's 64 MiB value limit, record header included).
    public var maximumStateValueBytes: Int = 16 << 20
    /// Longest state key name, in bytes.
    public var maximumStateNameBytes: Int = 1_024
    /// Most operations in one batch.
    public var maximumBatchOperations: Int = 10_000
    /// Most payload and state bytes in one batch.
    public var maximumBatchBytes: Int = 32 << 20
    /// Most bytes one log read returns (at least one record is returned whatever its size).
    public var maximumReadBytes: Int = 16 << 20
    /// Most entries one log read returns.
    public var maximumReadCount: Int = 10_000
    /// A log segment is sealed once its payloads reach this many bytes; the next append opens a new segment.
    public var segmentBytes: Int = 64 << 20

    /// The defaults.
    public init() {}

    /// Whether every bound is positive and the byte bounds fit the backends (checked when a store is created).
    public var areValid: Bool {
        [
            maximumPayloadBytes, maximumStateValueBytes, maximumStateNameBytes, maximumBatchOperations,
            maximumBatchBytes, maximumReadCount, maximumReadBytes, segmentBytes,
        ].allSatisfy { $0 > 0 } && maximumStateValueBytes <= 32 << 20 && maximumPayloadBytes <= 32 << 20
            && maximumBatchBytes <= 128 << 20
    }
}
