import ArgumentParser
import Foundation
import KalandraSimulation

/// `kalandra-sim`: runs the deterministic simulator. A failing seed prints its parameters, the failed invariants and
/// the end of its trace; running that seed again replays it exactly.
@main
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kalandra-sim",
        abstract: "Run Kalandra's deterministic simulator: the real sequencer, clients and MLS under faults."
    )

    @Option(help: "The first seed.")
    var seed: UInt64 = 0

    @Option(help: "How many seeds to run, from --seed on.")
    var seeds: Int = 1

    @Flag(help: "Swarm mode: each seed draws its own fault mix and workload (the default scenario).")
    var swarm = false

    @Option(help: "Run a roadmap scenario instead: five-proposals.")
    var scenario: String?

    @Option(
        name: .customLong("fault"),
        help:
            "Force a fault setting, e.g. loss=0.5, duplication=0.1, no-partitions, crashes=on, clients=6 (repeatable)."
    )
    var faults: [String] = []

    @Option(help: "Packet loss for the five-proposals scenario.")
    var loss: Double = 0

    @Flag(help: "Run every seed twice and fail unless both runs give the same trace hash.")
    var checkReplay = false

    @Flag(help: "Print each seed's trace hash and statistics.")
    var verbose = false

    @Option(help: "Trace lines printed for a failing seed.")
    var traceLines: Int = 120

    mutating func run() throws {
        let options = try FaultOptions(arguments: faults)
        let chosen: Scenario
        switch scenario {
        case nil: chosen = .swarm
        case "five-proposals": chosen = .simultaneousProposals(proposers: 5, loss: loss)
        case let other?: throw ValidationError("unknown scenario \(other); known: five-proposals")
        }
        var failed: [UInt64] = []
        var events = 0
        let started = Date()
        for offset in 0..<UInt64(max(1, seeds)) {
            let current = seed &+ offset
            let parameters = SwarmParameters.draw(seed: current, options: options)
            let outcome = try SimulatedCluster(parameters: parameters, scenario: chosen, traceCapacity: traceLines)
                .run()
            events += outcome.events
            var failures = outcome.failures
            if checkReplay {
                let again = try SimulatedCluster(parameters: parameters, scenario: chosen, traceCapacity: traceLines)
                    .run()
                if again.traceHash != outcome.traceHash {
                    failures.append("replay diverged: trace hash \(outcome.traceHash) then \(again.traceHash)")
                }
            }
            if verbose || !failures.isEmpty {
                print(
                    "seed \(current) [\(chosen)]: \(failures.isEmpty ? "ok" : "FAILED"), \(outcome.events) events, "
                        + "\(outcome.virtualTime) virtual, trace \(outcome.traceHash.prefix(16))"
                )
                print("  \(outcome.statistics)")
            }
            if !failures.isEmpty {
                failed.append(current)
                print(
                    "parameters:\n"
                        + parameters.description.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n")
                )
                print("failed invariants:")
                for failure in failures { print("  - \(failure)") }
                print("trace (last \(traceLines) lines):\n" + outcome.recentTrace)
                print(
                    "replay: kalandra-sim --seed \(current)" + faults.map { " --fault \($0)" }.joined()
                        + (scenario.map { " --scenario \($0) --loss \(loss)" } ?? "")
                )
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print(
            "\(seeds) seed(s) from \(seed): \(seeds - failed.count) passed, \(failed.count) failed; \(events) events in "
                + String(format: "%.1f s (%.0f events/s)", seconds, Double(events) / max(seconds, 1e-9))
        )
        if !failed.isEmpty {
            print("failed seeds: \(failed.map(String.init).joined(separator: " "))")
            throw ExitCode(1)
        }
    }
}
