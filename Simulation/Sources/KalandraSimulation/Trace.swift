import Crypto
import KalandraCore

/// One line of a run's history.
public struct TraceRecord: Equatable, Sendable {
    /// When it happened.
    public let time: SimTime
    /// Where it happened.
    public let node: NodeID
    /// What happened.
    public let text: String

    /// A record of `text` at `node` and `time`.
    public init(time: SimTime, node: NodeID, text: String) {
        self.time = time
        self.node = node
        self.text = text
    }
}

/// A run's history: a SHA-256 over every record, so two runs of one seed can be compared by a single hash, and the
/// last records kept in memory, so a failing run can print how it got there without storing all of it.
public struct Trace: Sendable {
    private var hasher = SHA256()
    private var ring: [TraceRecord] = []
    /// Where the next record goes once the ring is full (the oldest record's slot).
    private var ringStart = 0
    /// How many of the latest records are kept for `render(last:)`.
    public let capacity: Int
    /// The number of records appended since the start.
    public private(set) var count = 0

    /// An empty trace that keeps the last `capacity` records in memory.
    public init(capacity: Int) {
        precondition(capacity >= 0, "a trace cannot keep a negative number of records")
        self.capacity = capacity
        ring.reserveCapacity(capacity)
    }

    /// Appends a record: hashes it and keeps it in the ring, dropping the oldest one when the ring is full.
    public mutating func append(_ record: TraceRecord) {
        hasher.update(data: Self.canonicalEncoding(of: record))
        count += 1
        guard capacity > 0 else { return }
        if ring.count < capacity {
            ring.append(record)
        } else {
            ring[ringStart] = record
            ringStart = (ringStart + 1) % capacity
        }
    }

    /// Appends `text` at `node` and `time`.
    public mutating func append(at time: SimTime, node: NodeID, _ text: String) {
        append(TraceRecord(time: time, node: node, text: text))
    }

    /// The SHA-256 of every record so far, in lowercase hex; the trace stays open for more records.
    public var hashHex: String {
        Hex.encode(hasher.finalize())
    }

    /// The records still in memory, oldest first (at most `capacity`, the latest ones).
    public var recentRecords: [TraceRecord] {
        Array(ring[ringStart...] + ring[..<ringStart])
    }

    /// The last `last` records in memory as aligned lines: right-aligned time, node name, text.
    public func render(last: Int) -> String {
        let records = recentRecords.suffix(max(0, last))
        let nameWidth = records.map(\.node.name.count).max() ?? 0
        return records.map { record in
            let time = record.time.description
            let name = record.node.name
            return String(repeating: " ", count: max(0, 11 - time.count)) + time + "  " + name
                + String(repeating: " ", count: nameWidth - name.count) + "  " + record.text
        }.joined(separator: "\n")
    }

    /// Fixed-width big-endian numbers and length-prefixed UTF-8, so distinct record sequences never encode alike (no
    /// separator that a text could contain).
    static func canonicalEncoding(of record: TraceRecord) -> [UInt8] {
        var bytes: [UInt8] = []
        let name = Array(record.node.name.utf8)
        let text = Array(record.text.utf8)
        bytes.reserveCapacity(20 + name.count + text.count)
        appendBigEndian(record.time.microseconds, to: &bytes)
        appendBigEndian(UInt64(record.node.rawValue), to: &bytes, width: 4)
        appendBigEndian(UInt64(name.count), to: &bytes, width: 4)
        bytes += name
        appendBigEndian(UInt64(text.count), to: &bytes, width: 4)
        bytes += text
        return bytes
    }

    private static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8], width: Int = 8) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
