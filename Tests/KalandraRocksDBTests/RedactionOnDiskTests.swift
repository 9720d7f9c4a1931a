import Foundation
import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraMLSTesting
import KalandraRocksDB
import KalandraSequencer
import KalandraStorage
import KalandraStorageTesting
import KalandraWire
import NIOCore
import Testing

/// Cryptographic erasure end to end on a real RocksDB: a member's redaction request goes through the sequencer and
/// the storage shredding path, and afterwards no file of the database holds the redacted entry's key or encrypted
/// bytes, while the audit record of the redaction is there and holds no content.
@Suite struct RedactionOnDiskTests {
    /// The sequencer's actions carried out against `storage` (synced writes, reads for redactions, shreds).
    static func carryOut(
        _ actions: [SequencerAction],
        _ sequencer: inout RoomSequencer,
        _ storage: LogStore,
        now: Timestamp
    ) throws -> [SequencerAction] {
        var all = actions
        for action in actions {
            switch action {
            case .persist(let batch, let through):
                try storage.write(batch, durability: .synced)
                all += try carryOut(
                    sequencer.handle(.durable(through: through), now: now),
                    &sequencer,
                    storage,
                    now: now
                )
            case .loadEntry(let request):
                let record = try storage.readLog(of: sequencer.roomID, from: request.target, maximumCount: 1).first
                var entry: StoredEntry?
                if case .payload(let bytes) = record?.content { entry = try StoredEntry(decoding: bytes) }
                let next = sequencer.handle(.redactionTarget(request, entry), now: now)
                all += try carryOut(next, &sequencer, storage, now: now)
            case .shred(let room, let sequence):
                try storage.shred(room: room, sequence: sequence)
            case .reply, .broadcast, .sendWelcome:
                break
            }
        }
        return all
    }

    @Test func aRedactedMessageLeavesNoTraceInAnyFile() throws {
        let folder = TemporaryFolder("redaction")
        defer { folder.remove() }
        var (clients, generator) = try TestClient.group(["alice", "bob"], seed: 31)
        let alice = clients[0]
        let group = try #require(alice.group)
        let signingKey = try SenderKeyEpoch.signingKey(for: alice.signatureKeys.privateKey)
        let senderID = SenderID(signatureKey: alice.signatureKeys.publicKey.bytes)
        let roomID = RoomID(high: 0xE2A5, low: 1)
        let now = Timestamp(milliseconds: 1_700_000_000_000)!
        let serverKey = SigningKey.generate(using: &generator)

        var auditRecord: [UInt8]?
        var redactedKey: [UInt8] = []
        var redactedCiphertext: [UInt8] = []
        var keptKey: [UInt8] = []
        var messageCiphertext: [UInt8] = []
        do {
            let backend = try RocksDBKeyValueStore(path: folder.path)
            let storage = LogStore(backend: backend, keySource: .seeded(9))
            let create = try Frame.signed(
                header: FrameHeader(
                    opcode: .createRoom,
                    roomID: roomID,
                    senderID: senderID,
                    epoch: Epoch(group.epoch),
                    timestamp: now,
                    messageID: 1
                ),
                payload: HandshakePayload(message: try group.groupInfo().encoded()).cbor,
                key: signingKey
            )
            var (sequencer, actions) = try RoomSequencer.create(
                from: create,
                origin: ClientOrigin(1),
                serverKey: serverKey,
                now: now
            )
            _ = try Self.carryOut(actions, &sequencer, storage, now: now)

            // Two messages from Alice: the first is redacted, the second stays (the control).
            var dataPlane = RoomDataPlane(initial: try SenderKeyEpoch(group: group, roomID: roomID))
            for messageID in [2, 3] as [UInt32] {
                let sealed = try dataPlane.seal(
                    Array("meet at the old mill at \(messageID)".utf8),
                    senderID: senderID,
                    timestamp: now,
                    messageID: messageID,
                    signingKey: signingKey,
                    using: &generator
                )
                if messageID == 2 { messageCiphertext = Array(sealed.frame.payload.readableBytesView.suffix(32)) }
                actions = sequencer.handle(.frame(sealed.frame, origin: ClientOrigin(1)), now: now)
                _ = try Self.carryOut(actions, &sequencer, storage, now: now)
            }
            #expect(sequencer.lastSequence == LogSequence(3))
            try backend.database.flushAll()
            func atRest(_ sequence: UInt64) throws -> (key: [UInt8], ciphertext: [UInt8]) {
                let entry = KeyEncoding.logEntry(roomID, LogSequence(sequence))
                let key = try #require(try backend.get(entry, in: .logKeys))
                let payload = try #require(try backend.get(entry, in: .log))
                return (Array(key.dropFirst(5)), Array(payload.dropFirst(5).prefix(32)))
            }
            (redactedKey, redactedCiphertext) = try atRest(2)
            keptKey = try atRest(3).key

            // Alice asks for her message at 2 to be erased.
            let redact = try Frame.signed(
                header: FrameHeader(
                    opcode: .redact,
                    roomID: roomID,
                    senderID: senderID,
                    epoch: Epoch(group.epoch),
                    timestamp: now,
                    messageID: 4
                ),
                payload: RedactPayload(target: LogSequence(2), leaf: group.ownLeaf.rawValue).cbor,
                key: signingKey
            )
            actions = sequencer.handle(.frame(redact, origin: ClientOrigin(1)), now: now)
            let outcome = try Self.carryOut(actions, &sequencer, storage, now: now)
            #expect(outcome.contains { if case .shred(_, LogSequence(2)) = $0 { true } else { false } })
            let read = try storage.readLog(of: roomID, from: LogSequence(2), maximumCount: 1)
            #expect(read.first?.content == .shredded)
            auditRecord = try storage.readState(
                StateKey(.audit, RedactionRecord.stateName(room: roomID, target: LogSequence(2)))
            )
            try storage.purgeDeleted()
            backend.close()
        }

        // The audit record says what, by whom and when, and holds nothing of the message.
        let audit = try RedactionRecord(decoding: try #require(auditRecord))
        #expect(audit.target == LogSequence(2))
        #expect(audit.recordedAt == LogSequence(4))
        #expect(audit.requester == alice.credential.encoded())
        #expect(!ByteSearch.contains(try #require(auditRecord), messageCiphertext))

        let files = try folder.files()
        #expect(files.contains { $0.name.hasPrefix("MANIFEST") })
        #expect(files.allSatisfy { !ByteSearch.contains($0.bytes, redactedKey) }, "the redacted entry's key is on disk")
        #expect(files.allSatisfy { !ByteSearch.contains($0.bytes, redactedCiphertext) }, "its ciphertext is on disk")
        // The scan finds what is there: the kept message's key is still in some file.
        #expect(files.contains { ByteSearch.contains($0.bytes, keptKey) })
        _ = clients
    }
}
