/// What one simulated run did and found.
public struct SimulationOutcome: Sendable {
    public let parameters: SwarmParameters
    public let scenario: Scenario
    /// Events processed.
    public let events: Int
    /// Virtual time at the end.
    public let virtualTime: SimTime
    /// SHA-256 of the whole trace: two runs of one seed must give the same.
    public let traceHash: String
    /// Every invariant that failed, in words; empty when the run passed.
    public let failures: [String]
    /// The last lines of the trace, for a failure report.
    public let recentTrace: String
    public let statistics: SimulationStatistics

    public var passed: Bool { failures.isEmpty }
}

/// Counts of what happened in a run.
public struct SimulationStatistics: Sendable, Equatable, CustomStringConvertible {
    public var messagesSent = 0
    public var messagesDelivered = 0
    public var commitsAdmitted = 0
    public var proposalsAdmitted = 0
    public var redactions = 0
    public var rejections = 0
    public var serverCrashes = 0
    public var clientDisconnects = 0
    public var partitions = 0
    public var highestEpoch: UInt64 = 0
    public var logEntries = 0
    /// The most proposals one admitted commit covered (from the durable log).
    public var largestCommit = 0

    public var description: String {
        "sent \(messagesSent), delivered \(messagesDelivered), commits \(commitsAdmitted), proposals "
            + "\(proposalsAdmitted), redactions \(redactions), rejections \(rejections), crashes \(serverCrashes), "
            + "disconnects \(clientDisconnects), partitions \(partitions), highest epoch \(highestEpoch), log entries "
            + "\(logEntries), largest commit \(largestCommit) proposals"
    }
}

/// What a run exercises.
public enum Scenario: Sendable, Equatable, CustomStringConvertible {
    /// Swarm testing: the seed draws the workload and the fault mix.
    case swarm
    /// The roadmap's scenario: `proposers` members propose at the same moment and one commit carries every
    /// proposal; `loss` is every link's packet loss.
    case simultaneousProposals(proposers: Int, loss: Double)

    public var description: String {
        switch self {
        case .swarm: "swarm"
        case .simultaneousProposals(let proposers, let loss): "\(proposers) simultaneous proposals, loss \(loss)"
        }
    }
}
