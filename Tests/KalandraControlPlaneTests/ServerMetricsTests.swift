import Foundation
import KalandraControlPlane
import Testing

/// The opcode and rejection-code names the tests allow; the server passes KalandraWire's `Opcode` and `RejectionCode`
/// case names.
enum Fixture {
    static let opcodes = ["hello", "ping", "commit", "applicationMessage", "deliver"]
    static let reasons = ["malformed", "badSignature", "staleEpoch", "overLimit"]

    static func metrics() throws -> ServerMetrics {
        try ServerMetrics(opcodes: opcodes, rejectionReasons: reasons)
    }

    /// Sample lines of an exposition (`name{labels} value`), keyed by everything before the value.
    static func samples(_ exposition: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            result[String(line[..<space])] = value
        }
        return result
    }
}

@Suite struct ServerMetricsTests {
    @Test func namesFollowPrometheusConventions() {
        let catalogue = ServerMetrics.catalogue
        #expect(catalogue.count == 10)
        #expect(Set(catalogue.map(\.name)).count == catalogue.count, "names must be unique")
        let snakeCase = /^kalandra_[a-z][a-z0-9]*(_[a-z0-9]+)*$/
        for metric in catalogue {
            #expect(metric.name.wholeMatch(of: snakeCase) != nil, "\(metric.name) is not kalandra_ snake_case")
            #expect(!metric.help.isEmpty)
            switch metric.kind {
            case .counter: #expect(metric.name.hasSuffix("_total"), "\(metric.name)")
            case .histogram: #expect(metric.name.hasSuffix("_seconds"), "\(metric.name)")
            case .gauge:
                #expect(!metric.name.hasSuffix("_total") && !metric.name.hasSuffix("_seconds"), "\(metric.name)")
            }
        }
        let required = [
            "kalandra_connections", "kalandra_frames_received_total", "kalandra_frames_sent_total",
            "kalandra_commits_admitted_total", "kalandra_frames_rejected_total", "kalandra_sequencing_seconds",
            "kalandra_storage_write_seconds", "kalandra_fanout_queue_depth", "kalandra_log_entries", "kalandra_rooms",
        ]
        #expect(catalogue.map(\.name) == required)
    }

    @Test func everyMetricHasHelpAndTypeInTheExposition() throws {
        let text = try Fixture.metrics().exposition()
        for metric in ServerMetrics.catalogue {
            #expect(text.contains("# HELP \(metric.name) \(metric.help)\n"), "\(metric.name) lacks its HELP line")
            #expect(text.contains("# TYPE \(metric.name) \(metric.kind.rawValue)\n"), "\(metric.name) lacks its TYPE")
        }
    }

    @Test func recordingShowsInTheExposition() throws {
        let metrics = try Fixture.metrics()
        metrics.connectionOpened()
        metrics.connectionOpened()
        metrics.connectionOpened()
        metrics.connectionClosed()
        for _ in 0..<4 { metrics.frameReceived(opcode: "commit") }
        metrics.frameSent(opcode: "deliver")
        metrics.commitAdmitted()
        metrics.frameRejected(reason: "staleEpoch")
        metrics.setFanoutQueueDepth(12)
        metrics.setLogEntries(3456)
        metrics.setRooms(9)
        let samples = Fixture.samples(metrics.exposition())
        #expect(samples["kalandra_connections"] == 2)
        #expect(samples[#"kalandra_frames_received_total{opcode="commit"}"#] == 4)
        #expect(samples[#"kalandra_frames_received_total{opcode="hello"}"#] == 0)
        #expect(samples[#"kalandra_frames_sent_total{opcode="deliver"}"#] == 1)
        #expect(samples["kalandra_commits_admitted_total"] == 1)
        #expect(samples[#"kalandra_frames_rejected_total{reason="staleEpoch"}"#] == 1)
        #expect(samples["kalandra_fanout_queue_depth"] == 12)
        #expect(samples["kalandra_log_entries"] == 3456)
        #expect(samples["kalandra_rooms"] == 9)
    }

    @Test func histogramBucketsSpanTenMicrosecondsToOneSecond() throws {
        let buckets = ServerMetrics.durationBuckets
        #expect(buckets.first == .microseconds(10))
        #expect(buckets.last == .seconds(1))
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 }, "buckets must increase")

        let metrics = try Fixture.metrics()
        metrics.recordSequencing(.microseconds(30))
        metrics.recordSequencing(.milliseconds(3))
        metrics.recordStorageWrite(.seconds(2))
        let samples = Fixture.samples(metrics.exposition())
        #expect(samples[#"kalandra_sequencing_seconds_bucket{le="0.000025"}"#] == 0)
        #expect(samples[#"kalandra_sequencing_seconds_bucket{le="0.00005"}"#] == 1)
        #expect(samples[#"kalandra_sequencing_seconds_bucket{le="0.005"}"#] == 2)
        #expect(samples[#"kalandra_sequencing_seconds_bucket{le="+Inf"}"#] == 2)
        #expect(samples["kalandra_sequencing_seconds_count"] == 2)
        #expect(abs((samples["kalandra_sequencing_seconds_sum"] ?? 0) - 0.00303) < 1e-12)
        #expect(samples[#"kalandra_storage_write_seconds_bucket{le="1.0"}"#] == 0)
        #expect(samples[#"kalandra_storage_write_seconds_bucket{le="+Inf"}"#] == 1)
    }

    /// A clock stepping back must not reach the registry: the library renders a `Duration` digit by digit and does not
    /// handle negative ones.
    @Test func negativeDurationsCountAsZero() throws {
        let metrics = try Fixture.metrics()
        metrics.recordStorageWrite(.milliseconds(-5))
        metrics.recordSequencing(.nanoseconds(-1))
        let samples = Fixture.samples(metrics.exposition())
        #expect(samples[#"kalandra_storage_write_seconds_bucket{le="0.00001"}"#] == 1)
        #expect(samples["kalandra_storage_write_seconds_sum"] == 0)
        #expect(samples["kalandra_sequencing_seconds_sum"] == 0)
    }

    /// A peer sending made-up opcodes or reasons adds to `other`, never a new series.
    @Test func unknownLabelValuesCollapseIntoOther() throws {
        let metrics = try Fixture.metrics()
        for index in 0..<1000 {
            metrics.frameReceived(opcode: "opcode\(index)")
            metrics.frameRejected(reason: "reason \"\(index)\"\n")
        }
        metrics.frameSent(opcode: "COMMIT")  // case matters: not "commit"
        let samples = Fixture.samples(metrics.exposition())
        let received = samples.keys.filter { $0.hasPrefix("kalandra_frames_received_total{") }
        #expect(received.count == Fixture.opcodes.count + 1)
        #expect(samples[#"kalandra_frames_received_total{opcode="other"}"#] == 1000)
        let rejected = samples.keys.filter { $0.hasPrefix("kalandra_frames_rejected_total{") }
        #expect(rejected.count == Fixture.reasons.count + 1)
        #expect(samples[#"kalandra_frames_rejected_total{reason="other"}"#] == 1000)
        #expect(samples[#"kalandra_frames_sent_total{opcode="other"}"#] == 1)
        #expect(samples[#"kalandra_frames_sent_total{opcode="commit"}"#] == 0)
    }

    @Test func labelSetsAreValidatedAtInit() {
        #expect(throws: ServerMetricsError.reservedLabelValue(label: "opcode")) {
            try ServerMetrics(opcodes: ["hello", "other"], rejectionReasons: [])
        }
        #expect(throws: ServerMetricsError.duplicateLabelValue(label: "reason", value: "malformed")) {
            try ServerMetrics(opcodes: [], rejectionReasons: ["malformed", "malformed"])
        }
        #expect(throws: ServerMetricsError.invalidLabelValue(label: "opcode", value: "has space")) {
            try ServerMetrics(opcodes: ["has space"], rejectionReasons: [])
        }
        #expect(throws: ServerMetricsError.invalidLabelValue(label: "opcode", value: "")) {
            try ServerMetrics(opcodes: [""], rejectionReasons: [])
        }
        let long = String(repeating: "a", count: ServerMetrics.maximumLabelValueLength + 1)
        #expect(throws: ServerMetricsError.invalidLabelValue(label: "reason", value: long)) {
            try ServerMetrics(opcodes: [], rejectionReasons: [long])
        }
        let many = (0...ServerMetrics.maximumLabelValues).map { "op\($0)" }
        #expect(throws: ServerMetricsError.tooManyLabelValues(label: "opcode", count: many.count)) {
            try ServerMetrics(opcodes: many, rejectionReasons: [])
        }
        // The limits themselves are accepted.
        let longest = String(repeating: "a", count: ServerMetrics.maximumLabelValueLength)
        #expect(throws: Never.self) {
            try ServerMetrics(opcodes: Array(many.dropLast()), rejectionReasons: [longest])
        }
    }

    /// Each instance owns its registry: two in one process neither collide nor share counts.
    @Test func twoInstancesAreIndependent() throws {
        let first = try Fixture.metrics()
        let second = try Fixture.metrics()
        first.commitAdmitted()
        first.commitAdmitted()
        second.commitAdmitted()
        #expect(first.registry !== second.registry)
        #expect(Fixture.samples(first.exposition())["kalandra_commits_admitted_total"] == 2)
        #expect(Fixture.samples(second.exposition())["kalandra_commits_admitted_total"] == 1)
    }
}
