import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraStorage
import KalandraWire
import NIOCore

/// The sequencer of one room, on the server that has authority over it: one total order for the room's frames,
/// exactly one commit admitted per epoch, nothing acknowledged before it is durable. A sans-IO core: it takes
/// events with the current time and returns actions for the shell (production: SwiftNIO and RocksDB; simulation:
/// Simulation/), and holds no clock, socket, thread or randomness.
///
/// It follows the room's MLS group as a delivery service (`PublicGroup`: epoch, tree, membership, from the
/// PublicMessage handshakes it admits). For each client frame it checks, in order: room, payload size, a
/// retry of a frame it already admitted (answered with the original position), opcode, epoch, payload schema, the
/// signer's membership, that the header's sender ID is the one derived from the signing key, the frame signature,
/// and for handshakes every MLS rule a delivery service can check. The first commit of an epoch that passes wins;
/// a later one for the same epoch is `staleEpoch` with the current epoch, so its author catches up and retries.
/// Proposals of the current epoch are admitted in arrival order, so they precede any commit that covers them.
public struct RoomSequencer: Sendable {
    public let roomID: RoomID
    public let limits: SequencerLimits
    /// Signs the sequencer's own frames (acknowledgements, rejections, deliveries, Welcomes).
    private let serverKey: SigningKey
    private let serverID: SenderID
    /// The room's group as a delivery service sees it.
    public private(set) var group: PublicGroup
    /// The last position assigned (durable or not).
    public private(set) var lastSequence: LogSequence
    /// The last position known durable.
    public private(set) var durableSequence: LogSequence
    /// The chain hash at `lastSequence`.
    public private(set) var chainHash: [UInt8]
    private var retries: RetryWindows
    /// Admitted entries waiting to be durable, in order.
    private var pending: [PendingEntry] = []
    /// Redactions waiting for the shell to read their target.
    private var pendingRedactions: [PendingRedaction] = []

    /// A redaction waiting for its target, with the connections that sent it again meanwhile.
    private struct PendingRedaction: Sendable {
        let request: RedactionRequest
        var retriedBy: [ClientOrigin] = []
    }
    /// The time of the event being handled, for the timestamps of the sequencer's frames.
    private var now = Timestamp.zero
    /// The group as of the last durable entry: who may read the log. A removal not yet durable must not show.
    public private(set) var durableGroup: PublicGroup
    /// The group after each admitted commit that is not yet durable, in order.
    private var committedGroups: [(sequence: LogSequence, group: PublicGroup)] = []
    /// Targets whose redaction is admitted and not yet shredded: a second request is refused meanwhile.
    private var redactionsInProgress: Set<LogSequence> = []
    /// Payload bytes of the entries not yet durable.
    private var pendingBytes = 0

    /// The current epoch.
    public var epoch: Epoch { Epoch(group.epoch) }
    /// The number of admitted entries not yet durable.
    public var pendingCount: Int { pending.count }

    private struct PendingEntry: Sendable {
        let sequence: LogSequence
        let frame: [UInt8]
        let chainHash: [UInt8]
        var waiters: [(origin: ClientOrigin, messageID: UInt32)]
        let welcome: (frame: [UInt8], keyPackages: [[UInt8]])?
        /// The target to shred once this `redact` entry is durable.
        let shredTarget: LogSequence?
    }

    /// Connections answered for one entry or redaction (the first sender and its retries from other connections).
    static let maximumWaiters = 16

    // MARK: Creating a room

    /// The sequencer of a new room, from the creator's `createRoom` frame, whose payload carries the group's
    /// GroupInfo at epoch 0 or later (with its tree). The frame becomes the log's first entry; the returned actions
    /// persist it and, once durable, acknowledge it.
    public static func create(
        from frame: Frame,
        origin: ClientOrigin,
        serverKey: SigningKey,
        limits: SequencerLimits = .default,
        now: Timestamp
    ) throws(SequencerRejection) -> (sequencer: RoomSequencer, actions: [SequencerAction]) {
        guard frame.header.opcode == .createRoom else {
            throw SequencerRejection(.unsupportedOpcode, "a room starts with a createRoom frame")
        }
        guard frame.payload.readableBytes <= limits.maximumPayloadBytes else {
            throw SequencerRejection(.tooLarge, "payload of \(frame.payload.readableBytes) bytes")
        }
        let group = try groupOfCreateRoom(frame)
        guard frame.header.epoch.rawValue == group.epoch else {
            throw SequencerRejection(
                .malformed,
                "header epoch \(frame.header.epoch) but GroupInfo epoch \(group.epoch)"
            )
        }
        var sequencer = RoomSequencer(roomID: frame.header.roomID, group: group, serverKey: serverKey, limits: limits)
        sequencer.now = now
        let bytes = frame.encodedBytes
        sequencer.recordRetry(frame, digest: SHA256Hash.digest(bytes))
        let actions = sequencer.admit(
            frame,
            bytes: bytes,
            origin: origin,
            author: [],
            welcome: nil,
            shredTarget: nil,
            extraState: []
        )
        return (sequencer, actions)
    }

    private init(roomID: RoomID, group: PublicGroup, serverKey: SigningKey, limits: SequencerLimits) {
        self.roomID = roomID
        self.group = group
        self.durableGroup = group
        self.serverKey = serverKey
        self.serverID = SenderID(signatureKey: serverKey.verifyingKey.bytes)
        self.limits = limits
        self.lastSequence = LogSequence(0)
        self.durableSequence = LogSequence(0)
        self.chainHash = LogChain.genesis
        self.retries = RetryWindows(windowSize: limits.retryWindow, maximumSenders: limits.maximumTrackedSenders)
    }

    /// The group a `createRoom` frame starts: its GroupInfo verified, the frame signed by the GroupInfo's signer.
    private static func groupOfCreateRoom(_ frame: Frame) throws(SequencerRejection) -> PublicGroup {
        let payload: HandshakePayload
        do { payload = try HandshakePayload(decoding: frame) } catch {
            throw SequencerRejection(.malformed, "\(error)")
        }
        let group: PublicGroup
        let groupInfo: GroupInfo
        do {
            groupInfo = try GroupInfo.decode(payload.message)
            group = try PublicGroup(groupInfo: groupInfo)
        } catch {
            throw SequencerRejection(.invalidHandshake, "GroupInfo: \(error)")
        }
        guard let signer = group.leafNode(at: groupInfo.signer) else {
            throw SequencerRejection(.notAMember, "GroupInfo signer \(groupInfo.signer)")
        }
        try checkSigner(frame, key: signer.signatureKey.bytes)
        return group
    }

    // MARK: Events

    /// Handles one event; `now` is the server's time (recorded in redaction audit records).
    public mutating func handle(_ event: SequencerEvent, now: Timestamp) -> [SequencerAction] {
        self.now = now
        switch event {
        case .frame(let frame, let origin):
            return receive(frame, origin: origin)
        case .durable(let through):
            return markDurable(through: through)
        case .redactionTarget(let request, let entry):
            return completeRedaction(request, entry: entry, now: now)
        }
    }

    private mutating func receive(_ frame: Frame, origin: ClientOrigin) -> [SequencerAction] {
        let header = frame.header
        do throws(SequencerRejection) {
            guard header.roomID == roomID else {
                throw SequencerRejection(.wrongRoom, "frame for room \(header.roomID) sent to room \(roomID)")
            }
            guard frame.payload.readableBytes <= limits.maximumPayloadBytes else {
                throw SequencerRejection(
                    .tooLarge,
                    "payload of \(frame.payload.readableBytes) bytes, limit \(limits.maximumPayloadBytes)"
                )
            }
            let bytes = frame.encodedBytes
            let digest = SHA256Hash.digest(bytes)
            switch retries.lookUp(sender: header.senderID, messageID: header.messageID, digest: digest) {
            case .new: break
            case .retry(let admitted):
                return answerRetry(admitted.sequence, origin: origin, messageID: header.messageID)
            case .reused(let admitted):
                throw SequencerRejection(
                    .messageIDReused,
                    "message ID \(header.messageID) was used at \(admitted.sequence) for another frame"
                )
            case .tooOld:
                throw SequencerRejection(.retryTooOld, "message ID \(header.messageID) is older than the retry window")
            }
            // After the retry check, so a retried createRoom is answered with its position.
            switch header.opcode {
            case .applicationMessage, .proposal, .commit, .redact: break
            case .createRoom: throw SequencerRejection(.roomExists, "room \(roomID) exists")
            default: throw SequencerRejection(.unsupportedOpcode, "\(header.opcode) is not a room frame")
            }
            guard header.epoch == epoch else {
                throw SequencerRejection(
                    header.epoch < epoch ? .staleEpoch : .futureEpoch,
                    "frame of epoch \(header.epoch), room is in epoch \(epoch)",
                    currentEpoch: epoch
                )
            }
            guard pending.count < limits.maximumPendingEntries,
                pendingBytes + frame.payload.readableBytes <= limits.maximumPendingBytes
            else {
                throw SequencerRejection(.overLimit, "\(pending.count) entries (\(pendingBytes) bytes) await storage")
            }
            switch header.opcode {
            case .applicationMessage: return try admitApplication(frame, bytes: bytes, digest: digest, origin: origin)
            case .redact: return try requestRedaction(frame, bytes: bytes, origin: origin)
            default: return try admitHandshake(frame, bytes: bytes, digest: digest, origin: origin)
            }
        } catch {
            return [.reply(rejection(error, messageID: header.messageID), to: origin)]
        }
    }

    private mutating func admitApplication(
        _ frame: Frame,
        bytes: [UInt8],
        digest: [UInt8],
        origin: ClientOrigin
    ) throws(SequencerRejection) -> [SequencerAction] {
        let ciphertext: SenderKeyCiphertext
        do {
            ciphertext = try frame.payload.withUnsafeReadableBytes { raw throws(DataPlaneError) in
                try SenderKeyCiphertext(decoding: raw, maximumByteCount: limits.maximumPayloadBytes)
            }
        } catch { throw SequencerRejection(.malformed, "\(error)") }
        guard let leaf = group.leafNode(at: ciphertext.sender) else {
            throw SequencerRejection(.notAMember, "leaf \(ciphertext.sender.rawValue) holds no member")
        }
        try Self.checkSigner(frame, key: leaf.signatureKey.bytes)
        let author = leaf.credential.encoded()
        guard author.count <= StoredEntry.maximumAuthorBytes else {
            throw SequencerRejection(
                .tooLarge,
                "a credential of \(author.count) bytes, limit \(StoredEntry.maximumAuthorBytes)"
            )
        }
        recordRetry(frame, digest: digest)
        return admit(
            frame,
            bytes: bytes,
            origin: origin,
            author: author,
            welcome: nil,
            shredTarget: nil,
            extraState: []
        )
    }

    private mutating func admitHandshake(
        _ frame: Frame,
        bytes: [UInt8],
        digest: [UInt8],
        origin: ClientOrigin
    ) throws(SequencerRejection) -> [SequencerAction] {
        let payload: HandshakePayload
        let message: MLSMessage
        do {
            payload = try HandshakePayload(decoding: frame)
            message = try MLSMessage.decode(payload.message)
        } catch { throw SequencerRejection(.malformed, "\(error)") }
        guard case .publicMessage(let publicMessage) = message.body else {
            throw SequencerRejection(.malformed, "a \(message.wireFormat) handshake; the room needs PublicMessages")
        }
        let content = publicMessage.content
        let expected: ContentType = frame.header.opcode == .commit ? .commit : .proposal
        guard content.contentType == expected else {
            throw SequencerRejection(.malformed, "a \(frame.header.opcode) frame carrying a \(content.contentType)")
        }
        guard content.epoch == epoch.rawValue else {
            throw SequencerRejection(.malformed, "header epoch \(epoch) but MLS epoch \(content.epoch)")
        }
        guard payload.welcome == nil || expected == .commit else {
            throw SequencerRejection(.malformed, "a Welcome travels only with a commit")
        }
        // Only members propose and commit here: a new member's own Add or external commit, and external senders,
        // would let anyone with a KeyPackage into the room. Those joins need a room policy first.
        guard case .member = content.sender else {
            throw SequencerRejection(
                .notAMember,
                "a \(content.sender.senderType) sender; this room admits members only"
            )
        }
        let key: SignaturePublicKey
        do { key = try group.senderSignatureKey(of: publicMessage) } catch {
            throw SequencerRejection(.notAMember, "\(error)")
        }
        try Self.checkSigner(frame, key: key.bytes)
        var welcome: (frame: [UInt8], keyPackages: [[UInt8]])?
        if let welcomeBytes = payload.welcome {
            let decoded: Welcome
            do { decoded = try Welcome.decode(welcomeBytes) } catch {
                throw SequencerRejection(.malformed, "Welcome: \(error)")
            }
            welcome = (welcomeBytes, decoded.secrets.map(\.newMember.bytes))
        }
        var staged = group
        let handshake: PublicHandshake
        do { handshake = try staged.process(message) } catch {
            throw SequencerRejection(.invalidHandshake, "\(error)")
        }
        if case .commit(let commit) = handshake {
            // The Welcome must be for exactly the members the commit adds, so nobody can post Welcomes for others.
            let added = Set(
                commit.proposals.compactMap { covered -> [UInt8]? in
                    guard case .add(let add) = covered.proposal else { return nil }
                    return add.keyPackage.reference(provider: group.provider).bytes
                }
            )
            if let welcome, Set(welcome.keyPackages) != added || welcome.keyPackages.count != added.count {
                throw SequencerRejection(.malformed, "the Welcome is not for the members the commit adds")
            }
            do { try follow(commit, in: &staged) } catch { throw SequencerRejection(.invalidHandshake, "\(error)") }
        }
        group = staged
        recordRetry(frame, digest: digest)
        let sequence = LogSequence(lastSequence.rawValue + 1)
        if case .commit = handshake { committedGroups.append((sequence, staged)) }
        var mailbox: [(StateKey, [UInt8])] = []
        if let welcome {
            let hash = LogChain.next(previous: chainHash, sequence: sequence, frame: bytes)
            let record = WelcomeRecord(room: roomID, sequence: sequence, chainHash: hash, welcome: welcome.frame)
            mailbox.append((Self.welcomeKey(room: roomID, sequence: sequence), record.encoded()))
            for reference in welcome.keyPackages {
                mailbox.append((Self.invitationKey(room: roomID, keyPackage: reference), bigEndian(sequence.rawValue)))
            }
        }
        return admit(
            frame,
            bytes: bytes,
            origin: origin,
            author: [],
            welcome: welcome,
            shredTarget: nil,
            extraState: mailbox
        )
    }

    /// Merges an admitted commit into `group`, forgetting the retry windows of the members it removes: one who is
    /// invited again starts its message IDs afresh. Live admission and `restore` both come here.
    private mutating func follow(_ commit: PublicStagedCommit, in group: inout PublicGroup) throws(MLSError) {
        for leaf in commit.removedMembers {
            if let key = group.leafNode(at: leaf)?.signatureKey.bytes {
                retries.forget(sender: SenderID(signatureKey: key))
            }
        }
        try group.merge(commit)
    }

    // MARK: Redaction

    private mutating func requestRedaction(
        _ frame: Frame,
        bytes: [UInt8],
        origin: ClientOrigin
    ) throws(SequencerRejection) -> [SequencerAction] {
        let payload: RedactPayload
        do { payload = try RedactPayload(decoding: frame) } catch { throw SequencerRejection(.malformed, "\(error)") }
        guard let leafIndex = LeafIndex(rawValue: payload.leaf), let leaf = group.leafNode(at: leafIndex) else {
            throw SequencerRejection(.notAMember, "leaf \(payload.leaf) holds no member")
        }
        try Self.checkSigner(frame, key: leaf.signatureKey.bytes)
        guard payload.target.rawValue >= 1, payload.target <= durableSequence,
            !redactionsInProgress.contains(payload.target)
        else {
            throw SequencerRejection(.noSuchEntry, "no durable entry at \(payload.target), or it is being redacted")
        }
        guard leaf.credential.encoded().count <= StoredEntry.maximumAuthorBytes else {
            throw SequencerRejection(
                .tooLarge,
                "the requester's credential is over \(StoredEntry.maximumAuthorBytes) bytes"
            )
        }
        guard pendingRedactions.count < limits.maximumPendingRedactions else {
            throw SequencerRejection(.overLimit, "\(pendingRedactions.count) redactions in progress")
        }
        if let index = pendingRedactions.firstIndex(where: { $0.request.target == payload.target }) {
            // The same request sent again (a reconnect) is answered with the first one's outcome.
            guard pendingRedactions[index].request.frame == bytes else {
                throw SequencerRejection(.noSuchEntry, "entry \(payload.target) is being redacted")
            }
            if pendingRedactions[index].retriedBy.count < Self.maximumWaiters,
                !pendingRedactions[index].retriedBy.contains(origin)
            {
                pendingRedactions[index].retriedBy.append(origin)
            }
            return []
        }
        let request = RedactionRequest(
            frame: bytes,
            origin: origin,
            target: payload.target,
            requester: leaf.credential.encoded(),
            messageID: frame.header.messageID
        )
        pendingRedactions.append(PendingRedaction(request: request))
        return [.loadEntry(request)]
    }

    /// Admits the `redact` frame once the target is known to be the requester's own application message. The frame
    /// and the audit record are persisted together; the target is shredded once they are durable.
    private mutating func completeRedaction(
        _ request: RedactionRequest,
        entry: StoredEntry?,
        now: Timestamp
    ) -> [SequencerAction] {
        guard let index = pendingRedactions.firstIndex(where: { $0.request == request }) else { return [] }
        let origins = [request.origin] + pendingRedactions.remove(at: index).retriedBy
        do throws(SequencerRejection) {
            guard let entry else { throw SequencerRejection(.noSuchEntry, "entry \(request.target) holds nothing") }
            // Constant time is not needed: credentials are public.
            guard !entry.author.isEmpty, entry.author == request.requester else {
                throw SequencerRejection(.redactionNotAllowed, "entry \(request.target) is not the requester's message")
            }
            let frame: Frame
            do { frame = try Frame(decoding: ByteBuffer(bytes: request.frame)) } catch {
                throw SequencerRejection(.malformed, "\(error)")
            }
            // The epoch may have moved while the target was read; the request was checked in its own epoch.
            guard pending.count < limits.maximumPendingEntries else {
                throw SequencerRejection(.overLimit, "\(pending.count) entries await storage")
            }
            let sequence = LogSequence(lastSequence.rawValue + 1)
            guard let target = try? Frame(decoding: ByteBuffer(bytes: entry.frame)) else {
                throw SequencerRejection(.noSuchEntry, "entry \(request.target) does not decode")
            }
            let record = RedactionRecord(
                target: request.target,
                targetChainHash: entry.chainHash,
                recordedAt: sequence,
                requester: request.requester,
                time: now,
                targetSender: target.header.senderID,
                targetMessageID: target.header.messageID,
                targetDigest: SHA256Hash.digest(entry.frame)
            )
            recordRetry(frame, digest: SHA256Hash.digest(request.frame))
            let actions = admit(
                frame,
                bytes: request.frame,
                origin: request.origin,
                author: [],
                welcome: nil,
                shredTarget: request.target,
                extraState: [
                    (
                        StateKey(.audit, RedactionRecord.stateName(room: roomID, target: request.target)),
                        record.encoded()
                    )
                ]
            )
            pending[pending.count - 1].waiters += origins.dropFirst().prefix(Self.maximumWaiters).map {
                ($0, request.messageID)
            }
            redactionsInProgress.insert(request.target)
            return actions
        } catch {
            let refusal = rejection(error, messageID: request.messageID)
            return origins.map { .reply(refusal, to: $0) }
        }
    }

    // MARK: Admission and durability

    private mutating func recordRetry(_ frame: Frame, digest: [UInt8]) {
        retries.record(
            sender: frame.header.senderID,
            messageID: frame.header.messageID,
            RetryWindows.Admitted(sequence: LogSequence(lastSequence.rawValue + 1), digest: digest)
        )
    }

    /// Assigns the next position and asks for it to be persisted with `extraState`.
    private mutating func admit(
        _ frame: Frame,
        bytes: [UInt8],
        origin: ClientOrigin,
        author: [UInt8],
        welcome: (frame: [UInt8], keyPackages: [[UInt8]])?,
        shredTarget: LogSequence?,
        extraState: [(StateKey, [UInt8])]
    ) -> [SequencerAction] {
        let sequence = LogSequence(lastSequence.rawValue + 1)
        let hash = LogChain.next(previous: chainHash, sequence: sequence, frame: bytes)
        lastSequence = sequence
        chainHash = hash
        pendingBytes += bytes.count + (welcome?.frame.count ?? 0)
        pending.append(
            PendingEntry(
                sequence: sequence,
                frame: bytes,
                chainHash: hash,
                waiters: [(origin, frame.header.messageID)],
                welcome: welcome,
                shredTarget: shredTarget
            )
        )
        var batch = WriteBatch()
        batch.append(StoredEntry(chainHash: hash, author: author, frame: bytes).encoded(), to: roomID, at: sequence)
        for (key, value) in extraState { batch.putState(value, for: key) }
        return [.persist(batch, through: sequence)]
    }

    private mutating func answerRetry(
        _ sequence: LogSequence,
        origin: ClientOrigin,
        messageID: UInt32
    ) -> [SequencerAction] {
        if let index = pending.firstIndex(where: { $0.sequence == sequence }) {
            // Each connection is answered once, and a retrying client cannot grow the list without bound.
            if pending[index].waiters.count < Self.maximumWaiters,
                !pending[index].waiters.contains(where: { $0.origin == origin && $0.messageID == messageID })
            {
                pending[index].waiters.append((origin, messageID))
            }
            return []
        }
        // Durable already: the chain hash at that position is in the log, which the client reads on catch-up;
        // the acknowledgement carries the current one only when it is the same position.
        return [.reply(accepted(sequence: sequence, messageID: messageID, chainHash: nil), to: origin)]
    }

    private mutating func markDurable(through sequence: LogSequence) -> [SequencerAction] {
        guard sequence > durableSequence else { return [] }
        durableSequence = min(sequence, lastSequence)
        var actions: [SequencerAction] = []
        var done = 0
        for entry in pending where entry.sequence <= durableSequence {
            done += 1
            if let target = entry.shredTarget { actions.append(.shred(room: roomID, sequence: target)) }
            for waiter in entry.waiters {
                actions.append(
                    .reply(
                        accepted(sequence: entry.sequence, messageID: waiter.messageID, chainHash: entry.chainHash),
                        to: waiter.origin
                    )
                )
            }
            actions.append(
                .broadcast(deliver(sequence: entry.sequence, frame: entry.frame, chainHash: entry.chainHash))
            )
            if let welcome = entry.welcome {
                actions.append(
                    .sendWelcome(
                        serverFrame(
                            .welcome,
                            sequence: entry.sequence,
                            messageID: 0,
                            payload: WelcomePayload(welcome: welcome.frame, chainHash: entry.chainHash).cbor
                        ),
                        keyPackages: welcome.keyPackages
                    )
                )
            }
        }
        for entry in pending.prefix(done) {
            pendingBytes -= entry.frame.count + (entry.welcome?.frame.count ?? 0)
            if let target = entry.shredTarget { redactionsInProgress.remove(target) }
        }
        pending.removeFirst(done)
        while let first = committedGroups.first, first.sequence <= durableSequence {
            durableGroup = first.group
            committedGroups.removeFirst()
        }
        return actions
    }

    // MARK: Frames the sequencer writes

    /// The `deliver` frame of a log position: the entry's frame, or none for a redacted entry.
    public func deliver(sequence: LogSequence, frame: [UInt8]?, chainHash: [UInt8]) -> Frame {
        serverFrame(
            .deliver,
            sequence: sequence,
            messageID: 0,
            payload: DeliverPayload(frame: frame, chainHash: chainHash).cbor
        )
    }

    private func accepted(sequence: LogSequence, messageID: UInt32, chainHash: [UInt8]?) -> Frame {
        // A retry answered after the fact carries the zero hash: the position is what the client needs.
        serverFrame(
            .accepted,
            sequence: sequence,
            messageID: messageID,
            payload: AcceptedPayload(chainHash: chainHash ?? LogChain.genesis).cbor
        )
    }

    private func rejection(_ error: SequencerRejection, messageID: UInt32) -> Frame {
        serverFrame(
            .error,
            sequence: .unsequenced,
            messageID: messageID,
            payload: RejectionPayload(
                code: error.code,
                detail: error.detail,
                messageID: messageID,
                currentEpoch: error.currentEpoch
            )
            .cbor
        )
    }

    private func serverFrame(_ opcode: Opcode, sequence: LogSequence, messageID: UInt32, payload: CBOR) -> Frame {
        signedServerFrame(opcode, sequence: sequence, messageID: messageID, now: now, payload: payload)
    }

    /// A frame of this server for the room, signed with the server's key.
    func signedServerFrame(
        _ opcode: Opcode,
        sequence: LogSequence,
        messageID: UInt32,
        now: Timestamp,
        payload: CBOR = .map([])
    ) -> Frame {
        let header = FrameHeader(
            flags: .serverOrigin,
            opcode: opcode,
            roomID: roomID,
            senderID: serverID,
            epoch: epoch,
            sequence: sequence,
            timestamp: now,
            messageID: messageID
        )
        do { return try Frame.signed(header: header, payload: payload, key: serverKey) } catch {
            // Our own payloads are far below every limit.
            preconditionFailure("a server frame could not be signed: \(error)")
        }
    }

    /// The `welcome` frame for a Welcome kept in the mailbox (`WelcomeRecord`), for a joiner who connects later.
    public func welcome(_ record: WelcomeRecord, now: Timestamp) -> Frame {
        signedServerFrame(
            .welcome,
            sequence: record.sequence,
            messageID: 0,
            now: now,
            payload: WelcomePayload(welcome: record.welcome, chainHash: record.chainHash).cbor
        )
    }

    // MARK: Restart

    /// What the shell read back for one log position, in order from the first.
    public enum RestoredEntry: Sendable {
        case stored(StoredEntry)
        /// A shredded position, with its audit record.
        case redacted(RedactionRecord)
    }

    /// The sequencer of a room rebuilt from its durable log after a restart: the group is followed again through
    /// every admitted handshake, the chain recomputed and checked, and the retry windows refilled. Returns `.shred`
    /// actions for redactions recorded before the crash whose target still exists. Throws `corruption` when the
    /// log does not replay (a chain hash or a handshake that does not match).
    public static func restore(
        roomID: RoomID,
        entries: [RestoredEntry],
        serverKey: SigningKey,
        limits: SequencerLimits = .default
    ) throws(SequencerRejection) -> (sequencer: RoomSequencer, actions: [SequencerAction]) {
        guard case .stored(let first) = entries.first else {
            throw SequencerRejection(.malformed, "corruption: the log of room \(roomID) does not start with createRoom")
        }
        let createFrame = try storedFrame(first)
        // A stored createRoom that no longer checks out is damage to the log, like any entry that does not replay.
        let group: PublicGroup
        do { group = try groupOfCreateRoom(createFrame) } catch {
            throw SequencerRejection(.malformed, "corruption: the createRoom entry does not replay: \(error)")
        }
        var sequencer = RoomSequencer(roomID: roomID, group: group, serverKey: serverKey, limits: limits)
        var redactionTargets: [LogSequence] = []
        var redacted: Set<LogSequence> = []
        for (offset, entry) in entries.enumerated() {
            let sequence = LogSequence(UInt64(offset) + 1)
            switch entry {
            case .redacted(let record):
                guard record.target == sequence else {
                    throw SequencerRejection(.malformed, "corruption: audit record of \(record.target) at \(sequence)")
                }
                redacted.insert(sequence)
                sequencer.chainHash = record.targetChainHash
                // As live: a retry of the erased frame is answered with its position, not appended again.
                sequencer.retries.record(
                    sender: record.targetSender,
                    messageID: record.targetMessageID,
                    RetryWindows.Admitted(sequence: sequence, digest: record.targetDigest)
                )
            case .stored(let stored):
                let frame = try storedFrame(stored)
                let expected = LogChain.next(previous: sequencer.chainHash, sequence: sequence, frame: stored.frame)
                guard expected == stored.chainHash else {
                    throw SequencerRejection(.malformed, "corruption: chain hash mismatch at \(sequence)")
                }
                sequencer.chainHash = expected
                if offset > 0 {
                    try sequencer.replay(frame, redactionTargets: &redactionTargets)
                }
                sequencer.retries.record(
                    sender: frame.header.senderID,
                    messageID: frame.header.messageID,
                    RetryWindows.Admitted(sequence: sequence, digest: SHA256Hash.digest(stored.frame))
                )
            }
            sequencer.lastSequence = sequence
        }
        sequencer.durableSequence = sequencer.lastSequence
        sequencer.durableGroup = sequencer.group
        let actions: [SequencerAction] = redactionTargets.filter { !redacted.contains($0) }
            .map { .shred(room: roomID, sequence: $0) }
        return (sequencer, actions)
    }

    /// Follows an admitted frame again: handshakes move the group; a redaction names a target to shred.
    private mutating func replay(_ frame: Frame, redactionTargets: inout [LogSequence]) throws(SequencerRejection) {
        switch frame.header.opcode {
        case .proposal, .commit:
            do {
                let payload = try HandshakePayload(decoding: frame)
                let message = try MLSMessage.decode(payload.message)
                if case .commit(let staged) = try group.process(message) {
                    var next = group
                    try follow(staged, in: &next)
                    group = next
                }
            } catch {
                throw SequencerRejection(.malformed, "corruption: admitted handshake does not replay: \(error)")
            }
        case .redact:
            do { redactionTargets.append(try RedactPayload(decoding: frame).target) } catch {
                throw SequencerRejection(.malformed, "corruption: admitted redaction does not decode: \(error)")
            }
        default:
            break
        }
    }

    private static func storedFrame(_ entry: StoredEntry) throws(SequencerRejection) -> Frame {
        do { return try Frame(decoding: ByteBuffer(bytes: entry.frame)) } catch {
            throw SequencerRejection(.malformed, "corruption: stored frame: \(error)")
        }
    }

    /// The state key of the Welcome of the commit at `sequence` (`WelcomeRecord`), kept once however many members
    /// it adds: "welcome/" ‖ room (16) ‖ sequence (8).
    public static func welcomeKey(room: RoomID, sequence: LogSequence) -> StateKey {
        StateKey(
            .sequencer,
            Array("welcome/".utf8) + bigEndian(room.high) + bigEndian(room.low) + bigEndian(sequence.rawValue)
        )
    }

    /// The state key that points the owner of a KeyPackage at its Welcome in `room`: "invite/" ‖ room (16) ‖
    /// KeyPackage reference; the value is the commit's sequence (8).
    public static func invitationKey(room: RoomID, keyPackage reference: [UInt8]) -> StateKey {
        StateKey(.sequencer, Array("invite/".utf8) + bigEndian(room.high) + bigEndian(room.low) + reference)
    }

    // MARK: Helpers

    /// Throws unless the header's sender ID is the one `key` derives and the frame's signature verifies under it.
    static func checkSigner(_ frame: Frame, key: [UInt8]) throws(SequencerRejection) {
        guard frame.header.senderID == SenderID(signatureKey: key) else {
            throw SequencerRejection(.senderMismatch, "sender ID \(frame.header.senderID) is not the signing key's")
        }
        let verifying: VerifyingKey
        do { verifying = try VerifyingKey(bytes: key) } catch {
            throw SequencerRejection(.badSignature, "the member's key is not an Ed25519 key")
        }
        do { try frame.verifySignature(with: verifying) } catch { throw SequencerRejection(.badSignature, "\(error)") }
    }
}
