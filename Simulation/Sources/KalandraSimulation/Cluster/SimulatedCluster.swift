import KalandraClient
import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraSequencer
import KalandraStorage
import KalandraWire
import NIOCore

/// One home server and its clients on a simulated network, driven by one event queue in virtual time: the real
/// `RoomSequencer` and `RoomClient` cores, the real MLS engine and data plane, and `LogStore` over the in-memory
/// backend whose unsynced writes a crash loses. Everything random comes from the seed, so a seed replays exactly.
///
/// A run has a fault phase (the workload runs; links lose, duplicate and reorder; partitions, server crashes and
/// client disconnects happen) and a quiet phase (links perfect, everyone reconnected, no new work) in which every
/// live member must converge. The invariants are checked throughout and at the end (`ClusterChecker`).
public final class SimulatedCluster {
    enum Event {
        case toServer(client: Int, connection: UInt64, incarnation: UInt64, bytes: [UInt8])
        case toClient(client: Int, connection: UInt64, incarnation: UInt64, bytes: [UInt8])
        case serverSync
        case tick(Int)
        case workload
        case serverCrash
        case serverRestart
        case disconnect(Int)
        case reconnect(Int)
        case partitionStart
        case partitionEnd
        case quiet
        case check
        case scenarioStep(Int)
    }

    struct Client {
        let index: Int
        let node: NodeID
        let identity: ClientIdentity
        var rng: SimRandom
        /// The client's state in each room (nil: never invited, or its last invitation was dropped).
        var rooms: [RoomClient?]
        var connected = false
        var connection: UInt64 = 0
        /// Application messages this client sent and the server acknowledged: room, position.
        var acknowledged: [(room: Int, sequence: LogSequence)] = []
        /// Message IDs of the application frames this client sent, per room.
        var applicationFrames: [Int: Set<UInt32>] = [:]
    }

    struct Server {
        var up = true
        var incarnation: UInt64 = 1
        let backend: InMemoryKeyValueStore
        var storage: LogStore
        var sequencers: [RoomSequencer?]
        var awaitingSync: [LogSequence?]
        var syncScheduled = false
        /// KeyPackage reference → client, learned from `keyPackageUpload`.
        var directory: [[UInt8]: Int] = [:]
    }

    let parameters: SwarmParameters
    let scenario: Scenario
    var rng: SimRandom
    var queue = EventQueue<Event>(limit: 2_000_000)
    var network: SimulatedNetwork
    var trace: Trace
    var server: Server
    var clients: [Client]
    let roomIDs: [RoomID]
    let serverKey: SigningKey
    let serverNode = NodeID(0, name: "server")
    var now = SimTime.zero
    var inFaultPhase = true
    var finished = false
    var events = 0
    var statistics = SimulationStatistics()
    var checker = ClusterChecker()
    /// Plaintexts sent, to the sender's name and room.
    var sentTexts: [String: (sender: String, room: Int)] = [:]
    var textCounter = 0

    static let tickInterval = SimTime.milliseconds(100)

    /// Deliberate bugs in the server shell, so tests can show that the checkers catch them.
    public enum Sabotage: Sendable {
        case none
        /// Tell the sequencer its entries are durable right after the buffered write, before the sync.
        case acknowledgeBeforeSync
        /// Flip a bit of the chain hash in one delivery in fifty.
        case corruptChainHashes
    }

    let sabotage: Sabotage
    var deliveriesSent = 0

    public init(
        parameters: SwarmParameters,
        scenario: Scenario = .swarm,
        traceCapacity: Int = 200,
        sabotage: Sabotage = .none
    ) throws {
        self.parameters = parameters
        self.scenario = scenario
        self.sabotage = sabotage
        let root = SimRandom(seed: parameters.seed)
        var setup = root.fork(label: 1)
        rng = root.fork(label: 2)
        let profile: LinkProfile
        switch scenario {
        case .swarm: profile = try parameters.faultyLinkProfile
        case .simultaneousProposals(_, let loss):
            profile = try LinkProfile(
                latencyMin: .milliseconds(5),
                latencyMax: .milliseconds(40),
                lossProbability: loss,
                duplicationProbability: 0,
                maxDuplicates: 1
            )
        }
        network = SimulatedNetwork(defaultProfile: profile)
        trace = Trace(capacity: traceCapacity)
        let roomCount = scenario == .swarm ? parameters.roomCount : 1
        roomIDs = (0..<roomCount).map { _ in RoomID.random(using: &setup) }
        serverKey = SigningKey.generate(using: &setup)
        let backend = InMemoryKeyValueStore()
        server = Server(
            backend: backend,
            storage: LogStore(backend: backend, keySource: .seeded(setup.next())),
            sequencers: Array(repeating: nil, count: roomCount),
            awaitingSync: Array(repeating: nil, count: roomCount)
        )
        let clientCount: Int
        if case .simultaneousProposals(let proposers, _) = scenario {
            clientCount = proposers + 1
        } else {
            clientCount = parameters.clientCount
        }
        clients = try (0..<clientCount).map { index in
            var clientRandom = root.fork(label: 100 + UInt64(index))
            let identity = try ClientIdentity(name: "c\(index)", using: &clientRandom)
            return Client(
                index: index,
                node: NodeID(UInt32(index + 1), name: "c\(index)"),
                identity: identity,
                rng: clientRandom,
                rooms: Array(repeating: nil, count: roomCount)
            )
        }
    }

    // MARK: Running

    /// Runs to the end of the quiet phase (or until every live member converged) and checks the invariants.
    public func run() -> SimulationOutcome {
        do {
            try start()
            while !finished, let (time, event) = queue.popNext() {
                now = time
                events += 1
                try handle(event)
                if events > 3_000_000 { checker.fail("event budget exceeded (3,000,000)"); break }
            }
        } catch {
            checker.fail("simulation error: \(error)")
        }
        if !finished && checker.failures.isEmpty {
            checker.fail("no convergence by the end of the quiet phase: " + convergenceReport().joined(separator: "; "))
        }
        checker.checkFinal(self)
        statistics.largestCommit = checker.largestCommit
        if case .simultaneousProposals(let proposers, _) = scenario, statistics.largestCommit != proposers {
            checker.fail("no commit carried all \(proposers) proposals (largest: \(statistics.largestCommit))")
        }
        statistics.highestEpoch = server.sequencers.compactMap { $0?.epoch.rawValue }.max() ?? 0
        statistics.logEntries = server.sequencers.compactMap { $0.map { Int($0.lastSequence.rawValue) } }.reduce(0, +)
        return SimulationOutcome(
            parameters: parameters,
            scenario: scenario,
            events: events,
            virtualTime: now,
            traceHash: trace.hashHex,
            failures: checker.failures,
            recentTrace: trace.render(last: trace.capacity),
            statistics: statistics
        )
    }

    private func start() throws {
        for index in clients.indices {
            clients[index].connected = true
            clients[index].connection = 1
            try schedule(.tick(index), after: SimTime.milliseconds(UInt64(rng.int(in: 1...100))))
        }
        // Room r is created by client r mod n, which then invites every other client.
        for room in roomIDs.indices {
            let creator = room % clients.count
            var random = clients[creator].rng
            let client = try RoomClient.creating(
                roomID: roomIDs[room],
                identity: clients[creator].identity,
                now: timestamp,
                using: &random
            )
            clients[creator].rng = random
            clients[creator].rooms[room] = client
            log(clients[creator].node, "creates room \(room)")
            try clientEvent(creator, room: room, .connected)
            let invitees = clients.indices.filter { $0 != creator }
            try invite(invitees, to: room, by: creator)
        }
        switch scenario {
        case .swarm:
            try schedule(.workload, after: .milliseconds(500))
            try scheduleFaults()
            try schedule(.quiet, after: parameters.faultPhase)
        case .simultaneousProposals:
            try schedule(.scenarioStep(0), after: .seconds(3))
            try schedule(.quiet, after: .seconds(3))
        }
    }

    var timestamp: Timestamp { Timestamp(milliseconds: 1_700_000_000_000 + now.microseconds / 1_000)! }

    func schedule(_ event: Event, after delay: SimTime) throws {
        try queue.schedule(event, at: now + delay)
    }

    func log(_ node: NodeID, _ text: String) {
        trace.append(at: now, node: node, text)
    }

    // MARK: Events

    private func handle(_ event: Event) throws {
        switch event {
        case .toServer(let client, let connection, let incarnation, let bytes):
            guard server.up, incarnation == server.incarnation, clients[client].connected,
                clients[client].connection == connection
            else { return }
            try serverReceive(bytes, from: client)
        case .toClient(let client, let connection, let incarnation, let bytes):
            guard server.up, incarnation == server.incarnation, clients[client].connected,
                clients[client].connection == connection
            else { return }
            try clientReceive(bytes, client: client)
        case .serverSync:
            try serverSync()
        case .tick(let index):
            for room in roomIDs.indices where clients[index].rooms[room] != nil {
                try clientEvent(index, room: room, .tick)
            }
            try scenarioTick(index)
            try schedule(.tick(index), after: Self.tickInterval)
        case .workload:
            guard inFaultPhase else { return }
            try runWorkload()
        case .serverCrash:
            guard inFaultPhase, server.up else { return }
            try crashServer()
        case .serverRestart:
            try restartServer()
        case .disconnect(let index):
            guard inFaultPhase, clients[index].connected else { return }
            disconnect(index)
            statistics.clientDisconnects += 1
            try schedule(.reconnect(index), after: SimTime(microseconds: rng.uint64(in: 100_000...3_000_000)))
        case .reconnect(let index):
            try reconnect(index)
        case .partitionStart:
            guard inFaultPhase else { return }
            startPartition()
            try schedule(.partitionEnd, after: exponential(mean: parameters.partitionMeanDuration))
        case .partitionEnd:
            network.heal()
            log(serverNode, "partition healed")
        case .quiet:
            try enterQuietPhase()
        case .check:
            if convergenceReport().isEmpty {
                log(serverNode, "converged")
                finished = true
            } else {
                try schedule(.check, after: .milliseconds(250))
            }
        case .scenarioStep(let step):
            try scenarioStep(step)
        }
    }

    private func enterQuietPhase() throws {
        inFaultPhase = false
        network.heal()
        network.defaultProfile = LinkProfile.perfect(latency: .milliseconds(1))
        log(serverNode, "quiet phase: links perfect, everyone reconnects")
        if !server.up { try restartServer() }
        for index in clients.indices where !clients[index].connected { try reconnect(index) }
        try schedule(.check, after: .milliseconds(250))
        let deadline = scenario == .swarm ? parameters.quietPhase : .seconds(60)
        try queue.schedule(.check, at: now + deadline)
        quietDeadline = now + deadline
    }

    var quietDeadline: SimTime?
    var scenarioCommitted: Bool?

    // MARK: Network

    func sendToServer(_ frame: Frame, from client: Int) throws {
        guard clients[client].connected, server.up else { return }
        let bytes = frame.encodedBytes
        for time in network.transmit(from: clients[client].node, to: serverNode, now: now, rng: &rng) {
            try queue.schedule(
                .toServer(
                    client: client,
                    connection: clients[client].connection,
                    incarnation: server.incarnation,
                    bytes: bytes
                ),
                at: time
            )
        }
    }

    func sendToClient(_ frame: Frame, to client: Int) throws {
        guard clients[client].connected, server.up else { return }
        let bytes = frame.encodedBytes
        for time in network.transmit(from: serverNode, to: clients[client].node, now: now, rng: &rng) {
            try queue.schedule(
                .toClient(
                    client: client,
                    connection: clients[client].connection,
                    incarnation: server.incarnation,
                    bytes: bytes
                ),
                at: time
            )
        }
    }

    func exponential(mean: SimTime) -> SimTime {
        let unit = max(rng.double01(), 1e-9)
        let value = -Double(mean.microseconds) * naturalLog(unit)
        return SimTime(microseconds: UInt64(min(value, 600e6)))
    }
}

/// The natural logarithm, written here so that delays do not depend on a platform's libm rounding: range reduction
/// by halving, then the atanh series; exact enough for drawing delays, and the same everywhere.
func naturalLog(_ x: Double) -> Double {
    precondition(x > 0)
    var value = x
    var exponent = 0.0
    while value > 2 { value /= 2; exponent += 1 }
    while value < 1 { value *= 2; exponent -= 1 }
    let y = (value - 1) / (value + 1)
    let y2 = y * y
    var term = y
    var sum = 0.0
    var k = 1.0
    for _ in 0..<30 {
        sum += term / k
        term *= y2
        k += 2
    }
    return 2 * sum + exponent * 0.693_147_180_559_945_3
}
