import KalandraClient
import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraSequencer
import KalandraStorage
import KalandraWire
import NIOCore
import Testing

/// A frame on the loopback wire, as bytes (decoded again on arrival, like a socket would).
struct Packet {
    enum Direction: Equatable { case toServer, toClient }
    let peer: Int
    let direction: Direction
    let bytes: [UInt8]

    var frame: Frame { try! Frame(decoding: ByteBuffer(bytes: bytes)) }
    var opcode: Opcode { frame.header.opcode }
}

/// What the wire does with a packet when its turn comes.
enum Fate {
    case deliver
    case drop
    /// Delivered twice in a row.
    case duplicate
    /// Set aside until `release()`.
    case hold
}

struct NotAMember: Error { let name: String }

/// One client on the loopback: its room core, its own randomness, and everything it did.
struct Peer {
    var client: RoomClient
    var generator: DeterministicGenerator
    /// Whether the client's connection is up (the server sends to it only then).
    var connected = false
    /// Every action except `.send`, in order.
    var events: [RoomClientAction] = []
    /// Every frame the client sent, as bytes, whether the wire carried it or not.
    var sent: [[UInt8]] = []

    var state: RoomClientState { client.state }
    /// The group; a test of a member that is none fails here rather than crashing.
    var group: MLSGroup {
        get throws {
            guard let group = client.group else { throw NotAMember(name: client.identity.name) }
            return group
        }
    }
    var credential: Credential { client.identity.credential }

    var delivered: [DeliveredMessage] {
        events.compactMap { if case .delivered(let message) = $0 { message } else { nil } }
    }
    var texts: [String] { delivered.map { String(decoding: $0.plaintext, as: UTF8.self) } }
    var joins: [Epoch] { events.compactMap { if case .joined(let epoch) = $0 { epoch } else { nil } } }
    var epochChanges: [Epoch] {
        events.compactMap { if case .epochChanged(let epoch, _) = $0 { epoch } else { nil } }
    }
    var departures: [LogSequence] { events.compactMap { if case .left(let at) = $0 { at } else { nil } } }
    var redactions: [LogSequence] {
        events.compactMap { if case .redacted(let sequence) = $0 { sequence } else { nil } }
    }
    var rejections: [RejectionPayload] {
        events.compactMap { if case .rejected(let rejection) = $0 { rejection } else { nil } }
    }
    var forks: [LogSequence] { events.compactMap { if case .logForked(let at) = $0 { at } else { nil } } }

    /// The frames this client sent with `opcode`, decoded.
    func sentFrames(_ opcode: Opcode) -> [Frame] {
        sent.map { try! Frame(decoding: ByteBuffer(bytes: $0)) }.filter { $0.header.opcode == opcode }
    }

    /// The group's MLS exporter secret, which only members of one epoch agree on.
    func exported() throws -> SecretBytes {
        try group.exporter(label: "loopback", context: [1, 2, 3], length: 32)
    }
}

/// Real room clients and one room's real sequencer over a real `LogStore`, joined by an in-memory wire that a
/// test can drop, duplicate, hold back or reorder. The server side does what a server shell does: batches are written
/// synced and reported durable at once, catch-up requests are answered from storage, KeyPackage uploads are
/// remembered and answered with a kept Welcome. Everything is in arrays, so a run is deterministic.
struct Loopback {
    static let roomID = RoomID(high: 0x6B61_6C61_6E64_7261, low: 0x0000_0000_0000_00C1)
    static let start = Timestamp(milliseconds: 1_700_000_000_000)!
    static let serverKey: SigningKey = {
        var generator = DeterministicGenerator(seed: 0x5E_4E)
        return SigningKey.generate(using: &generator)
    }()

    var peers: [Peer] = []
    private(set) var sequencer: RoomSequencer?
    let storage = LogStore(backend: InMemoryKeyValueStore(), keySource: .seeded(0xC11E))
    var now = Loopback.start
    /// Packets on the way, in order.
    var wire: [Packet] = []
    /// Packets a `.hold` fate set aside.
    var held: [Packet] = []
    /// Packets delivered, in order (a duplicate twice).
    private(set) var arrived: [Packet] = []
    /// Decides each packet's fate as it arrives; everything is delivered unless a test says otherwise.
    var fate: (Packet) -> Fate = { _ in .deliver }
    /// KeyPackage reference → peer, learned from `keyPackageUpload`.
    private var directory: [(reference: [UInt8], peer: Int)] = []
    /// Catch-up requests the server refused (a reader no longer a member).
    private(set) var refusedCatchUps: [(peer: Int, rejection: SequencerRejection)] = []
    private let seed: UInt64
    private let sequencerLimits: SequencerLimits

    init(seed: UInt64, sequencerLimits: SequencerLimits = .default) {
        self.seed = seed
        self.sequencerLimits = sequencerLimits
    }

    // MARK: Peers

    private mutating func identity(_ name: String) throws -> (ClientIdentity, DeterministicGenerator) {
        var generator = DeterministicGenerator(seed: seed &* 1_000 &+ UInt64(peers.count))
        return (try ClientIdentity(name: name, using: &generator), generator)
    }

    /// A client that creates the room (not yet connected).
    mutating func creator(_ name: String, limits: RoomClientLimits = .default) throws -> Int {
        var (identity, generator) = try identity(name)
        let client = try RoomClient.creating(
            roomID: Self.roomID,
            identity: identity,
            limits: limits,
            now: now,
            using: &generator
        )
        peers.append(Peer(client: client, generator: generator))
        return peers.count - 1
    }

    /// A client invited to the room (not yet connected) and the KeyPackage to add it with.
    mutating func invitee(_ name: String) throws -> (peer: Int, keyPackage: KeyPackage) {
        var (identity, generator) = try identity(name)
        let (client, keyPackage) = try RoomClient.invited(roomID: Self.roomID, identity: identity, using: &generator)
        peers.append(Peer(client: client, generator: generator))
        return (peers.count - 1, keyPackage)
    }

    /// Gives a peer that left a fresh invitation with the same identity (its connection stays as it is).
    mutating func reinvite(_ index: Int) throws -> KeyPackage {
        var generator = peers[index].generator
        let (client, keyPackage) = try RoomClient.invited(
            roomID: Self.roomID,
            identity: peers[index].client.identity,
            using: &generator
        )
        peers[index].client = client
        peers[index].generator = generator
        return keyPackage
    }

    /// A room whose first name created it and added all the others in one commit; everyone connected and joined.
    static func room(_ names: [String], seed: UInt64, creatorLimits: RoomClientLimits = .default) throws -> Loopback {
        var loop = Loopback(seed: seed)
        let creator = try loop.creator(names[0], limits: creatorLimits)
        loop.connect(creator)
        var keyPackages: [KeyPackage] = []
        for name in names.dropFirst() {
            let (peer, keyPackage) = try loop.invitee(name)
            loop.connect(peer)
            keyPackages.append(keyPackage)
        }
        loop.run()
        if !keyPackages.isEmpty {
            loop.handle(creator, .add(keyPackages))
            loop.run()
        }
        return loop
    }

    // MARK: Client side

    /// Hands `event` to a client at the current time; what it sends goes on the wire (if its connection is up).
    mutating func handle(_ index: Int, _ event: RoomClientEvent) {
        var peer = peers[index]
        let actions = peer.client.handle(event, now: now, using: &peer.generator)
        for action in actions {
            guard case .send(let frame) = action else {
                peer.events.append(action)
                continue
            }
            let bytes = frame.encodedBytes
            peer.sent.append(bytes)
            if peer.connected { wire.append(Packet(peer: index, direction: .toServer, bytes: bytes)) }
        }
        peers[index] = peer
    }

    mutating func connect(_ index: Int) {
        peers[index].connected = true
        handle(index, .connected)
    }

    mutating func disconnect(_ index: Int) {
        peers[index].connected = false
        handle(index, .disconnected)
    }

    mutating func send(_ index: Int, _ text: String) { handle(index, .send(Array(text.utf8))) }

    /// Lets time pass without telling anyone.
    mutating func advance(_ milliseconds: UInt64) {
        now = Timestamp(milliseconds: now.milliseconds + milliseconds)!
    }

    /// Lets time pass and ticks every connected client.
    mutating func tick(after milliseconds: UInt64) {
        advance(milliseconds)
        for index in peers.indices where peers[index].connected { handle(index, .tick) }
    }

    // MARK: The wire

    /// Delivers the next packet (subject to `fate`); false when the wire is empty.
    @discardableResult
    mutating func step() -> Bool {
        guard !wire.isEmpty else { return false }
        let packet = wire.removeFirst()
        switch fate(packet) {
        case .drop: return true
        case .hold:
            held.append(packet)
            return true
        case .duplicate:
            arrive(packet)
            arrive(packet)
        case .deliver:
            arrive(packet)
        }
        return true
    }

    /// Delivers until the wire is empty. Bounded, so a livelock fails the test instead of hanging it.
    mutating func run() {
        var steps = 0
        while step() {
            steps += 1
            if steps > 10_000 {
                Issue.record("the wire did not go quiet after 10,000 packets")
                return
            }
        }
    }

    /// Puts the held packets back on the wire, after what is on it.
    mutating func release() {
        wire += held
        held = []
    }

    /// Moves the first packet on the wire that matches to the front (a reordering).
    mutating func moveToFront(where matches: (Packet) -> Bool) throws {
        let found = wire.firstIndex(where: matches)
        let index = try #require(found, "no such packet on the wire")
        wire.insert(wire.remove(at: index), at: 0)
    }

    /// Puts a server frame on the wire to a client.
    mutating func inject(_ frame: Frame, to index: Int) {
        wire.append(Packet(peer: index, direction: .toClient, bytes: frame.encodedBytes))
    }

    private mutating func arrive(_ packet: Packet) {
        switch packet.direction {
        case .toClient:
            // A connection that is down loses what was on its way.
            guard peers[packet.peer].connected else { return }
            arrived.append(packet)
            handle(packet.peer, .frame(packet.frame))
        case .toServer:
            arrived.append(packet)
            serverReceive(packet.frame, from: packet.peer)
        }
    }

    // MARK: Server side

    private mutating func serverReceive(_ frame: Frame, from peer: Int) {
        switch frame.header.opcode {
        case .createRoom where sequencer == nil:
            do {
                let (created, actions) = try RoomSequencer.create(
                    from: frame,
                    origin: ClientOrigin(UInt64(peer)),
                    serverKey: Self.serverKey,
                    limits: sequencerLimits,
                    now: now
                )
                sequencer = created
                carryOut(actions, recipients: members())
            } catch {
                Issue.record("createRoom refused: \(error)")
            }
        case .keyPackageUpload:
            keyPackageUploaded(frame, from: peer)
        case .catchUpRequest:
            guard let sequencer else { return }
            do {
                let after = try sequencer.authorizeCatchUp(frame)
                let frames = try RoomLogReader.catchUp(
                    sequencer,
                    after: after,
                    messageID: frame.header.messageID,
                    storage: storage,
                    now: now
                )
                for reply in frames { send(reply, to: peer) }
            } catch let rejection as SequencerRejection {
                // Answered, so that a member removed while away learns of it.
                refusedCatchUps.append((peer, rejection))
                send(sequencer.catchUpRefusal(rejection, messageID: frame.header.messageID, now: now), to: peer)
            } catch {
                Issue.record("catch-up failed: \(error)")
            }
        default:
            guard var sequencer else { return }
            // A delivery goes to the members of the epoch its entry was admitted in: those before the frame (a
            // removed member learns of its removal) and after it.
            let before = members()
            let actions = sequencer.handle(.frame(frame, origin: ClientOrigin(UInt64(peer))), now: now)
            self.sequencer = sequencer
            let after = members()
            carryOut(actions, recipients: peers.indices.filter { before.contains($0) || after.contains($0) })
        }
    }

    private mutating func keyPackageUploaded(_ frame: Frame, from peer: Int) {
        guard let payload = try? KeyPackageUploadPayload(decoding: frame),
            let keyPackage = try? KeyPackage.decode(payload.keyPackage),
            let provider = try? keyPackage.cipherSuite.provider()
        else {
            Issue.record("an undecodable KeyPackage upload")
            return
        }
        let reference = keyPackage.reference(provider: provider).bytes
        if !directory.contains(where: { $0.reference == reference }) { directory.append((reference, peer)) }
        guard let sequencer else { return }
        do {
            guard
                let record = try RoomLogReader.welcome(
                    in: sequencer.roomID,
                    forKeyPackage: reference,
                    storage: storage
                ),
                record.sequence <= sequencer.durableSequence
            else { return }
            send(sequencer.welcome(record, now: now), to: peer)
        } catch {
            Issue.record("reading the Welcome mailbox: \(error)")
        }
    }

    /// Carries out a sequencer's actions in order; follow-up events are fed back at once.
    private mutating func carryOut(_ actions: [SequencerAction], recipients: [Int]) {
        for action in actions {
            switch action {
            case .persist(let batch, let through):
                do { try storage.write(batch, durability: .synced) } catch {
                    Issue.record("storage write: \(error)")
                    return
                }
                carryOut(serverHandle(.durable(through: through)), recipients: recipients)
            case .reply(let frame, let origin):
                send(frame, to: Int(origin.rawValue))
            case .broadcast(let frame):
                for peer in recipients { send(frame, to: peer) }
            case .sendWelcome(let frame, let keyPackages):
                for reference in keyPackages {
                    for entry in directory where entry.reference == reference { send(frame, to: entry.peer) }
                }
            case .loadEntry(let request):
                carryOut(
                    serverHandle(.redactionTarget(request, storedEntry(at: request.target))),
                    recipients: recipients
                )
            case .shred(let room, let sequence):
                do { try storage.shred(room: room, sequence: sequence) } catch { Issue.record("shred: \(error)") }
            }
        }
    }

    private mutating func serverHandle(_ event: SequencerEvent) -> [SequencerAction] {
        guard var sequencer else { return [] }
        let actions = sequencer.handle(event, now: now)
        self.sequencer = sequencer
        return actions
    }

    private mutating func send(_ frame: Frame, to peer: Int) {
        wire.append(Packet(peer: peer, direction: .toClient, bytes: frame.encodedBytes))
    }

    /// The peers whose credential holds a leaf in the sequencer's group, in peer order.
    func members() -> [Int] {
        guard let group = sequencer?.group else { return [] }
        let credentials = group.memberLeaves.compactMap { group.leafNode(at: $0)?.credential }
        return peers.indices.filter { credentials.contains(peers[$0].credential) }
    }

    // MARK: Storage

    /// What storage holds at `sequence`.
    func record(at sequence: LogSequence) throws -> LogRecord? {
        try storage.readLog(of: Self.roomID, from: sequence, maximumCount: 1).first { $0.sequence == sequence }
    }

    func storedEntry(at sequence: LogSequence) -> StoredEntry? {
        guard let record = try? record(at: sequence), case .payload(let bytes) = record.content else { return nil }
        return try? StoredEntry(decoding: bytes)
    }

    /// The frames of the log in order (nil for a shredded position).
    func logFrames() throws -> [Frame?] {
        try storage.readLog(of: Self.roomID, from: LogSequence(1), maximumCount: 10_000).map { record in
            guard case .payload(let bytes) = record.content else { return nil }
            return try Frame(decoding: ByteBuffer(bytes: StoredEntry(decoding: bytes).frame))
        }
    }
}
