import KalandraCore
import Testing

@testable import KalandraSimulation

/// The simulated cluster end to end: the roadmap's scenarios, replay, swarm seeds, and sabotaged shells that the
/// checkers must catch (so a passing run means something).
@Suite struct ClusterTests {
    /// Short phases so a debug build runs a seed in a second or two; CI runs many longer seeds with kalandra-sim.
    static func quick(_ seed: UInt64, options: FaultOptions = FaultOptions()) -> SwarmParameters {
        var parameters = SwarmParameters.draw(seed: seed, options: options)
        parameters.faultPhase = .seconds(6)
        parameters.quietPhase = .seconds(30)
        parameters.messagesPerSecond = min(parameters.messagesPerSecond, 8)
        return parameters
    }

    @Test(arguments: [0.0, 0.5])
    func fiveMembersProposeAtOnceAndOneCommitCarriesAllFive(loss: Double) throws {
        let outcome = try SimulatedCluster(
            parameters: SwarmParameters.draw(seed: 7),
            scenario: .simultaneousProposals(proposers: 5, loss: loss)
        )
        .run()
        #expect(outcome.passed, "\(outcome.failures)\n\(outcome.recentTrace)")
        #expect(outcome.statistics.largestCommit == 5)
        #expect(outcome.statistics.proposalsAdmitted >= 5)
    }

    @Test func aSeedReplaysToTheSameTraceAndAnotherSeedDoesNot() throws {
        let first = try SimulatedCluster(parameters: Self.quick(11)).run()
        let again = try SimulatedCluster(parameters: Self.quick(11)).run()
        let other = try SimulatedCluster(parameters: Self.quick(12)).run()
        #expect(first.traceHash == again.traceHash)
        #expect(first.events == again.events)
        #expect(first.statistics == again.statistics)
        #expect(first.traceHash != other.traceHash)
    }

    @Test(arguments: 20..<26 as Range<UInt64>)
    func swarmSeedsPass(seed: UInt64) throws {
        let outcome = try SimulatedCluster(parameters: Self.quick(seed)).run()
        #expect(outcome.passed, "seed \(seed): \(outcome.failures)\n\(outcome.parameters)\n\(outcome.recentTrace)")
        #expect(outcome.statistics.messagesDelivered > 0 || outcome.statistics.messagesSent == 0)
    }

    /// Acknowledging before the sync loses acknowledged entries when a crash drops unsynced writes: some seed with
    /// crashes must show it.
    @Test func acknowledgingBeforeTheSyncIsCaught() throws {
        var options = FaultOptions()
        options.crashes = true
        options.diskWriteLossOnCrash = true
        var caught: [String] = []
        for seed in UInt64(0)..<8 where caught.isEmpty {
            var parameters = Self.quick(seed, options: options)
            parameters.serverCrashProbability = 0.5
            let outcome = try SimulatedCluster(parameters: parameters, sabotage: .acknowledgeBeforeSync).run()
            caught = outcome.failures
        }
        // What was told to clients is not in the durable log: an acknowledged position or a delivered chain hash.
        #expect(
            caught.contains { $0.contains("lost") || $0.contains("not in the durable log") || $0.contains("another") },
            "\(caught)"
        )
    }

    @Test func aCorruptedChainHashIsCaught() throws {
        let outcome = try SimulatedCluster(parameters: Self.quick(3), sabotage: .corruptChainHashes).run()
        #expect(!outcome.passed)
        #expect(outcome.failures.contains { $0.contains("forked") || $0.contains("chain hash") })
    }
}
