import KalandraClient
import KalandraCore
import KalandraMLS
import KalandraSequencer
import KalandraStorage
import KalandraWire
import NIOCore

/// The invariants of a simulated run. Some are checked as events happen (a delivered plaintext is one that was
/// sent, by the member who sent it; two clients never see different chain hashes at one position), the rest at the
/// end against the log that storage holds durably (what a crash would leave):
/// - one total order per room: every chain hash a client was given is the canonical log's at that position, so
///   every client's log is a prefix of it;
/// - no acknowledged message is lost: every acknowledged position holds the acknowledged frame;
/// - a removed member decrypts nothing sent after its removal: every delivery went to a member of the epoch the
///   canonical log was in at that position, replayed independently with `PublicGroup`;
/// - redacted entries are shredded in storage.
struct ClusterChecker {
    private(set) var failures: [String] = []
    private var observedChain: [Int: [UInt64: [UInt8]]] = [:]
    private var acknowledgements: [(room: Int, sequence: LogSequence, sender: SenderID, messageID: UInt32)] = []
    private var deliveries: [(name: String, room: Int, sequence: LogSequence)] = []
    /// (receiver, text) pairs delivered: a second delivery of one text to one receiver is a duplicate.
    private var deliveredTexts: Set<String> = []
    /// The most proposals one commit of the durable log covered.
    private(set) var largestCommit = 0

    mutating func fail(_ failure: String) {
        if failures.count < 20 { failures.append(failure) }
    }

    mutating func observed(room: Int, sequence: LogSequence, chainHash: [UInt8]) {
        if let earlier = observedChain[room]?[sequence.rawValue], earlier != chainHash {
            fail("room \(room): two different chain hashes delivered at \(sequence)")
        }
        observedChain[room, default: [:]][sequence.rawValue] = chainHash
    }

    mutating func acknowledged(room: Int, sequence: LogSequence, sender: SenderID, messageID: UInt32) {
        acknowledgements.append((room, sequence, sender, messageID))
    }

    mutating func delivered(
        _ message: DeliveredMessage,
        to name: String,
        room: Int,
        texts: [String: (sender: String, room: Int)]
    ) {
        deliveries.append((name, room, message.sequence))
        let text = String(decoding: message.plaintext, as: UTF8.self)
        if !deliveredTexts.insert("\(name)\u{0}\(text)").inserted {
            fail("\(name) room \(room): the message \"\(text)\" was delivered twice (again at \(message.sequence))")
        }
        guard let sent = texts[text], sent.room == room else {
            fail("\(name) room \(room): delivered a plaintext nobody sent at \(message.sequence)")
            return
        }
        guard case .basic(let identity) = message.senderCredential,
            String(decoding: identity, as: UTF8.self) == sent.sender
        else {
            fail("\(name) room \(room): message at \(message.sequence) attributed to the wrong sender")
            return
        }
    }

    /// The end-of-run checks against the durable log.
    mutating func checkFinal(_ cluster: SimulatedCluster) {
        // What survives a crash now is what was synced: check against exactly that.
        cluster.server.backend.simulateCrash()
        let storage = LogStore(backend: cluster.server.backend, keySource: .seeded(0))
        for room in cluster.roomIDs.indices {
            let entries: [RoomSequencer.RestoredEntry]
            do { entries = try RoomLogReader.entries(of: cluster.roomIDs[room], storage: storage) } catch {
                fail("room \(room): the durable log does not read: \(error)")
                continue
            }
            checkRoom(room, entries: entries, storage: storage, roomID: cluster.roomIDs[room])
        }
    }

    private mutating func checkRoom(
        _ room: Int,
        entries: [RoomSequencer.RestoredEntry],
        storage: LogStore,
        roomID: RoomID
    ) {
        var chain: [[UInt8]] = []
        var frames: [Frame?] = []
        for entry in entries {
            switch entry {
            case .stored(let stored):
                chain.append(stored.chainHash)
                guard let frame = try? Frame(decoding: ByteBuffer(bytes: stored.frame)) else {
                    fail("room \(room): a stored frame at \(chain.count) does not decode")
                    frames.append(nil)
                    continue
                }
                frames.append(frame)
            case .redacted(let record):
                chain.append(record.targetChainHash)
                frames.append(nil)
            }
        }
        for (sequence, hash) in (observedChain[room] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard sequence >= 1, sequence <= UInt64(chain.count) else {
                fail("room \(room): position \(sequence) was delivered but is not in the durable log (\(chain.count))")
                continue
            }
            if chain[Int(sequence - 1)] != hash {
                fail("room \(room): the chain hash delivered at \(sequence) is not the durable log's")
            }
        }
        for ack in acknowledgements where ack.room == room {
            let position = Int(ack.sequence.rawValue)
            guard position >= 1, position <= frames.count else {
                fail("room \(room): acknowledged position \(ack.sequence) lost")
                continue
            }
            // A redacted entry was erased on purpose; any other must be the acknowledged frame.
            if let frame = frames[position - 1],
                frame.header.senderID != ack.sender || frame.header.messageID != ack.messageID
            {
                fail("room \(room): acknowledged position \(ack.sequence) holds another frame")
            }
        }
        checkMembership(room, frames: frames)
        for frame in frames.compactMap({ $0 }) where frame.header.opcode == .redact {
            guard let payload = try? RedactPayload(decoding: frame) else { continue }
            let records = (try? storage.readLog(of: roomID, from: payload.target, maximumCount: 1)) ?? []
            if records.first?.content != .shredded {
                fail("room \(room): entry \(payload.target) was redacted but is not shredded")
            }
        }
    }

    /// Replays the durable log's handshakes with a `PublicGroup` and checks every delivery went to a member.
    private mutating func checkMembership(_ room: Int, frames: [Frame?]) {
        guard let first = frames.first.flatMap({ $0 }), let payload = try? HandshakePayload(decoding: first),
            let groupInfo = try? GroupInfo.decode(payload.message), var group = try? PublicGroup(groupInfo: groupInfo)
        else {
            if !frames.isEmpty { fail("room \(room): the log does not start with a valid createRoom") }
            return
        }
        // Members (names) in force from each position on.
        var epochs: [(from: Int, members: Set<String>)] = [(1, Self.names(group))]
        for (offset, frame) in frames.enumerated().dropFirst() {
            guard let frame, frame.header.opcode == .commit || frame.header.opcode == .proposal else { continue }
            do {
                let message = try MLSMessage.decode(try HandshakePayload(decoding: frame).message)
                if case .commit(let staged) = try group.process(message) {
                    largestCommit = max(largestCommit, staged.proposals.count)
                    try group.merge(staged)
                    epochs.append((offset + 2, Self.names(group)))
                }
            } catch {
                fail("room \(room): the durable log's handshake at \(offset + 1) does not replay: \(error)")
                return
            }
        }
        for delivery in deliveries where delivery.room == room {
            let position = Int(delivery.sequence.rawValue)
            guard let epoch = epochs.last(where: { $0.from <= position }), epoch.members.contains(delivery.name) else {
                fail("room \(room): \(delivery.name) decrypted the message at \(position) while not a member")
                continue
            }
        }
    }

    /// The names (basic credential identities) of `group`'s members.
    static func names(_ group: PublicGroup) -> Set<String> {
        Set(
            group.memberLeaves.compactMap { leaf -> String? in
                guard case .basic(let identity) = group.leafNode(at: leaf)?.credential else { return nil }
                return String(decoding: identity, as: UTF8.self)
            }
        )
    }
}
