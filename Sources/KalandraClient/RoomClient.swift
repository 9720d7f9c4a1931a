import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraWire
import NIOCore

/// One client's side of one room, a sans-IO core: it takes events with the current time and randomness and returns
/// frames to send and things to tell the application. The server's log order is the truth: the group moves only
/// when a commit arrives in the log (its own included), so every member applies the same commits in the same order.
///
/// Intents (add, remove, update, commit pending proposals) and messages queue while they cannot be sent: while
/// disconnected, while waiting for a Welcome, and while a commit of its own is outstanding. When another member's
/// commit takes the epoch first, the client processes it and re-issues its own intent against the new epoch;
/// messages not yet in the log are sealed again in the new epoch. Frames not acknowledged are sent again
/// byte-identical (the sequencer answers a retry with its first position), and the client asks for catch-up after
/// every reconnect, on any gap in the log, and periodically.
public struct RoomClient: Sendable {
    public let roomID: RoomID
    public let identity: ClientIdentity
    public let limits: RoomClientLimits
    /// The group, once a member.
    public internal(set) var group: MLSGroup?
    var dataPlane: RoomDataPlane?
    /// KeyPackages published for invitations, with their private keys, until a Welcome uses one.
    var keyPackages: [KeyPackageBundle] = []
    var connected = false
    var hasLeft = false
    /// The last log position applied, and the chain hash there (nil: not known, take the next one as given).
    public internal(set) var lastSeen = LogSequence(0)
    public internal(set) var lastChainHash: [UInt8]? = LogChain.genesis
    /// Deliveries that arrived ahead of a gap, by position (bounded).
    var ahead: [UInt64: (frame: [UInt8]?, chainHash: [UInt8])] = [:]
    var queue: [Outgoing] = []
    /// What was sent and must go again in a new epoch, by its first message ID: sent before anything in `queue`,
    /// in the order it was first sent.
    var requeued: [(original: UInt32, item: Outgoing)] = []
    var inFlight: [InFlight] = []
    var nextMessageID: UInt32 = 1
    var lastCatchUp: Timestamp?
    /// After an epoch refusal: the epoch the client waits for before sending again, and since when.
    var epochBarrier: (epoch: Epoch, since: Timestamp)?

    /// Whether sending waits for an epoch the server named. The wait ends when the group reaches it, on a new
    /// connection, or after `catchUpEveryMilliseconds` (a crash may have taken that epoch back).
    var waitingForEpoch: Bool {
        guard let barrier = epochBarrier, let group else { return false }
        return group.epoch < barrier.epoch.rawValue
            && now.millisecondsSince(barrier.since) < Int64(limits.catchUpEveryMilliseconds)
    }

    /// `lastSeen` when the last catch-up request was sent.
    var lastSeenAtCatchUp = LogSequence(0)
    /// The message ID of the last catch-up request: its refusal as `notAMember` means this client was removed.
    var lastCatchUpMessageID: UInt32?

    /// The highest log position this client knows exists (from acknowledgements and deliveries ahead of a gap).
    var knownEnd = LogSequence(0)

    /// Whether a catch-up was asked for within the retransmission interval.
    var recentlyCaughtUp: Bool {
        lastCatchUp.map { now.millisecondsSince($0) < Int64(limits.retransmitAfterMilliseconds) } ?? false
    }
    var now = Timestamp.zero

    /// What waits to be sent.
    enum Outgoing: Sendable {
        case message([UInt8])
        case intent(Intent)
        case redact(LogSequence)
    }

    enum Intent: Sendable {
        case add([KeyPackage])
        case remove([Credential])
        case proposeUpdate
        case commitPending
    }

    /// A frame sent and not yet settled.
    struct InFlight: Sendable {
        let messageID: UInt32
        let frame: Frame
        var sentAt: Timestamp
        let epoch: Epoch
        let origin: Origin

        enum Origin: Sendable {
            case createRoom
            case message([UInt8])
            case proposal(Intent)
            case commit(Intent)
            case redact(LogSequence)
        }
    }

    /// The state machine's state.
    public var state: RoomClientState {
        if hasLeft { return .left }
        if !connected { return .disconnected }
        guard let group else { return .pendingWelcome }
        if group.hasPendingCommit { return .pendingCommit(target: Epoch(group.epoch + 1)) }
        return .synchronized(Epoch(group.epoch))
    }

    /// The number of messages and intents waiting to be sent, and frames not yet settled.
    public var backlog: (queued: Int, inFlight: Int) { (queue.count + requeued.count, inFlight.count) }

    // MARK: Starting

    /// A client that creates the room: a group of one, announced to the server with a `createRoom` frame.
    public static func creating(
        roomID: RoomID,
        identity: ClientIdentity,
        limits: RoomClientLimits = .default,
        now: Timestamp,
        using generator: inout some RandomNumberGenerator
    ) throws(RoomClientError) -> RoomClient {
        var client = RoomClient(roomID: roomID, identity: identity, limits: limits)
        client.now = now
        do {
            let (leaf, leafPrivateKey) = try LeafNode.generate(
                credential: identity.credential,
                signaturePrivateKey: identity.signatureKeys.privateKey,
                capabilities: identity.capabilities,
                lifetime: Lifetime(notBeforeSeconds: 0, notAfterSeconds: .max),
                provider: identity.provider,
                using: &generator
            )
            let group = try MLSGroup.create(
                groupID: Self.groupID(of: roomID),
                leafNode: leaf,
                leafPrivateKey: leafPrivateKey,
                signaturePrivateKey: identity.signatureKeys.privateKey,
                provider: identity.provider,
                using: &generator
            )
            client.group = group
            client.dataPlane = RoomDataPlane(initial: try SenderKeyEpoch(group: group, roomID: roomID))
            let payload = HandshakePayload(message: try group.groupInfo().encoded())
            let frame = try client.sign(.createRoom, epoch: Epoch(group.epoch), payload: payload.cbor)
            client.inFlight.append(
                InFlight(
                    messageID: frame.header.messageID,
                    frame: frame,
                    sentAt: now,
                    epoch: Epoch(0),
                    origin: .createRoom
                )
            )
        } catch let error as RoomClientError {
            throw error
        } catch {
            throw .mls("\(error)")
        }
        return client
    }

    /// A client invited to the room: it publishes the returned KeyPackage and waits for the Welcome.
    public static func invited(
        roomID: RoomID,
        identity: ClientIdentity,
        limits: RoomClientLimits = .default,
        using generator: inout some RandomNumberGenerator
    ) throws(RoomClientError) -> (client: RoomClient, keyPackage: KeyPackage) {
        var client = RoomClient(roomID: roomID, identity: identity, limits: limits)
        let bundle: KeyPackageBundle
        do {
            bundle = try KeyPackageBundle.generate(
                credential: identity.credential,
                signaturePrivateKey: identity.signatureKeys.privateKey,
                provider: identity.provider,
                lifetime: Lifetime(notBeforeSeconds: 0, notAfterSeconds: .max),
                capabilities: identity.capabilities,
                leafExtensions: [],
                extensions: [],
                using: &generator
            )
        } catch { throw .mls("\(error)") }
        client.keyPackages.append(bundle)
        return (client, bundle.keyPackage)
    }

    private init(roomID: RoomID, identity: ClientIdentity, limits: RoomClientLimits) {
        self.roomID = roomID
        self.identity = identity
        self.limits = limits
    }

    /// The MLS group ID of a room: "kalandra room " ‖ room ID.
    public static func groupID(of roomID: RoomID) -> [UInt8] {
        Array("kalandra room ".utf8)
            + (0..<16).map { index in
                UInt8(truncatingIfNeeded: (index < 8 ? roomID.high : roomID.low) >> (56 - 8 * UInt64(index % 8)))
            }
    }

    // MARK: Events

    /// Handles one event at `now`; randomness (keys, nonces) comes from `generator`.
    public mutating func handle(
        _ event: RoomClientEvent,
        now: Timestamp,
        using generator: inout some RandomNumberGenerator
    ) -> [RoomClientAction] {
        self.now = now
        guard !hasLeft else { return [] }
        var actions: [RoomClientAction] = []
        switch event {
        case .connected:
            connected = true
            epochBarrier = nil
            // Everything unsettled goes again, byte-identical: the sequencer answers retries with their position.
            for index in inFlight.indices {
                inFlight[index].sentAt = now
                actions.append(.send(inFlight[index].frame))
            }
            actions += catchUp()
        case .disconnected:
            connected = false
        case .frame(let frame):
            actions += receive(frame, using: &generator)
        case .tick:
            guard connected else { return [] }
            for index in inFlight.indices
            where now.millisecondsSince(inFlight[index].sentAt) >= Int64(limits.retransmitAfterMilliseconds) {
                inFlight[index].sentAt = now
                actions.append(.send(inFlight[index].frame))
            }
            let periodic =
                lastCatchUp.map { now.millisecondsSince($0) >= Int64(limits.catchUpEveryMilliseconds) } ?? true
            if periodic || (knownEnd > lastSeen && !recentlyCaughtUp) {
                actions += catchUp()
            }
        case .send(let plaintext):
            actions += enqueue(.message(plaintext))
        case .add(let keyPackages):
            actions += enqueue(.intent(.add(keyPackages)))
        case .remove(let credentials):
            actions += enqueue(.intent(.remove(credentials)))
        case .proposeUpdate:
            actions += enqueue(.intent(.proposeUpdate))
        case .commitPending:
            actions += enqueue(.intent(.commitPending))
        case .redact(let target):
            actions += enqueue(.redact(target))
        }
        actions += flush(using: &generator)
        return actions
    }

    /// Puts back what was sent as `original` and must go again, keeping first-sent order.
    mutating func requeue(_ item: Outgoing, original: UInt32) {
        let position = requeued.firstIndex { $0.original > original } ?? requeued.count
        requeued.insert((original, item), at: position)
    }

    private mutating func enqueue(_ item: Outgoing) -> [RoomClientAction] {
        guard queue.count < limits.maximumQueued else {
            return [
                .rejected(
                    RejectionPayload(
                        code: .overLimit,
                        detail: "client queue full (\(limits.maximumQueued))",
                        messageID: 0
                    )
                )
            ]
        }
        queue.append(item)
        return []
    }

    // MARK: Sending

    /// Sends what the state allows, in queue order: nothing while disconnected, waiting for a Welcome or with a
    /// commit outstanding; a commit stops the queue until it is settled, so later messages go in its epoch.
    private mutating func flush(using generator: inout some RandomNumberGenerator) -> [RoomClientAction] {
        var actions: [RoomClientAction] = []
        while connected, !hasLeft, let group, !group.hasPendingCommit, !(queue.isEmpty && requeued.isEmpty),
            !waitingForEpoch, inFlight.count < limits.maximumInFlight
        {
            let item = requeued.isEmpty ? queue.removeFirst() : requeued.removeFirst().item
            do {
                switch item {
                case .message(let plaintext):
                    let messageID = takeMessageID()
                    guard var dataPlane else { return actions }
                    let sealed = try dataPlane.seal(
                        plaintext,
                        senderID: identity.senderID,
                        timestamp: now,
                        messageID: messageID,
                        signingKey: identity.signingKey,
                        using: &generator
                    )
                    self.dataPlane = dataPlane
                    actions += track(sealed.frame, origin: .message(plaintext))
                case .redact(let target):
                    let payload = RedactPayload(target: target, leaf: group.ownLeaf.rawValue)
                    let frame = try sign(.redact, epoch: Epoch(group.epoch), payload: payload.cbor)
                    actions += track(frame, origin: .redact(target))
                case .intent(let intent):
                    actions += try issue(intent, using: &generator)
                }
            } catch {
                actions.append(.rejected(RejectionPayload(code: .malformed, detail: "\(error)", messageID: 0)))
            }
        }
        return actions
    }

    /// Makes the proposal or commit an intent needs in the current epoch.
    private mutating func issue(
        _ intent: Intent,
        using generator: inout some RandomNumberGenerator
    ) throws -> [RoomClientAction] {
        guard var group else { return [] }
        let epoch = Epoch(group.epoch)
        switch intent {
        case .proposeUpdate:
            let message = try group.proposeUpdate(using: &generator)
            self.group = group
            let frame = try sign(.proposal, epoch: epoch, payload: HandshakePayload(message: message.encoded()).cbor)
            return track(frame, origin: .proposal(intent))
        case .add, .remove, .commitPending:
            var proposals: [Proposal] = []
            if case .add(let keyPackages) = intent {
                proposals = keyPackages.map { .add(AddProposal(keyPackage: $0)) }
            }
            if case .remove(let credentials) = intent {
                // Members already gone (another commit removed them) need nothing more.
                proposals = group.memberLeaves.filter { leaf in
                    leaf != group.ownLeaf && group.credential(at: leaf).map(credentials.contains) == true
                }
                .map { .remove(RemoveProposal(removed: $0)) }
                if proposals.isEmpty { return [] }
            }
            let output = try group.commit(CommitOptions(proposals: proposals), using: &generator)
            self.group = group
            let payload = HandshakePayload(message: output.commit.encoded(), welcome: output.welcome?.encoded())
            let frame = try sign(.commit, epoch: epoch, payload: payload.cbor)
            return track(frame, origin: .commit(intent))
        }
    }

    private mutating func track(_ frame: Frame, origin: InFlight.Origin) -> [RoomClientAction] {
        inFlight.append(
            InFlight(
                messageID: frame.header.messageID,
                frame: frame,
                sentAt: now,
                epoch: frame.header.epoch,
                origin: origin
            )
        )
        return [.send(frame)]
    }

    private mutating func takeMessageID() -> UInt32 {
        defer { nextMessageID &+= 1 }
        return nextMessageID
    }

    private mutating func sign(_ opcode: Opcode, epoch: Epoch, payload: CBOR) throws(FrameError) -> Frame {
        let header = FrameHeader(
            opcode: opcode,
            roomID: roomID,
            senderID: identity.senderID,
            epoch: epoch,
            timestamp: now,
            messageID: takeMessageID()
        )
        return try Frame.signed(header: header, payload: payload, key: identity.signingKey)
    }

    /// Publishes this invitee's KeyPackage again, so the server sends the Welcome kept for it.
    mutating func announceInvitation() -> [RoomClientAction] {
        guard connected, group == nil, let bundle = keyPackages.first else { return [] }
        lastCatchUp = now
        let payload = KeyPackageUploadPayload(keyPackage: bundle.keyPackage.encoded())
        guard let frame = try? sign(.keyPackageUpload, epoch: Epoch(0), payload: payload.cbor) else { return [] }
        return [.send(frame)]
    }

    mutating func catchUp() -> [RoomClientAction] {
        guard connected, let group else { return announceInvitation() }
        lastCatchUp = now
        var header = FrameHeader(
            opcode: .catchUpRequest,
            roomID: roomID,
            senderID: identity.senderID,
            epoch: Epoch(group.epoch),
            timestamp: now,
            messageID: takeMessageID()
        )
        header.sequence = lastSeen
        lastCatchUpMessageID = header.messageID
        lastSeenAtCatchUp = lastSeen
        guard
            let frame = try? Frame.signed(
                header: header,
                payload: CatchUpPayload(leaf: group.ownLeaf.rawValue).cbor,
                key: identity.signingKey
            )
        else { return [] }
        return [.send(frame)]
    }
}
