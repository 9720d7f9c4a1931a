import Foundation
import KalandraControlPlane
import Logging
import ServiceLifecycle
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real Prometheus scrapes a real control plane on loopback, and its query API returns the values the test set.
@Suite struct LivePrometheusTests {
    static let deadline = Duration.seconds(30)
    /// Commits admitted before the scrape; what Prometheus must report.
    static let commits = 7

    @Test(.timeLimit(.minutes(1))) func prometheusScrapesTheControlPlane() async throws {
        let prometheus = try Tools.locate("prometheus")
        let metrics = try Fixture.metrics()
        for _ in 0..<Self.commits { metrics.commitAdmitted() }
        for _ in 0..<3 { metrics.frameReceived(opcode: "commit") }
        metrics.setRooms(2)

        var logger = Logger(label: "test.live-prometheus")
        logger.logLevel = .warning
        let controlPlane = ControlPlane(
            configuration: try ControlPlaneConfiguration(port: 0, adminToken: ControlPlaneTests.token),
            metrics: metrics,
            state: TestState(),
            logger: logger
        )
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = controlPlane.makeApplication { port in portContinuation.yield(port) }
        let services = ServiceGroup(services: [app], logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // Ends the port stream if the server stops (or never starts), so the wait below cannot hang.
                defer { portContinuation.finish() }
                try await services.run()
            }
            do {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else {
                    throw Tools.Failed(description: "the control plane stopped before it listened")
                }
                try await Self.scrapeAndQuery(prometheus: prometheus, targetPort: port)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Starts Prometheus with a 1 s scrape of `127.0.0.1:targetPort`, polls its query API until the values arrive or
    /// the deadline passes, and always stops it.
    static func scrapeAndQuery(prometheus: URL, targetPort: Int) async throws {
        let directory = try Tools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configFile = directory.appendingPathComponent("prometheus.yml")
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: kalandra
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['127.0.0.1:\(targetPort)']

            """
        try Data(config.utf8).write(to: configFile)
        let logFile = directory.appendingPathComponent("prometheus.log")
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else {
            throw Tools.Failed(description: "cannot create \(logFile.path)")
        }
        let log = try FileHandle(forWritingTo: logFile)
        defer { try? log.close() }

        let webPort = try Tools.freeLoopbackPort()
        let process = Process()
        process.executableURL = prometheus
        process.arguments = [
            "--config.file=\(configFile.path)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(webPort)",
            "--log.level=warn",
        ]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let prometheusLog = { String(decoding: (try? Data(contentsOf: logFile)) ?? Data(), as: UTF8.self) }

        let clock = ContinuousClock()
        let end = clock.now + deadline
        var lastAnswer = "no answer yet"
        while clock.now < end {
            guard process.isRunning else {
                throw Tools.Failed(
                    description: "prometheus exited with \(process.terminationStatus):\n\(prometheusLog())"
                )
            }
            if let answer = try? await query("kalandra_commits_admitted_total", port: webPort) {
                lastAnswer = "\(answer)"
                if let sample = answer.first, sample.value == Double(Self.commits) {
                    #expect(answer.count == 1)
                    #expect(sample.labels["job"] == "kalandra")
                    #expect(sample.labels["instance"] == "127.0.0.1:\(targetPort)")
                    let frames = try await query(#"kalandra_frames_received_total{opcode="commit"}"#, port: webPort)
                    #expect(frames.map(\.value) == [3])
                    let rooms = try await query("kalandra_rooms", port: webPort)
                    #expect(rooms.map(\.value) == [2])
                    return
                }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record(
            """
            prometheus did not report kalandra_commits_admitted_total == \(commits) within \(deadline); \
            last answer: \(lastAnswer)
            \(prometheusLog())
            """
        )
    }

    struct Sample: CustomStringConvertible {
        let labels: [String: String]
        let value: Double
        var description: String { "\(labels) \(value)" }
    }

    /// The instant vector Prometheus returns for `expression` (empty before the first scrape).
    static func query(_ expression: String, port: Int) async throws -> [Sample] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        guard let url = URL(string: "http://127.0.0.1:\(port)/api/v1/query?query=\(encoded)") else {
            throw Tools.Failed(description: "bad query URL for \(expression)")
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            root["status"] as? String == "success",
            let body = root["data"] as? [String: Any],
            let result = body["result"] as? [[String: Any]]
        else {
            throw Tools.Failed(description: "unexpected answer: \(String(decoding: data, as: UTF8.self))")
        }
        return try result.map { entry in
            guard let labels = entry["metric"] as? [String: String],
                let pair = entry["value"] as? [Any], pair.count == 2,
                let text = pair[1] as? String, let value = Double(text)
            else {
                throw Tools.Failed(description: "unexpected sample: \(entry)")
            }
            return Sample(labels: labels, value: value)
        }
    }
}
