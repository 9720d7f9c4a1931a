/// One seed's fault mix and workload, drawn per seed in the manner of TigerBeetle's VOPR ("swarm testing"): each seed
/// runs with a different combination of faults, so faults that mask each other in a fixed mix get seeds of their own.
/// Rates are per second of virtual time; the runner turns them into events.
public struct SwarmParameters: Equatable, Sendable, CustomStringConvertible {
    /// The seed the parameters were drawn from (the run uses it for everything else too).
    public var seed: UInt64

    // Network faults.
    /// The chance a message is lost: 0 for about a quarter of seeds, otherwise in (0, 0.5].
    public var lossProbability: Double
    /// The chance a message is duplicated: 0 for about a third of seeds, otherwise in (0, 0.3].
    public var duplicationProbability: Double
    /// The most extra copies of one message, 1...3.
    public var maxDuplicates: Int
    /// True when latencies vary within [latencyMin, latencyMax], so messages overtake each other; false pins the
    /// latency at latencyMin.
    public var reordering: Bool
    /// The shortest link latency, 0.1 ms to 20 ms.
    public var latencyMin: SimTime
    /// The longest link latency: latencyMin without reordering, otherwise up to latencyMin + 200 ms.
    public var latencyMax: SimTime
    /// The chance per second that a partition starts: 0 for about a quarter of seeds, otherwise in (0, 0.2].
    public var partitionProbability: Double
    /// The mean length of a partition, 100 ms to 5 s.
    public var partitionMeanDuration: SimTime
    /// The share of partitions that block one direction only, 0...1.
    public var oneWayPartitionShare: Double

    // Node faults.
    /// The chance per second that a server crashes: 0 for about a third of seeds, otherwise in (0, 0.05].
    public var serverCrashProbability: Double
    /// The chance per second that a given client disconnects: 0 for about a quarter of seeds, otherwise in (0, 0.2].
    public var clientDisconnectProbability: Double
    /// True when a crash loses the server's writes that were not yet synced (its storage must not have acknowledged
    /// them).
    public var diskWriteLossOnCrash: Bool

    // Workload.
    /// Clients, 2...8.
    public var clientCount: Int
    /// Rooms, 1...3.
    public var roomCount: Int
    /// Application messages per client per second, 0.5 to 20.
    public var messagesPerSecond: Double
    /// Standalone proposals per room per second, 0 to 2.
    public var proposalsPerSecond: Double
    /// Commits per room per second, 0.1 to 2.
    public var commitsPerSecond: Double
    /// How long faults are injected, 5 s to 60 s.
    public var faultPhase: SimTime
    /// How long the run continues afterwards with faults healed, 10 s to 30 s, so every invariant about convergence
    /// can be checked at the end.
    public var quietPhase: SimTime

    /// The stream label under which the parameters are drawn (ASCII "swarm"), so drawing them leaves the seed's other
    /// streams untouched.
    public static let streamLabel: UInt64 = 0x73_77_61_72_6D

    /// The parameters for `seed`, then `options` applied. Every field is drawn whatever the options say, so forcing
    /// one field leaves the others as the seed gave them.
    public static func draw(seed: UInt64, options: FaultOptions = FaultOptions()) -> SwarmParameters {
        var rng = SimRandom(seed: seed).fork(label: streamLabel)
        let loss = rng.chance(0.25) ? 0 : nonZero(rng.double01()) * 0.5
        let duplication = rng.chance(1.0 / 3) ? 0 : nonZero(rng.double01()) * 0.3
        let maxDuplicates = rng.int(in: 1...3)
        let reordering = rng.chance(0.75)
        let latencyMin = SimTime(microseconds: rng.uint64(in: 100...20_000))
        let spread = SimTime(microseconds: rng.uint64(in: 0...200_000))
        let partition = rng.chance(0.25) ? 0 : nonZero(rng.double01()) * 0.2
        let partitionDuration = SimTime(microseconds: rng.uint64(in: 100_000...5_000_000))
        let oneWayShare = rng.double01()
        let crash = rng.chance(1.0 / 3) ? 0 : nonZero(rng.double01()) * 0.05
        let disconnect = rng.chance(0.25) ? 0 : nonZero(rng.double01()) * 0.2
        let diskLoss = rng.chance(0.5)
        var parameters = SwarmParameters(
            seed: seed,
            lossProbability: loss,
            duplicationProbability: duplication,
            maxDuplicates: maxDuplicates,
            reordering: reordering,
            latencyMin: latencyMin,
            latencyMax: reordering ? latencyMin + spread : latencyMin,
            partitionProbability: partition,
            partitionMeanDuration: partitionDuration,
            oneWayPartitionShare: oneWayShare,
            serverCrashProbability: crash,
            clientDisconnectProbability: disconnect,
            diskWriteLossOnCrash: diskLoss,
            clientCount: rng.int(in: 2...8),
            roomCount: rng.int(in: 1...3),
            messagesPerSecond: rng.double(in: 0.5...20),
            proposalsPerSecond: rng.double(in: 0...2),
            commitsPerSecond: rng.double(in: 0.1...2),
            faultPhase: SimTime(microseconds: rng.uint64(in: 5_000_000...60_000_000)),
            quietPhase: SimTime(microseconds: rng.uint64(in: 10_000_000...30_000_000))
        )
        options.apply(to: &parameters)
        return parameters
    }

    /// The link profile these parameters give every link during the fault phase.
    public var faultyLinkProfile: LinkProfile {
        get throws(SimulationError) {
            try LinkProfile(
                latencyMin: latencyMin,
                latencyMax: latencyMax,
                lossProbability: lossProbability,
                duplicationProbability: duplicationProbability,
                maxDuplicates: maxDuplicates
            )
        }
    }

    /// One `name: value` line per field, so a failing seed's report shows what it ran with.
    public var description: String {
        [
            "seed: \(seed)",
            "lossProbability: \(lossProbability)",
            "duplicationProbability: \(duplicationProbability)",
            "maxDuplicates: \(maxDuplicates)",
            "reordering: \(reordering)",
            "latencyMin: \(latencyMin)",
            "latencyMax: \(latencyMax)",
            "partitionProbability: \(partitionProbability)",
            "partitionMeanDuration: \(partitionMeanDuration)",
            "oneWayPartitionShare: \(oneWayPartitionShare)",
            "serverCrashProbability: \(serverCrashProbability)",
            "clientDisconnectProbability: \(clientDisconnectProbability)",
            "diskWriteLossOnCrash: \(diskWriteLossOnCrash)",
            "clientCount: \(clientCount)",
            "roomCount: \(roomCount)",
            "messagesPerSecond: \(messagesPerSecond)",
            "proposalsPerSecond: \(proposalsPerSecond)",
            "commitsPerSecond: \(commitsPerSecond)",
            "faultPhase: \(faultPhase)",
            "quietPhase: \(quietPhase)",
        ].joined(separator: "\n")
    }

    /// Maps [0, 1) to (0, 1], so a seed that drew "faults on" never gets a rate of exactly 0.
    private static func nonZero(_ unit: Double) -> Double {
        1 - unit
    }
}

/// Overrides for the drawn parameters, e.g. from a command line: nil leaves a field as the seed drew it.
public struct FaultOptions: Equatable, Sendable {
    /// Forces the loss probability.
    public var lossProbability: Double?
    /// Forces the duplication probability.
    public var duplicationProbability: Double?
    /// Forces reordering on or off (off pins the latency at its minimum).
    public var reordering: Bool?
    /// False turns partitions off; true keeps the drawn rate but makes it non-zero (at least 0.05 per second).
    public var partitions: Bool?
    /// False turns server crashes off; true makes them at least 0.01 per second.
    public var crashes: Bool?
    /// False turns client disconnects off; true makes them at least 0.05 per second.
    public var disconnects: Bool?
    /// Forces losing unsynced writes on a crash on or off.
    public var diskWriteLossOnCrash: Bool?
    /// Forces the number of clients.
    public var clientCount: Int?
    /// Forces the number of rooms.
    public var roomCount: Int?

    /// No overrides.
    public init() {}

    /// Options from `key=value` arguments: `loss=0.5`, `duplication=0.1`, `reordering=on|off`, `partitions=on|off`,
    /// `crashes=on|off`, `disconnects=on|off`, `disk-loss=on|off`, `clients=N`, `rooms=N`; `no-KEY` is `KEY=off`.
    public init(arguments: [String]) throws(SimulationError) {
        for argument in arguments {
            let key: Substring
            let value: Substring
            if let equals = argument.firstIndex(of: "=") {
                key = argument[..<equals]
                value = argument[argument.index(after: equals)...]
            } else if argument.hasPrefix("no-") {
                key = argument.dropFirst(3)
                value = "off"
            } else {
                throw .invalidFaultOption("\(argument): expected KEY=VALUE or no-KEY")
            }
            switch key {
            case "loss": lossProbability = try Self.probability(value, argument)
            case "duplication": duplicationProbability = try Self.probability(value, argument)
            case "reordering": reordering = try Self.flag(value, argument)
            case "partitions": partitions = try Self.flag(value, argument)
            case "crashes": crashes = try Self.flag(value, argument)
            case "disconnects": disconnects = try Self.flag(value, argument)
            case "disk-loss": diskWriteLossOnCrash = try Self.flag(value, argument)
            case "clients": clientCount = try Self.count(value, argument)
            case "rooms": roomCount = try Self.count(value, argument)
            default: throw .invalidFaultOption("\(argument): unknown option \(key)")
            }
        }
    }

    /// Writes the forced fields into `parameters`.
    public func apply(to parameters: inout SwarmParameters) {
        if let lossProbability { parameters.lossProbability = lossProbability }
        if let duplicationProbability { parameters.duplicationProbability = duplicationProbability }
        if let reordering {
            parameters.reordering = reordering
            if !reordering { parameters.latencyMax = parameters.latencyMin }
        }
        if let partitions {
            parameters.partitionProbability = partitions ? max(parameters.partitionProbability, 0.05) : 0
        }
        if let crashes {
            parameters.serverCrashProbability = crashes ? max(parameters.serverCrashProbability, 0.01) : 0
        }
        if let disconnects {
            parameters.clientDisconnectProbability = disconnects ? max(parameters.clientDisconnectProbability, 0.05) : 0
        }
        if let diskWriteLossOnCrash { parameters.diskWriteLossOnCrash = diskWriteLossOnCrash }
        if let clientCount { parameters.clientCount = clientCount }
        if let roomCount { parameters.roomCount = roomCount }
    }

    private static func probability(_ value: Substring, _ argument: String) throws(SimulationError) -> Double {
        guard let probability = Double(value), (0...1).contains(probability) else {
            throw .invalidFaultOption("\(argument): expected a probability in [0, 1]")
        }
        return probability
    }

    private static func flag(_ value: Substring, _ argument: String) throws(SimulationError) -> Bool {
        switch value {
        case "on", "true", "yes": return true
        case "off", "false", "no": return false
        default: throw .invalidFaultOption("\(argument): expected on or off")
        }
    }

    private static func count(_ value: Substring, _ argument: String) throws(SimulationError) -> Int {
        guard let count = Int(value), (1...1_000).contains(count) else {
            throw .invalidFaultOption("\(argument): expected a count from 1 to 1000")
        }
        return count
    }
}
