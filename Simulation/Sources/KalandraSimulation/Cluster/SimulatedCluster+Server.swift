import KalandraClient
import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraSequencer
import KalandraStorage
import KalandraWire
import NIOCore

/// The server shell of the simulation: what `kalandra serve` does with sockets and RocksDB, done with the event
/// queue and the in-memory backend. Writes are buffered and synced by a group commit a few milliseconds later; the
/// sequencer hears `.durable` only after the sync, so a crash between loses exactly what was never acknowledged.
extension SimulatedCluster {
    func roomIndex(_ id: RoomID) -> Int? { roomIDs.firstIndex(of: id) }

    func serverReceive(_ bytes: [UInt8], from client: Int) throws {
        guard let frame = try? Frame(decoding: ByteBuffer(bytes: bytes)), let room = roomIndex(frame.header.roomID)
        else {
            log(serverNode, "dropped an undecodable frame from c\(client)")
            return
        }
        let origin = ClientOrigin(UInt64(client))
        switch frame.header.opcode {
        case .createRoom:
            if var sequencer = server.sequencers[room] {
                let actions = sequencer.handle(.frame(frame, origin: origin), now: timestamp)
                server.sequencers[room] = sequencer
                try execute(actions, room: room)
            } else {
                do {
                    let (sequencer, actions) = try RoomSequencer.create(
                        from: frame,
                        origin: origin,
                        serverKey: serverKey,
                        now: timestamp
                    )
                    server.sequencers[room] = sequencer
                    log(serverNode, "room \(room) created by c\(client)")
                    try execute(actions, room: room)
                } catch {
                    log(serverNode, "createRoom refused: \(error)")
                }
            }
        case .keyPackageUpload:
            try keyPackageUploaded(frame, from: client)
        case .catchUpRequest:
            guard let sequencer = server.sequencers[room] else { return }
            let after: LogSequence
            do { after = try sequencer.authorizeCatchUp(frame) } catch {
                try sendToClient(
                    sequencer.catchUpRefusal(error, messageID: frame.header.messageID, now: timestamp),
                    to: client
                )
                return
            }
            let frames = try RoomLogReader.catchUp(
                sequencer,
                after: after,
                messageID: frame.header.messageID,
                storage: server.storage,
                now: timestamp
            )
            for reply in frames { try sendToClient(reply, to: client) }
        default:
            guard var sequencer = server.sequencers[room] else { return }
            let actions = sequencer.handle(.frame(frame, origin: origin), now: timestamp)
            server.sequencers[room] = sequencer
            try execute(actions, room: room)
        }
    }

    /// An invitee's KeyPackage: remembered for Welcomes, and answered with the Welcome kept for it, if any.
    private func keyPackageUploaded(_ frame: Frame, from client: Int) throws {
        guard let payload = try? KeyPackageUploadPayload(decoding: frame),
            let keyPackage = try? KeyPackage.decode(payload.keyPackage),
            let provider = try? keyPackage.cipherSuite.provider(),
            frame.header.senderID == SenderID(signatureKey: keyPackage.leafNode.signatureKey.bytes),
            let key = try? VerifyingKey(bytes: keyPackage.leafNode.signatureKey.bytes),
            (try? frame.verifySignature(with: key)) != nil
        else { return }
        let reference = keyPackage.reference(provider: provider).bytes
        server.directory[reference] = client
        guard let room = roomIndex(frame.header.roomID),
            let record = try RoomLogReader.welcome(
                in: frame.header.roomID,
                forKeyPackage: reference,
                storage: server.storage
            ),
            let sequencer = server.sequencers[room],
            record.sequence <= sequencer.durableSequence
        else { return }
        try sendToClient(sequencer.welcome(record, now: timestamp), to: client)
    }

    /// Carries out a sequencer's actions in order.
    func execute(_ actions: [SequencerAction], room: Int) throws {
        for action in actions {
            switch action {
            case .persist(let batch, let through):
                try server.storage.write(batch, durability: .buffered)
                if sabotage == .acknowledgeBeforeSync, var sequencer = server.sequencers[room] {
                    let next = sequencer.handle(.durable(through: through), now: timestamp)
                    server.sequencers[room] = sequencer
                    try execute(next, room: room)
                    continue
                }
                server.awaitingSync[room] = through
                if !server.syncScheduled {
                    server.syncScheduled = true
                    try schedule(.serverSync, after: SimTime(microseconds: rng.uint64(in: 500...3_000)))
                }
            case .reply(let frame, let origin):
                noteReply(frame, room: room)
                try sendToClient(frame, to: Int(origin.rawValue))
            case .broadcast(let frame):
                noteDelivery(frame, room: room)
                deliveriesSent += 1
                var sent = frame
                if sabotage == .corruptChainHashes, deliveriesSent % 50 == 0,
                    let payload = try? DeliverPayload(decoding: frame), let sequencer = server.sequencers[room]
                {
                    var hash = payload.chainHash
                    hash[0] ^= 1
                    sent = sequencer.deliver(sequence: frame.header.sequence, frame: payload.frame, chainHash: hash)
                }
                for client in members(of: room) { try sendToClient(sent, to: client) }
            case .sendWelcome(let frame, let keyPackages):
                for reference in keyPackages {
                    if let client = server.directory[reference] { try sendToClient(frame, to: client) }
                }
            case .loadEntry(let request):
                let records = try server.storage.readLog(of: roomIDs[room], from: request.target, maximumCount: 1)
                var entry: StoredEntry?
                if let record = records.first, record.sequence == request.target,
                    case .payload(let bytes) = record.content
                {
                    entry = try? StoredEntry(decoding: bytes)
                }
                guard var sequencer = server.sequencers[room] else { return }
                let next = sequencer.handle(.redactionTarget(request, entry), now: timestamp)
                server.sequencers[room] = sequencer
                try execute(next, room: room)
            case .shred(let roomID, let sequence):
                try server.storage.shred(room: roomID, sequence: sequence)
                statistics.redactions += 1
                log(serverNode, "room \(room): shredded entry \(sequence)")
            }
        }
    }

    /// The clients that are members of the room's current epoch (by credential) and connected.
    func members(of room: Int) -> [Int] {
        guard let sequencer = server.sequencers[room] else { return [] }
        let names = ClusterChecker.names(sequencer.group)
        return clients.indices.filter { names.contains(clients[$0].identity.name) }
    }

    private func noteReply(_ frame: Frame, room: Int) {
        if frame.header.opcode == .error {
            statistics.rejections += 1
            if let rejection = try? RejectionPayload(decoding: frame) {
                log(serverNode, "room \(room): refused message \(rejection.messageID): \(rejection.code)")
                // Honest clients never reuse a message ID nor retry beyond the window: either means lost messages.
                if rejection.code == .messageIDReused || rejection.code == .retryTooOld || rejection.code == .tooLarge {
                    checker.fail("room \(room): an honest client's frame was refused as \(rejection.code)")
                }
            }
        }
    }

    private func noteDelivery(_ frame: Frame, room: Int) {
        guard let payload = try? DeliverPayload(decoding: frame), let inner = payload.frame,
            let entry = try? Frame(decoding: ByteBuffer(bytes: inner))
        else { return }
        let opcode = entry.header.opcode
        if opcode == .commit { statistics.commitsAdmitted += 1 }
        if opcode == .proposal { statistics.proposalsAdmitted += 1 }
        log(serverNode, "room \(room): \(opcode) at \(frame.header.sequence) durable, epoch \(frame.header.epoch)")
    }

    func serverSync() throws {
        server.syncScheduled = false
        guard server.up else { return }
        try server.storage.sync()
        for room in roomIDs.indices {
            guard let through = server.awaitingSync[room], var sequencer = server.sequencers[room] else { continue }
            server.awaitingSync[room] = nil
            let actions = sequencer.handle(.durable(through: through), now: timestamp)
            server.sequencers[room] = sequencer
            try execute(actions, room: room)
        }
    }

    func crashServer() throws {
        statistics.serverCrashes += 1
        if !parameters.diskWriteLossOnCrash { try server.storage.sync() }
        server.backend.simulateCrash()
        server.up = false
        server.incarnation += 1
        server.sequencers = Array(repeating: nil, count: roomIDs.count)
        server.awaitingSync = Array(repeating: nil, count: roomIDs.count)
        server.syncScheduled = false
        server.directory = [:]
        log(serverNode, "CRASH (unsynced writes \(parameters.diskWriteLossOnCrash ? "lost" : "kept"))")
        for index in clients.indices where clients[index].connected { disconnect(index) }
        try schedule(.serverRestart, after: SimTime(microseconds: rng.uint64(in: 200_000...2_000_000)))
    }

    func restartServer() throws {
        guard !server.up else { return }
        server.storage = LogStore(backend: server.backend, keySource: .seeded(rng.next()))
        for room in roomIDs.indices {
            let entries = try RoomLogReader.entries(of: roomIDs[room], storage: server.storage)
            guard !entries.isEmpty else { continue }
            let (sequencer, actions) = try RoomSequencer.restore(
                roomID: roomIDs[room],
                entries: entries,
                serverKey: serverKey
            )
            server.sequencers[room] = sequencer
            log(serverNode, "room \(room) restored at \(sequencer.lastSequence), epoch \(sequencer.epoch)")
            try execute(actions, room: room)
        }
        server.up = true
        log(serverNode, "restarted")
        for index in clients.indices where !clients[index].connected {
            try schedule(.reconnect(index), after: SimTime(microseconds: rng.uint64(in: 10_000...500_000)))
        }
    }
}
