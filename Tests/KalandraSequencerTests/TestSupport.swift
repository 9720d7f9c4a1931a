import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraMLSTesting
import KalandraStorage
import KalandraWire
import NIOCore
import Testing

@testable import KalandraSequencer

/// A member of a test room: a client of the real MLS engine and its data plane, signing frames with its leaf key.
struct Member {
    var client: TestClient
    let signingKey: SigningKey
    var dataPlane: RoomDataPlane
    private(set) var lastMessageID: UInt32 = 0

    init(_ client: TestClient) throws {
        self.client = client
        signingKey = try SenderKeyEpoch.signingKey(for: client.signatureKeys.privateKey)
        dataPlane = RoomDataPlane(initial: try SenderKeyEpoch(group: client.group!, roomID: Room.id))
    }

    var group: MLSGroup { client.group! }
    var leaf: LeafIndex { group.ownLeaf }
    var epoch: Epoch { Epoch(group.epoch) }
    /// The sender ID the sequencer requires: derived from the leaf's signature key.
    var senderID: SenderID { SenderID(signatureKey: client.signatureKeys.publicKey.bytes) }
    var credential: [UInt8] { client.credential.encoded() }

    mutating func nextMessageID() -> UInt32 {
        lastMessageID += 1
        return lastMessageID
    }

    /// A frame of this member, signed with its leaf key; every header field can be overridden.
    func frame(
        _ opcode: Opcode,
        payload: ByteBuffer,
        epoch: Epoch? = nil,
        messageID: UInt32,
        roomID: RoomID = Room.id,
        senderID: SenderID? = nil,
        key: SigningKey? = nil
    ) throws -> Frame {
        let header = FrameHeader(
            opcode: opcode,
            roomID: roomID,
            senderID: senderID ?? self.senderID,
            epoch: epoch ?? self.epoch,
            timestamp: Room.clientTime,
            messageID: messageID
        )
        return try Frame.signed(header: header, payload: payload, key: key ?? signingKey)
    }

    func frame(
        _ opcode: Opcode,
        payload: CBOR,
        epoch: Epoch? = nil,
        messageID: UInt32,
        roomID: RoomID = Room.id,
        senderID: SenderID? = nil,
        key: SigningKey? = nil
    ) throws -> Frame {
        try frame(
            opcode,
            payload: ByteBuffer(bytes: encode(payload)),
            epoch: epoch,
            messageID: messageID,
            roomID: roomID,
            senderID: senderID,
            key: key
        )
    }

    /// The `createRoom` frame: the group's GroupInfo with its tree.
    mutating func createRoomFrame() throws -> Frame {
        try frame(
            .createRoom,
            payload: HandshakePayload(message: group.groupInfo().encoded()).cbor,
            messageID: nextMessageID()
        )
    }

    /// A `proposal` or `commit` frame for `message`, in the epoch the member's group is in (a pending commit's).
    mutating func handshake(_ opcode: Opcode, _ message: MLSMessage, welcome: Welcome? = nil) throws -> Frame {
        try frame(
            opcode,
            payload: HandshakePayload(message: message.encoded(), welcome: welcome?.encoded()).cbor,
            messageID: nextMessageID()
        )
    }

    /// An application message sealed by the data plane in the group's current epoch.
    mutating func send(_ text: String, using generator: inout DeterministicGenerator) throws -> Frame {
        try followEpoch()
        let messageID = nextMessageID()
        return try dataPlane.seal(
            Array(text.utf8),
            senderID: senderID,
            timestamp: Room.clientTime,
            messageID: messageID,
            signingKey: signingKey,
            using: &generator
        ).frame
    }

    mutating func redact(_ target: LogSequence) throws -> Frame {
        try frame(.redact, payload: RedactPayload(target: target, leaf: leaf.rawValue).cbor, messageID: nextMessageID())
    }

    /// Enters the group's epoch in the data plane when a commit moved the group.
    mutating func followEpoch() throws {
        if dataPlane.currentEpoch != epoch {
            try dataPlane.enter(try SenderKeyEpoch(group: group, roomID: Room.id))
        }
    }
}

/// A test shell for one room's sequencer: a real `LogStore` over the in-memory backend, storage writes synced, and
/// every follow-up event fed back.
struct Shell {
    var sequencer: RoomSequencer
    let storage: LogStore
    var now = Room.serverTime
    /// Whether `.shred` actions are carried out (the restart test leaves one undone).
    var executesShreds = true

    init(_ sequencer: RoomSequencer, storage: LogStore = LogStore(backend: InMemoryKeyValueStore())) {
        self.sequencer = sequencer
        self.storage = storage
    }

    /// Hands one event to the sequencer and returns its actions, carrying out none.
    mutating func handle(_ event: SequencerEvent) -> [SequencerAction] {
        sequencer.handle(event, now: now)
    }

    /// Sends `frame` and carries out what follows; returns every action, in order.
    mutating func send(_ frame: Frame, from origin: ClientOrigin = ClientOrigin(1)) throws -> [SequencerAction] {
        let actions = handle(.frame(frame, origin: origin))
        return actions + (try carryOut(actions))
    }

    /// Carries out `actions`: a batch is written synced and then reported durable, a redaction's target is read
    /// from the log, a shred is executed. Returns the actions of the events this fed back, in order.
    mutating func carryOut(_ actions: [SequencerAction]) throws -> [SequencerAction] {
        var followUps: [SequencerAction] = []
        for action in actions {
            switch action {
            case .persist(let batch, let through):
                try storage.write(batch, durability: .synced)
                let next = handle(.durable(through: through))
                followUps += next + (try carryOut(next))
            case .loadEntry(let request):
                let next = try answer(request)
                followUps += next + (try carryOut(next))
            case .shred(let room, let sequence):
                if executesShreds { try storage.shred(room: room, sequence: sequence) }
            case .reply, .broadcast, .sendWelcome:
                break
            }
        }
        return followUps
    }

    /// Reads the target of `request` from the log and reports it to the sequencer, carrying out nothing.
    mutating func answer(_ request: RedactionRequest) throws -> [SequencerAction] {
        let entry = try storedEntry(at: request.target)
        return handle(.redactionTarget(request, entry))
    }

    /// The entry stored at `sequence`, nil when the position is shredded or empty.
    func storedEntry(at sequence: LogSequence) throws -> StoredEntry? {
        let records = try storage.readLog(of: Room.id, from: sequence, maximumCount: 1)
        guard let record = records.first, record.sequence == sequence, case .payload(let bytes) = record.content
        else { return nil }
        return try StoredEntry(decoding: bytes)
    }

    /// The log as `RoomSequencer.restore` takes it: stored entries, and audit records for shredded positions.
    func restoredEntries() throws -> [RoomSequencer.RestoredEntry] {
        var entries: [RoomSequencer.RestoredEntry] = []
        for record in try storage.readLog(of: Room.id, from: LogSequence(1), maximumCount: 10_000) {
            switch record.content {
            case .payload(let bytes):
                entries.append(.stored(try StoredEntry(decoding: bytes)))
            case .shredded:
                let key = StateKey(.audit, RedactionRecord.stateName(room: Room.id, target: record.sequence))
                let audit = try #require(try storage.readState(key), "no audit record for \(record.sequence)")
                entries.append(.redacted(try RedactionRecord(decoding: audit)))
            }
        }
        return entries
    }
}

/// A room of members of one real MLS group, with its sequencer already holding the `createRoom` entry (durable).
struct Room {
    static let id = RoomID(high: 0x6B61_6C61_6E64_7261, low: 0x0000_0000_0000_0006)
    static let clientTime = Timestamp(milliseconds: 1_700_000_000_000)!
    static let serverTime = Timestamp(milliseconds: 1_700_000_123_456)!
    static let serverKey: SigningKey = {
        var generator = DeterministicGenerator(seed: 0x5E9)
        return SigningKey.generate(using: &generator)
    }()

    var members: [Member]
    var generator: DeterministicGenerator
    var shell: Shell
    let createFrame: Frame
    /// What creating the room returned and what carrying it out fed back.
    let creationActions: [SequencerAction]

    init(_ names: [String], seed: UInt64, limits: SequencerLimits = .default) throws {
        let (clients, generator) = try TestClient.group(names, seed: seed)
        self.generator = generator
        members = try clients.map(Member.init)
        createFrame = try members[0].createRoomFrame()
        let (sequencer, actions) = try RoomSequencer.create(
            from: createFrame,
            origin: ClientOrigin(0),
            serverKey: Self.serverKey,
            limits: limits,
            now: Self.serverTime
        )
        shell = Shell(sequencer)
        creationActions = actions + (try shell.carryOut(actions))
    }

    var sequencer: RoomSequencer { shell.sequencer }

    /// Sends member `index`'s next application message and carries out what follows.
    mutating func send(_ text: String, from index: Int) throws -> (frame: Frame, actions: [SequencerAction]) {
        let frame = try members[index].send(text, using: &generator)
        return (frame, try shell.send(frame, from: ClientOrigin(UInt64(index))))
    }

    /// Sends `frame`, which must be refused, and checks that the refusal changed nothing: log, epoch, proposals.
    mutating func refusal(_ frame: Frame) throws -> RejectionPayload {
        let before = (sequencer.lastSequence, sequencer.epoch, sequencer.group.pendingProposalCount)
        let actions = try shell.send(frame, from: ClientOrigin(5))
        try #require(
            actions.replies.map(\.frame.header.opcode) == [.error],
            "\(frame.header.opcode) \(frame.header.messageID): \(actions.kinds)"
        )
        let rejection = try actions.rejection()
        #expect(rejection.messageID == frame.header.messageID)
        #expect(sequencer.lastSequence == before.0)
        #expect(sequencer.epoch == before.1)
        #expect(sequencer.group.pendingProposalCount == before.2)
        return rejection
    }

    /// Member `index` asks to redact `target` and the shell carries out what follows.
    mutating func redact(_ target: LogSequence, by index: Int) throws -> (frame: Frame, actions: [SequencerAction]) {
        let frame = try members[index].redact(target)
        return (frame, try shell.send(frame, from: ClientOrigin(UInt64(index))))
    }

    /// Member `index` proposes an Update; the others receive the proposal once the sequencer admitted it.
    mutating func proposeUpdate(from index: Int) throws -> (frame: Frame, actions: [SequencerAction]) {
        let message = try members[index].client.group!.proposeUpdate(using: &generator)
        let frame = try members[index].handshake(.proposal, message)
        let actions = try shell.send(frame, from: ClientOrigin(UInt64(index)))
        if actions.acceptedSequence != nil {
            for other in members.indices where other != index { try members[other].client.receive(message) }
        }
        return (frame, actions)
    }

    /// Member `index` commits `options`; when the sequencer admits it the committer confirms and the other members
    /// merge it.
    mutating func commit(
        by index: Int,
        _ options: CommitOptions = CommitOptions()
    ) throws -> (frame: Frame, output: CommitOutput, actions: [SequencerAction]) {
        let output = try members[index].client.group!.commit(options, using: &generator)
        let frame = try members[index].handshake(.commit, output.commit, welcome: output.welcome)
        let actions = try shell.send(frame, from: ClientOrigin(UInt64(index)))
        if actions.acceptedSequence != nil { try merge(output.commit, committer: index) }
        return (frame, output, actions)
    }

    /// The committer confirms its pending commit, every other member (still in the group) merges it.
    mutating func merge(_ commit: MLSMessage, committer: Int) throws {
        try members[committer].client.group!.confirmPendingCommit()
        // A member removed by an earlier commit stays in `members` (indices stay stable) but follows no more.
        for index in members.indices where index != committer && members[index].group.isActive {
            members[index].client.group!.discardPendingCommit()
            try members[index].client.receive(commit)
        }
    }
}

// MARK: - Reading actions

extension SequencerAction {
    var persisted: (batch: WriteBatch, through: LogSequence)? {
        if case .persist(let batch, let through) = self { return (batch, through) }
        return nil
    }

    var replied: (frame: Frame, origin: ClientOrigin)? {
        if case .reply(let frame, let origin) = self { return (frame, origin) }
        return nil
    }

    var broadcasted: Frame? {
        if case .broadcast(let frame) = self { return frame }
        return nil
    }

    var welcomed: (frame: Frame, keyPackages: [[UInt8]])? {
        if case .sendWelcome(let frame, let keyPackages) = self { return (frame, keyPackages) }
        return nil
    }

    var loadRequest: RedactionRequest? {
        if case .loadEntry(let request) = self { return request }
        return nil
    }

    var shredded: LogSequence? {
        if case .shred(_, let sequence) = self { return sequence }
        return nil
    }

    /// The case name, for comparing the order of actions.
    var kind: String {
        switch self {
        case .persist: "persist"
        case .reply(let frame, _): "reply.\(frame.header.opcode)"
        case .broadcast: "broadcast"
        case .sendWelcome: "sendWelcome"
        case .loadEntry: "loadEntry"
        case .shred: "shred"
        }
    }
}

extension [SequencerAction] {
    var kinds: [String] { map(\.kind) }
    var persists: [(batch: WriteBatch, through: LogSequence)] { compactMap(\.persisted) }
    var replies: [(frame: Frame, origin: ClientOrigin)] { compactMap(\.replied) }
    var broadcasts: [Frame] { compactMap(\.broadcasted) }
    var welcomes: [(frame: Frame, keyPackages: [[UInt8]])] { compactMap(\.welcomed) }

    /// The sequence of the single `accepted` reply, nil when there is none.
    var acceptedSequence: LogSequence? {
        let accepted = replies.filter { $0.frame.header.opcode == .accepted }
        return accepted.count == 1 ? accepted[0].frame.header.sequence : nil
    }

    /// The rejection, when the actions are exactly one `error` reply (signed by the room's server), after the
    /// read of a redaction's target if the shell answered one.
    func rejection() throws -> RejectionPayload {
        let outward = filter { $0.loadRequest == nil }
        try #require(outward.count == 1, "expected one rejection, got \(kinds)")
        let reply = try #require(outward[0].replied, "expected a reply, got \(kinds)")
        try #require(reply.frame.header.opcode == .error, "expected an error frame, got \(kinds)")
        try reply.frame.verifySignature(with: Room.serverKey.verifyingKey)
        return try RejectionPayload(decoding: reply.frame)
    }
}

// MARK: - Bytes

func encode(_ value: CBOR) -> [UInt8] {
    var bytes: [UInt8] = []
    CBOREncoder.encode(value, into: &bytes)
    return bytes
}

/// A frame's bytes on the wire, as the sequencer stores and chains them.
func bytes(of frame: Frame) -> [UInt8] { frame.encodedBytes }

func payloadBytes(of frame: Frame) -> [UInt8] { Array(frame.payload.readableBytesView) }

/// The state records a batch writes, by key.
func stateRecords(in batch: WriteBatch) -> [StateKey: [UInt8]] {
    var records: [StateKey: [UInt8]] = [:]
    for case .putState(let key, let value) in batch.operations { records[key] = value }
    return records
}

/// The log appends a batch makes, in order.
func appends(in batch: WriteBatch) throws -> [(sequence: LogSequence, entry: StoredEntry)] {
    var appends: [(sequence: LogSequence, entry: StoredEntry)] = []
    for case .append(let room, let sequence, let payload) in batch.operations {
        #expect(room == Room.id)
        appends.append((sequence, try StoredEntry(decoding: payload)))
    }
    return appends
}
