import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraWire
import NIOCore

/// One member's sender keys for one room in one MLS epoch: its own sending chain, a receiving chain for every other
/// member, and every member's signature key, so frames are authenticated before anything is decrypted.
///
/// Every member's first chain key is derived when the state is made and the base secret is not kept: a state
/// captured later holds only chain keys of generations not yet used, so it cannot decrypt earlier messages.
/// A sans-IO value: randomness is an argument.
public struct SenderKeyEpoch: Sendable {
    /// The room.
    public let roomID: RoomID
    /// The epoch.
    public let epoch: Epoch
    /// This member's leaf.
    public let ownLeaf: LeafIndex
    /// The bounds every chain applies.
    public let limits: SenderKeyLimits
    private var sendingChain: SenderChain
    private var receivingChains: [LeafIndex: SenderChain]
    private let memberKeys: [LeafIndex: VerifyingKey]

    /// The state of `ownLeaf` in `epoch` of `roomID`, from the epoch's base secret (see `SenderKeySchedule`) and
    /// the signature key of every member's leaf (which must include `ownLeaf`).
    public init(
        baseSecret: SecretBytes,
        roomID: RoomID,
        epoch: Epoch,
        ownLeaf: LeafIndex,
        members: [LeafIndex: VerifyingKey],
        limits: SenderKeyLimits = .default
    ) {
        precondition(members[ownLeaf] != nil, "this member's own leaf must be among the members")
        self.roomID = roomID
        self.epoch = epoch
        self.ownLeaf = ownLeaf
        self.limits = limits
        self.memberKeys = members
        var chains: [LeafIndex: SenderChain] = [:]
        chains.reserveCapacity(members.count - 1)
        // Sorted, so a seeded run replays the same work in the same order.
        for leaf in members.keys.sorted() where leaf != ownLeaf {
            let chainKey = SenderKeySchedule.initialChainKey(baseSecret: baseSecret, leaf: leaf, epoch: epoch)
            chains[leaf] = SenderChain(chainKey: chainKey, limits: limits)
        }
        self.receivingChains = chains
        let ownChainKey = SenderKeySchedule.initialChainKey(baseSecret: baseSecret, leaf: ownLeaf, epoch: epoch)
        self.sendingChain = SenderChain(chainKey: ownChainKey, limits: limits)
    }

    /// The generation this member sends next.
    public var nextSendingGeneration: UInt32 { sendingChain.nextGeneration }

    /// The next generation expected from `sender`, or nil when the leaf holds no other member.
    public func nextGeneration(from sender: LeafIndex) -> UInt32? { receivingChains[sender]?.nextGeneration }

    /// The header every application message of this state carries, with the caller's per-frame fields.
    public func header(senderID: SenderID, timestamp: Timestamp, messageID: UInt32) -> FrameHeader {
        FrameHeader(
            opcode: .applicationMessage,
            roomID: roomID,
            senderID: senderID,
            epoch: epoch,
            timestamp: timestamp,
            messageID: messageID
        )
    }

    // MARK: - Payload level (no frame signature)

    /// Encrypts `plaintext` with the next sending key, for a frame with `header`; returns the payload and the
    /// message key (for the caller's message key store, or to drop).
    public mutating func encrypt(
        _ plaintext: [UInt8],
        header: FrameHeader,
        using generator: inout some RandomNumberGenerator
    ) throws(DataPlaneError) -> (payload: SenderKeyCiphertext, keyID: MessageKeyID, messageKey: SecretBytes) {
        try checkRouting(header)
        guard plaintext.count <= limits.maximumPlaintextBytes else {
            throw .plaintextTooLarge(length: plaintext.count, limit: limits.maximumPlaintextBytes)
        }
        let (generation, key) = try sendingChain.nextSendingKey()
        let payload = MessageProtection.seal(
            plaintext,
            key: key,
            header: header,
            sender: ownLeaf,
            generation: generation,
            using: &generator
        )
        return (payload, keyID(sender: ownLeaf, generation: generation), key)
    }

    /// Decrypts `payload`, carried by a frame with `header` whose signature the caller has **already verified**
    /// under the sender's key (`open(_:)` does both). The sender's chain changes only when decryption succeeds.
    public mutating func decrypt(
        _ payload: SenderKeyCiphertext,
        authenticatedHeader header: FrameHeader
    ) throws(DataPlaneError) -> DecryptedMessage {
        try checkRouting(header)
        let sender = payload.sender
        if sender == ownLeaf { throw .ownMessage(generation: payload.generation) }
        guard let chain = receivingChains[sender] else { throw .unknownSender(leaf: sender.rawValue) }
        let pending = try chain.pendingKey(generation: payload.generation)
        let key = pending.key
        let plaintext = try MessageProtection.open(payload, key: key, header: header)
        receivingChains[sender]!.commit(pending)
        return DecryptedMessage(
            plaintext: plaintext,
            keyID: keyID(sender: sender, generation: payload.generation),
            messageKey: key
        )
    }

    // MARK: - Frame level

    /// Encrypts `plaintext` and signs the frame with this member's MLS signature key (as a `SigningKey`).
    public mutating func seal(
        _ plaintext: [UInt8],
        senderID: SenderID,
        timestamp: Timestamp,
        messageID: UInt32,
        signingKey: SigningKey,
        using generator: inout some RandomNumberGenerator
    ) throws(DataPlaneError) -> SealedMessage {
        let header = header(senderID: senderID, timestamp: timestamp, messageID: messageID)
        let (payload, keyID, key) = try encrypt(plaintext, header: header, using: &generator)
        let frame: Frame
        do {
            frame = try Frame.signed(header: header, payload: ByteBuffer(bytes: payload.encoded()), key: signingKey)
        } catch {
            // The plaintext limit keeps the payload within a frame.
            preconditionFailure("a sender-key payload did not fit a frame: \(error)")
        }
        return SealedMessage(frame: frame, keyID: keyID, messageKey: key)
    }

    /// Checks the frame's routing fields, decodes its payload, verifies its signature under the signature key of
    /// the leaf the payload names, and only then decrypts.
    public mutating func open(_ frame: Frame) throws(DataPlaneError) -> DecryptedMessage {
        let header = frame.header
        try checkRouting(header)
        let maximum = limits.maximumPlaintextBytes + SenderKeyCiphertext.maximumOverheadBytes
        let payload = try frame.payload.withUnsafeReadableBytes { bytes throws(DataPlaneError) in
            try SenderKeyCiphertext(decoding: bytes, maximumByteCount: maximum)
        }
        guard let verifyingKey = memberKeys[payload.sender] else {
            throw .unknownSender(leaf: payload.sender.rawValue)
        }
        do {
            try frame.verifySignature(with: verifyingKey)
        } catch {
            throw .badSignature(leaf: payload.sender.rawValue)
        }
        return try decrypt(payload, authenticatedHeader: header)
    }

    private func checkRouting(_ header: FrameHeader) throws(DataPlaneError) {
        guard header.opcode == .applicationMessage else { throw .wrongOpcode(found: header.opcode.rawValue) }
        guard header.roomID == roomID else { throw .wrongRoom(expected: roomID, found: header.roomID) }
        guard header.epoch == epoch else { throw .epochMismatch(expected: epoch, found: header.epoch) }
    }

    private func keyID(sender: LeafIndex, generation: UInt32) -> MessageKeyID {
        MessageKeyID(roomID: roomID, epoch: epoch, sender: sender, generation: generation)
    }
}
