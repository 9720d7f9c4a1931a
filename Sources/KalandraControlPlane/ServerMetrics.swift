import Prometheus

/// The home server's operational metrics, in a Prometheus registry that this value owns.
///
/// Nothing here touches the global `MetricsSystem`: each instance has its own registry, so a process (or a test) can
/// hold several. Label values come from fixed sets given at init; any other value is counted under `other`, so a peer
/// that sends made-up opcodes or provokes odd rejections cannot grow the number of time series.
///
/// The metrics (see ``catalogue`` for the same list as data):
/// - `kalandra_connections` (gauge): client connections open now.
/// - `kalandra_frames_received_total{opcode}` (counter): frames read from clients, by opcode name.
/// - `kalandra_frames_sent_total{opcode}` (counter): frames written to clients, by opcode name.
/// - `kalandra_commits_admitted_total` (counter): MLS commits the sequencer admitted, one per new epoch.
/// - `kalandra_frames_rejected_total{reason}` (counter): frames refused, by rejection code name.
/// - `kalandra_sequencing_seconds` (histogram): time from a frame's arrival to its place in the room log.
/// - `kalandra_storage_write_seconds` (histogram): time of one durable write to storage.
/// - `kalandra_fanout_queue_depth` (gauge): frames waiting to be sent to clients, summed over connections.
/// - `kalandra_log_entries` (gauge): entries in the room logs, summed over rooms.
/// - `kalandra_rooms` (gauge): rooms this server sequences.
public final class ServerMetrics: Sendable {
    /// The label value that stands for every value outside the allowed set.
    public static let otherLabelValue = "other"
    /// At most this many allowed values per label, so the series count has a fixed ceiling.
    public static let maximumLabelValues = 128
    /// At most this many bytes in an allowed label value.
    public static let maximumLabelValueLength = 64

    /// Histogram bucket upper bounds: 10 µs to 1 s in 1-2.5-5 steps, the range of an in-memory sequencing step up to a
    /// slow fsync.
    public static let durationBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50),
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1),
    ]

    /// The registry the metrics live in; ``exposition()`` renders it.
    public let registry: PrometheusCollectorRegistry

    private let connections: Gauge
    private let framesReceived: BoundedCounterFamily
    private let framesSent: BoundedCounterFamily
    private let commitsAdmitted: Counter
    private let framesRejected: BoundedCounterFamily
    private let sequencing: DurationHistogram
    private let storageWrite: DurationHistogram
    private let fanoutQueueDepth: Gauge
    private let logEntries: Gauge
    private let rooms: Gauge

    /// Registers every metric, and every allowed label value at zero, in a new registry.
    /// - Parameters:
    ///   - opcodes: the opcode names the `opcode` label may take (the server passes its opcodes' names).
    ///   - rejectionReasons: the rejection code names the `reason` label may take.
    /// - Throws: ``ServerMetricsError`` if a set is too large or a value is empty, too long, reserved, repeated or not
    ///   made of ASCII letters, digits and underscores.
    public init(opcodes: [String], rejectionReasons: [String]) throws(ServerMetricsError) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        connections = registry.makeGauge(descriptor: Self.descriptor(.connections))
        framesReceived = try BoundedCounterFamily(
            registry: registry,
            descriptor: Self.descriptor(.framesReceived),
            label: "opcode",
            allowed: opcodes
        )
        framesSent = try BoundedCounterFamily(
            registry: registry,
            descriptor: Self.descriptor(.framesSent),
            label: "opcode",
            allowed: opcodes
        )
        commitsAdmitted = registry.makeCounter(descriptor: Self.descriptor(.commitsAdmitted))
        framesRejected = try BoundedCounterFamily(
            registry: registry,
            descriptor: Self.descriptor(.framesRejected),
            label: "reason",
            allowed: rejectionReasons
        )
        sequencing = registry.makeDurationHistogram(
            descriptor: Self.descriptor(.sequencing),
            buckets: Self.durationBuckets
        )
        storageWrite = registry.makeDurationHistogram(
            descriptor: Self.descriptor(.storageWrite),
            buckets: Self.durationBuckets
        )
        fanoutQueueDepth = registry.makeGauge(descriptor: Self.descriptor(.fanoutQueueDepth))
        logEntries = registry.makeGauge(descriptor: Self.descriptor(.logEntries))
        rooms = registry.makeGauge(descriptor: Self.descriptor(.rooms))
    }

    // MARK: Recording

    /// A client connection was accepted.
    public func connectionOpened() { connections.increment() }
    /// A client connection ended, for any reason.
    public func connectionClosed() { connections.decrement() }

    /// A frame with this opcode name was read from a client; unknown names count as `other`.
    public func frameReceived(opcode: String) { framesReceived.increment(opcode) }
    /// A frame with this opcode name was written to a client; unknown names count as `other`.
    public func frameSent(opcode: String) { framesSent.increment(opcode) }
    /// The sequencer admitted a commit (a new epoch began).
    public func commitAdmitted() { commitsAdmitted.increment() }
    /// A frame was refused with this rejection code name; unknown names count as `other`.
    public func frameRejected(reason: String) { framesRejected.increment(reason) }

    /// How long sequencing one frame took. A negative duration (a clock stepping back) is recorded as zero: the
    /// exposition of a negative `Duration` would not parse.
    public func recordSequencing(_ duration: Duration) { sequencing.record(max(duration, .zero)) }
    /// How long one durable storage write took; negative durations are recorded as zero, as above.
    public func recordStorageWrite(_ duration: Duration) { storageWrite.record(max(duration, .zero)) }

    /// Frames queued for sending, summed over all connections.
    public func setFanoutQueueDepth(_ depth: Int) { fanoutQueueDepth.set(Double(depth)) }
    /// Entries in all room logs together.
    public func setLogEntries(_ count: Int) { logEntries.set(Double(count)) }
    /// Rooms this server sequences.
    public func setRooms(_ count: Int) { rooms.set(Double(count)) }

    // MARK: Exposition

    /// The registry in the Prometheus text exposition format 0.0.4.
    public func exposition() -> String { registry.emitToString() }

    // MARK: Catalogue

    /// A Prometheus metric type, as written on a `# TYPE` line.
    public enum Kind: String, Sendable, CaseIterable {
        case counter, gauge, histogram
    }

    /// One metric: its full name, type, label name (if any) and help text.
    public struct Description: Sendable, Equatable {
        public let name: String
        public let kind: Kind
        public let label: String?
        public let help: String
    }

    /// Every metric this type exposes, in the order of the operator runbook.
    public static let catalogue: [Description] = MetricID.allCases.map(\.description)

    private static func descriptor(_ id: MetricID) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "kalandra", metricName: id.baseName, unitName: id.unit, helpText: id.help)
    }
}

/// The metrics, named once; the descriptors and ``ServerMetrics/catalogue`` both derive from this.
private enum MetricID: CaseIterable {
    case connections, framesReceived, framesSent, commitsAdmitted, framesRejected
    case sequencing, storageWrite, fanoutQueueDepth, logEntries, rooms

    var baseName: String {
        switch self {
        case .connections: "connections"
        case .framesReceived: "frames_received"
        case .framesSent: "frames_sent"
        case .commitsAdmitted: "commits_admitted"
        case .framesRejected: "frames_rejected"
        case .sequencing: "sequencing"
        case .storageWrite: "storage_write"
        case .fanoutQueueDepth: "fanout_queue_depth"
        case .logEntries: "log_entries"
        case .rooms: "rooms"
        }
    }

    var kind: ServerMetrics.Kind {
        switch self {
        case .framesReceived, .framesSent, .commitsAdmitted, .framesRejected: .counter
        case .sequencing, .storageWrite: .histogram
        case .connections, .fanoutQueueDepth, .logEntries, .rooms: .gauge
        }
    }

    /// The unit suffix: `total` for counters, `seconds` for durations, none for a plain count.
    var unit: String {
        switch kind {
        case .counter: "total"
        case .histogram: "seconds"
        case .gauge: ""
        }
    }

    var label: String? {
        switch self {
        case .framesReceived, .framesSent: "opcode"
        case .framesRejected: "reason"
        default: nil
        }
    }

    var help: String {
        switch self {
        case .connections: "Client connections open now."
        case .framesReceived: "Frames read from clients, by opcode name (other for names outside the known set)."
        case .framesSent: "Frames written to clients, by opcode name (other for names outside the known set)."
        case .commitsAdmitted: "MLS commits admitted by the sequencer; each starts a new epoch."
        case .framesRejected: "Frames refused, by rejection code name (other for names outside the known set)."
        case .sequencing: "Time from a frame's arrival to its place in the room log."
        case .storageWrite: "Duration of one durable storage write."
        case .fanoutQueueDepth: "Frames queued for sending to clients, summed over connections."
        case .logEntries: "Entries in the room logs, summed over rooms."
        case .rooms: "Rooms this server sequences."
        }
    }

    var description: ServerMetrics.Description {
        let name = ["kalandra", baseName, unit].filter { !$0.isEmpty }.joined(separator: "_")
        return ServerMetrics.Description(name: name, kind: kind, label: label, help: help)
    }
}

/// Why ``ServerMetrics`` refused its label sets.
public enum ServerMetricsError: Error, Equatable, CustomStringConvertible {
    /// More than ``ServerMetrics/maximumLabelValues`` values for one label.
    case tooManyLabelValues(label: String, count: Int)
    /// A value that is empty, longer than ``ServerMetrics/maximumLabelValueLength`` or not `[A-Za-z0-9_]+`.
    case invalidLabelValue(label: String, value: String)
    /// `other` is the overflow value and cannot be allowed explicitly.
    case reservedLabelValue(label: String)
    /// The same value twice in one set.
    case duplicateLabelValue(label: String, value: String)

    public var description: String {
        switch self {
        case .tooManyLabelValues(let label, let count):
            "label \(label): \(count) values, at most \(ServerMetrics.maximumLabelValues) allowed"
        case .invalidLabelValue(let label, let value):
            "label \(label): value \(value.debugDescription.prefix(80)) is not 1-64 ASCII letters, digits or underscores"
        case .reservedLabelValue(let label):
            "label \(label): \(ServerMetrics.otherLabelValue) is reserved for values outside the set"
        case .duplicateLabelValue(let label, let value):
            "label \(label): value \(value) appears twice"
        }
    }
}

/// A counter with one label whose values are fixed at init; every series exists from the start, at zero.
private struct BoundedCounterFamily: Sendable {
    private let counters: [String: Counter]
    private let other: Counter

    init(
        registry: PrometheusCollectorRegistry,
        descriptor: MetricNameDescriptor,
        label: String,
        allowed: [String]
    ) throws(ServerMetricsError) {
        guard allowed.count <= ServerMetrics.maximumLabelValues else {
            throw .tooManyLabelValues(label: label, count: allowed.count)
        }
        var counters: [String: Counter] = [:]
        for value in allowed {
            guard Self.isValid(value) else { throw .invalidLabelValue(label: label, value: value) }
            guard value != ServerMetrics.otherLabelValue else { throw .reservedLabelValue(label: label) }
            guard counters[value] == nil else { throw .duplicateLabelValue(label: label, value: value) }
            counters[value] = registry.makeCounter(descriptor: descriptor, labels: [(label, value)])
        }
        self.counters = counters
        other = registry.makeCounter(descriptor: descriptor, labels: [(label, ServerMetrics.otherLabelValue)])
    }

    func increment(_ value: String) { (counters[value] ?? other).increment() }

    private static func isValid(_ value: String) -> Bool {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= ServerMetrics.maximumLabelValueLength else { return false }
        return bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
        }
    }
}
