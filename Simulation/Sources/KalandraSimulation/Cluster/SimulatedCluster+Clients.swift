import KalandraClient
import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraSequencer
import KalandraWire
import NIOCore

/// The client side of the simulation: each client's `RoomClient`s, its connection, the workload and faults.
extension SimulatedCluster {
    /// Feeds `event` to a client's room core and carries out what it returns.
    func clientEvent(_ index: Int, room: Int, _ event: RoomClientEvent) throws {
        guard var client = clients[index].rooms[room] else { return }
        var random = clients[index].rng
        let actions = client.handle(event, now: timestamp, using: &random)
        clients[index].rng = random
        clients[index].rooms[room] = client
        for action in actions { try clientAction(action, index: index, room: room) }
    }

    private func clientAction(_ action: RoomClientAction, index: Int, room: Int) throws {
        let node = clients[index].node
        switch action {
        case .send(let frame):
            if frame.header.opcode == .applicationMessage {
                clients[index].applicationFrames[room, default: []].insert(frame.header.messageID)
            }
            try sendToServer(frame, from: index)
        case .delivered(let message):
            statistics.messagesDelivered += 1
            checker.delivered(message, to: clients[index].identity.name, room: room, texts: sentTexts)
        case .joined(let epoch):
            log(node, "room \(room): joined in epoch \(epoch)")
        case .epochChanged(let epoch, _):
            log(node, "room \(room): epoch \(epoch)")
        case .left(let sequence):
            log(node, "room \(room): removed at \(sequence)")
        case .redacted(let sequence):
            log(node, "room \(room): entry \(sequence) redacted")
        case .rejected(let rejection):
            log(node, "room \(room): refused \(rejection.code): \(rejection.detail.prefix(80))")
        case .logForked(let sequence):
            checker.fail("c\(index) room \(room): the log forked at \(sequence) (chain hash mismatch)")
        }
    }

    func clientReceive(_ bytes: [UInt8], client index: Int) throws {
        guard let frame = try? Frame(decoding: ByteBuffer(bytes: bytes)), let room = roomIndex(frame.header.roomID)
        else {
            return
        }
        // The connection authenticates the server (TLS in production), so clients do not verify each server frame's
        // signature; the chain hashes guard the order.
        switch frame.header.opcode {
        case .deliver:
            if let payload = try? DeliverPayload(decoding: frame) {
                checker.observed(room: room, sequence: frame.header.sequence, chainHash: payload.chainHash)
            }
        case .accepted:
            if clients[index].applicationFrames[room]?.contains(frame.header.messageID) == true {
                clients[index].acknowledged.append((room, frame.header.sequence))
                checker.acknowledged(
                    room: room,
                    sequence: frame.header.sequence,
                    sender: clients[index].identity.senderID,
                    messageID: frame.header.messageID
                )
            }
        default:
            break
        }
        try clientEvent(index, room: room, .frame(frame))
    }

    func disconnect(_ index: Int) {
        clients[index].connected = false
        log(clients[index].node, "disconnected")
        for room in roomIDs.indices {
            guard var client = clients[index].rooms[room] else { continue }
            var random = clients[index].rng
            _ = client.handle(.disconnected, now: timestamp, using: &random)
            clients[index].rng = random
            clients[index].rooms[room] = client
        }
    }

    func reconnect(_ index: Int) throws {
        guard !clients[index].connected else { return }
        guard server.up else {
            try schedule(.reconnect(index), after: .milliseconds(300))
            return
        }
        clients[index].connected = true
        clients[index].connection += 1
        log(clients[index].node, "connected")
        for room in roomIDs.indices { try clientEvent(index, room: room, .connected) }
    }

    /// Invites `invitees` to `room`: each publishes a KeyPackage, and `inviter` commits their Adds.
    func invite(_ invitees: [Int], to room: Int, by inviter: Int) throws {
        var keyPackages: [KeyPackage] = []
        for invitee in invitees {
            var random = clients[invitee].rng
            let (client, keyPackage) = try RoomClient.invited(
                roomID: roomIDs[room],
                identity: clients[invitee].identity,
                using: &random
            )
            clients[invitee].rng = random
            clients[invitee].rooms[room] = client
            keyPackages.append(keyPackage)
            if clients[invitee].connected { try clientEvent(invitee, room: room, .connected) }
        }
        log(clients[inviter].node, "room \(room): invites \(invitees.map { "c\($0)" }.joined(separator: ","))")
        try clientEvent(inviter, room: room, .add(keyPackages))
    }

    // MARK: Workload

    /// One workload step, then the next one after an exponential delay: messages, proposals, commits, membership
    /// changes and redactions, by the seed's rates.
    func runWorkload() throws {
        let membership = 0.15
        let redaction = 0.1
        let total =
            parameters.messagesPerSecond + parameters.proposalsPerSecond + parameters.commitsPerSecond + membership
            + redaction
        var pick = rng.double01() * total
        let room = rng.int(in: 0..<roomIDs.count)
        let members = clients.indices.filter {
            clients[$0].rooms[room]?.group != nil && clients[$0].rooms[room]?.state != .left
        }
        if let actor = rng.pick(members) {
            let name = clients[actor].identity.name
            if pick < parameters.messagesPerSecond {
                textCounter += 1
                let text = "\(name) r\(room) #\(textCounter)"
                sentTexts[text] = (name, room)
                statistics.messagesSent += 1
                try clientEvent(actor, room: room, .send(Array(text.utf8)))
            } else if (pick - parameters.messagesPerSecond) < parameters.proposalsPerSecond {
                log(clients[actor].node, "room \(room): proposes an update")
                try clientEvent(actor, room: room, .proposeUpdate)
            } else if (pick - parameters.messagesPerSecond - parameters.proposalsPerSecond)
                < parameters.commitsPerSecond
            {
                log(clients[actor].node, "room \(room): commits")
                try clientEvent(actor, room: room, .commitPending)
            } else {
                pick -= parameters.messagesPerSecond + parameters.proposalsPerSecond + parameters.commitsPerSecond
                if pick < membership {
                    try changeMembership(room: room, actor: actor, members: members)
                } else if let own = clients[actor].acknowledged.last(where: { $0.room == room }) {
                    log(clients[actor].node, "room \(room): redacts its message at \(own.sequence)")
                    try clientEvent(actor, room: room, .redact(own.sequence))
                }
            }
        }
        let rate = max(total, 0.1)
        try schedule(.workload, after: exponential(mean: SimTime(microseconds: UInt64(1_000_000 / rate))))
    }

    /// Removes a member, or invites a client that is not one, so that the room never empties.
    private func changeMembership(room: Int, actor: Int, members: [Int]) throws {
        let outsiders = clients.indices.filter { index in
            guard let client = clients[index].rooms[room] else { return true }
            return client.state == .left
        }
        if members.count > 2, rng.chance(0.5) {
            guard let victim = rng.pick(members.filter { $0 != actor }) else { return }
            log(clients[actor].node, "room \(room): removes c\(victim)")
            try clientEvent(actor, room: room, .remove([clients[victim].identity.credential]))
        } else if let newcomer = rng.pick(outsiders) {
            try invite([newcomer], to: room, by: actor)
        }
    }

    // MARK: Faults

    /// Schedules the fault phase's crashes, disconnects and partitions as Poisson processes of the seed's rates.
    func scheduleFaults() throws {
        var time = SimTime.zero
        let phase = parameters.faultPhase
        func poisson(_ rate: Double, _ make: () -> SimulatedCluster.Event) throws {
            guard rate > 0 else { return }
            time = .zero
            while true {
                time += exponential(mean: SimTime(microseconds: UInt64(1_000_000 / rate)))
                guard time < phase else { break }
                try queue.schedule(make(), at: time)
            }
        }
        try poisson(parameters.serverCrashProbability) { .serverCrash }
        for index in clients.indices {
            try poisson(parameters.clientDisconnectProbability) { .disconnect(index) }
        }
        try poisson(parameters.partitionProbability) { .partitionStart }
    }

    func startPartition() {
        statistics.partitions += 1
        let cut = clients.indices.filter { _ in rng.chance(0.5) }
        guard !cut.isEmpty else { return }
        if rng.double01() < parameters.oneWayPartitionShare {
            for index in cut {
                if rng.chance(0.5) {
                    network.blockOneWay(from: serverNode, to: clients[index].node)
                } else {
                    network.blockOneWay(from: clients[index].node, to: serverNode)
                }
            }
            log(serverNode, "one-way partition of \(cut.map { "c\($0)" }.joined(separator: ","))")
        } else {
            network.partition([serverNode], Set(cut.map { clients[$0].node }))
            log(serverNode, "partition of \(cut.map { "c\($0)" }.joined(separator: ","))")
        }
    }

    // MARK: Scenario

    func scenarioStep(_ step: Int) throws {
        guard case .simultaneousProposals(let proposers, _) = scenario else { return }
        if step == 0 {
            log(serverNode, "\(proposers) members propose at the same moment")
            for index in 1...proposers { try clientEvent(index, room: 0, .proposeUpdate) }
            scenarioCommitted = false
        }
    }

    /// The committer commits once it holds every proposal.
    func scenarioTick(_ index: Int) throws {
        guard case .simultaneousProposals(let proposers, _) = scenario, index == 0, scenarioCommitted == false,
            let group = clients[0].rooms[0]?.group, group.pendingProposals.count == proposers
        else { return }
        scenarioCommitted = true
        log(clients[0].node, "commits the \(proposers) proposals")
        try clientEvent(0, room: 0, .commitPending)
    }

    // MARK: Convergence

    /// What still keeps the cluster from having converged; empty once every live member of every room agrees with
    /// the server and with each other, and nothing is queued or unsettled.
    func convergenceReport() -> [String] {
        guard server.up else { return ["server down"] }
        var problems: [String] = []
        if scenarioCommitted == false { problems.append("the scenario's commit is not made yet") }
        for room in roomIDs.indices {
            guard let sequencer = server.sequencers[room] else {
                problems.append("room \(room) does not exist")
                continue
            }
            guard sequencer.durableSequence == sequencer.lastSequence else {
                problems.append("room \(room): \(sequencer.pendingCount) entries not durable")
                continue
            }
            var exporter: [UInt8]?
            for index in members(of: room) {
                guard let client = clients[index].rooms[room], let group = client.group else {
                    problems.append("room \(room): c\(index) has not joined")
                    continue
                }
                if client.lastSeen != sequencer.lastSequence {
                    problems.append("room \(room): c\(index) at \(client.lastSeen) of \(sequencer.lastSequence)")
                }
                if client.backlog.queued + client.backlog.inFlight > 0 {
                    problems.append("room \(room): c\(index) backlog \(client.backlog)")
                }
                if group.epoch != sequencer.epoch.rawValue || group.tree.treeHash != sequencer.group.treeHash {
                    problems.append("room \(room): c\(index) in epoch \(group.epoch), server \(sequencer.epoch)")
                    continue
                }
                let secret = (try? group.exporter(label: "kalandra simulation", context: [], length: 32))
                    .map { secret in secret.withUnsafeBytes { Array($0) } }
                if exporter == nil {
                    exporter = secret
                } else if exporter != secret {
                    problems.append("room \(room): c\(index) exporter differs")
                }
            }
        }
        if !problems.isEmpty, let deadline = quietDeadline, now >= deadline {
            checker.fail("no convergence within the quiet phase: " + problems.prefix(5).joined(separator: "; "))
            finished = true
        }
        return problems
    }
}
