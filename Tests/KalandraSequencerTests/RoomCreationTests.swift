import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraMLSTesting
import KalandraStorage
import KalandraWire
import NIOCore
import Testing

@testable import KalandraSequencer

/// A room starts with its creator's `createRoom` frame; nothing is acknowledged before it is durable.
@Suite struct RoomCreationTests {
    @Test func createRoomIsAcknowledgedAndDeliveredOnlyOnceDurable() throws {
        let (clients, _) = try TestClient.group(["alice", "bob", "carol"], seed: 1)
        var alice = try Member(clients[0])
        let frame = try alice.createRoomFrame()
        let frameBytes = bytes(of: frame)
        let (sequencer, actions) = try RoomSequencer.create(
            from: frame,
            origin: ClientOrigin(7),
            serverKey: Room.serverKey,
            now: Room.serverTime
        )
        // Before durability: one persist of entry 1 and nothing sent to anyone.
        #expect(actions.kinds == ["persist"])
        let persisted = try #require(actions.first?.persisted)
        #expect(persisted.through == LogSequence(1))
        let chain = LogChain.next(previous: LogChain.genesis, sequence: LogSequence(1), frame: frameBytes)
        let appended = try appends(in: persisted.batch)
        #expect(appended.map(\.sequence) == [LogSequence(1)])
        #expect(appended.first?.entry == StoredEntry(chainHash: chain, author: [], frame: frameBytes))
        #expect(sequencer.lastSequence == LogSequence(1))
        #expect(sequencer.durableSequence == LogSequence(0))
        #expect(sequencer.pendingCount == 1)
        #expect(sequencer.epoch == Epoch(1))
        #expect(sequencer.group.treeHash == alice.group.context.treeHash)
        #expect(sequencer.chainHash == chain)

        var shell = Shell(sequencer)
        try shell.storage.write(persisted.batch, durability: .synced)
        // A durability report for nothing new does nothing.
        #expect(shell.handle(.durable(through: LogSequence(0))).isEmpty)
        let durable = shell.handle(.durable(through: LogSequence(1)))
        #expect(durable.kinds == ["reply.accepted", "broadcast"])
        let accepted = try #require(durable.first?.replied)
        #expect(accepted.origin == ClientOrigin(7))
        #expect(accepted.frame.header.sequence == LogSequence(1))
        #expect(accepted.frame.header.messageID == frame.header.messageID)
        #expect(accepted.frame.header.flags.contains(.serverOrigin))
        #expect(accepted.frame.header.senderID == SenderID(signatureKey: Room.serverKey.verifyingKey.bytes))
        #expect(accepted.frame.header.timestamp == Room.serverTime)
        try accepted.frame.verifySignature(with: Room.serverKey.verifyingKey)
        #expect(try AcceptedPayload(decoding: accepted.frame).chainHash == chain)

        let deliver = try #require(durable.last?.broadcasted)
        #expect(deliver.header.opcode == .deliver)
        #expect(deliver.header.sequence == LogSequence(1))
        try deliver.verifySignature(with: Room.serverKey.verifyingKey)
        let delivered = try DeliverPayload(decoding: deliver)
        #expect(delivered.frame == frameBytes)
        #expect(delivered.chainHash == chain)
        #expect(shell.sequencer.durableSequence == LogSequence(1))
        #expect(shell.sequencer.pendingCount == 0)
        #expect(try shell.storedEntry(at: LogSequence(1))?.frame == frameBytes)
        // The same report again does nothing: the entry was answered once.
        #expect(shell.handle(.durable(through: LogSequence(1))).isEmpty)
    }

    @Test func aRedactedPositionIsDeliveredWithoutItsFrame() throws {
        let room = try Room(["alice"], seed: 2)
        let hash = [UInt8](repeating: 0xAB, count: 32)
        let deliver = room.sequencer.deliver(sequence: LogSequence(9), frame: nil, chainHash: hash)
        #expect(deliver.header.sequence == LogSequence(9))
        #expect(try DeliverPayload(decoding: deliver) == DeliverPayload(frame: nil, chainHash: hash))
    }

    /// Every way a `createRoom` frame can be wrong is a typed rejection with its own code.
    @Test func createRefusesBadRoomFrames() throws {
        let (clients, _) = try TestClient.group(["alice", "bob"], seed: 3)
        var alice = try Member(clients[0])
        let bob = try Member(clients[1])
        let groupInfo = try alice.group.groupInfo().encoded()

        func refusal(_ frame: Frame, limits: SequencerLimits = .default) -> RejectionCode? {
            do throws(SequencerRejection) {
                _ = try RoomSequencer.create(
                    from: frame,
                    origin: ClientOrigin(1),
                    serverKey: Room.serverKey,
                    limits: limits,
                    now: Room.serverTime
                )
                return nil
            } catch {
                return error.code
            }
        }

        let good = try alice.createRoomFrame()
        let proposalOpcode = try alice.frame(
            .proposal,
            payload: HandshakePayload(message: groupInfo).cbor,
            messageID: 1
        )
        #expect(refusal(proposalOpcode) == .unsupportedOpcode)
        #expect(refusal(good, limits: SequencerLimits(maximumPayloadBytes: 64)) == .tooLarge)
        let notCBOR = try alice.frame(.createRoom, payload: ByteBuffer(bytes: [0xFF, 0x00]), messageID: 1)
        #expect(refusal(notCBOR) == .malformed)
        let wrongKeys = try alice.frame(.createRoom, payload: .map([.init(key: 5, value: 1)]), messageID: 1)
        #expect(refusal(wrongKeys) == .malformed)
        let notGroupInfo = try alice.frame(
            .createRoom,
            payload: HandshakePayload(message: [1, 2, 3]).cbor,
            messageID: 1
        )
        #expect(refusal(notGroupInfo) == .invalidHandshake)
        var tampered = groupInfo
        tampered[tampered.count - 1] ^= 0x01
        let badGroupInfo = try alice.frame(.createRoom, payload: HandshakePayload(message: tampered).cbor, messageID: 1)
        #expect(refusal(badGroupInfo) == .invalidHandshake)
        let wrongEpoch = try alice.frame(
            .createRoom,
            payload: HandshakePayload(message: groupInfo).cbor,
            epoch: Epoch(4),
            messageID: 1
        )
        #expect(refusal(wrongEpoch) == .malformed)
        // The GroupInfo is Alice's: Bob cannot create the room with it, under his ID or hers.
        let bobsFrame = try bob.frame(.createRoom, payload: HandshakePayload(message: groupInfo).cbor, messageID: 1)
        #expect(refusal(bobsFrame) == .senderMismatch)
        let bobAsAlice = try bob.frame(
            .createRoom,
            payload: HandshakePayload(message: groupInfo).cbor,
            messageID: 1,
            senderID: alice.senderID
        )
        #expect(refusal(bobAsAlice) == .badSignature)
        #expect(refusal(good) == nil)
    }

    @Test func limitsAreClampedToWorkableValues() {
        let limits = SequencerLimits(
            maximumPendingEntries: 0,
            retryWindow: -3,
            maximumTrackedSenders: 0,
            maximumPendingRedactions: 0,
            maximumPayloadBytes: -1
        )
        #expect(limits.maximumPendingEntries == 1)
        #expect(limits.retryWindow == 1)
        #expect(limits.maximumTrackedSenders == 1)
        #expect(limits.maximumPendingRedactions == 1)
        #expect(limits.maximumPayloadBytes == 0)
        #expect(SequencerLimits.default.maximumPayloadBytes == Limits.maximumFramePayloadBytes)
    }

    @Test func originsAndRejectionsDescribeThemselves() {
        #expect(ClientOrigin(3).description == "client#3")
        #expect(ClientOrigin(3) < ClientOrigin(4))
        let rejection = SequencerRejection(.staleEpoch, "epoch 1", currentEpoch: Epoch(2))
        #expect(rejection.description == "staleEpoch: epoch 1")
        #expect(rejection.currentEpoch == Epoch(2))
    }
}
