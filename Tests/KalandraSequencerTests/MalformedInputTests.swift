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

/// Random damage to validly signed frames never traps the sequencer: every frame is admitted or refused with an
/// `error` frame, and the log, the epoch and the storage stay in step.
@Suite struct MalformedInputTests {
    /// Flips one to four bytes, truncates, or both; never returns the input unchanged unless it is empty.
    static func mutate(_ input: [UInt8], using generator: inout DeterministicGenerator) -> [UInt8] {
        var bytes = input
        let kind = Int.random(in: 0..<3, using: &generator)
        if kind != 1, !bytes.isEmpty {
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(
                    in: 1...255,
                    using: &generator
                )
            }
        }
        if kind != 0, !bytes.isEmpty {
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &generator))
        }
        return bytes
    }

    @Test func mutatedFramesAreAdmittedOrRefusedNeverTrapped() throws {
        var room = try Room(["alice", "bob", "carol"], seed: 60)
        _ = try room.send("a message to redact", from: 0)
        // Payloads of every room opcode, made by the members in epoch 1.
        let application = payloadBytes(of: try room.members[1].send("hello", using: &room.generator))
        let proposal = payloadBytes(
            of: try room.members[2].handshake(
                .proposal,
                try room.members[2].client.group!.proposeUpdate(using: &room.generator)
            )
        )
        var dave = TestClient("dave", provider: room.members[0].group.provider, using: &room.generator)
        let keyPackage = try dave.keyPackage(using: &room.generator)
        let output = try room.members[1].client.group!.commit(
            CommitOptions(proposals: [.add(AddProposal(keyPackage: keyPackage))], includePendingProposals: false),
            using: &room.generator
        )
        let commit = payloadBytes(of: try room.members[1].handshake(.commit, output.commit, welcome: output.welcome))
        let redact = encode(RedactPayload(target: LogSequence(2), leaf: 0).cbor)
        let bases: [(Opcode, [UInt8])] = [
            (.applicationMessage, application), (.proposal, proposal), (.commit, commit), (.redact, redact),
        ]

        var generator = DeterministicGenerator(seed: 0xF022)
        var admitted = 0
        var refused: [RejectionCode: Int] = [:]
        for round in 0..<2_000 {
            let (naturalOpcode, base) = bases[Int.random(in: 0..<bases.count, using: &generator)]
            let opcode =
                Int.random(in: 0..<10, using: &generator) < 7
                ? naturalOpcode : Opcode.allCases[Int.random(in: 0..<Opcode.allCases.count, using: &generator)]
            let epoch =
                Int.random(in: 0..<10, using: &generator) < 9
                ? room.sequencer.epoch : Epoch(UInt64.random(in: 0...3, using: &generator))
            let signer = room.members[Int.random(in: 0..<3, using: &generator)]
            let frame = try signer.frame(
                opcode,
                payload: ByteBuffer(bytes: Self.mutate(base, using: &generator)),
                epoch: epoch,
                messageID: UInt32.random(in: 1...UInt32.max, using: &generator)
            )
            let before = (room.sequencer.lastSequence, room.sequencer.epoch)
            var actions = room.shell.handle(.frame(frame, origin: ClientOrigin(UInt64(round))))
            if let request = actions.first?.loadRequest, actions.count == 1 {
                actions = try room.shell.answer(request)
            }
            if actions.count == 1, let persisted = actions[0].persisted {
                admitted += 1
                #expect(persisted.through == LogSequence(before.0.rawValue + 1))
                #expect(room.sequencer.lastSequence == persisted.through)
                // Only an admitted commit moves the epoch, by one.
                let moved = room.sequencer.epoch.rawValue - before.1.rawValue
                #expect(moved <= (opcode == .commit ? 1 : 0))
                let followUps = try room.shell.carryOut(actions)
                #expect(followUps.acceptedSequence == persisted.through)
            } else {
                let rejection = try actions.rejection()
                refused[rejection.code, default: 0] += 1
                #expect(room.sequencer.lastSequence == before.0)
                #expect(room.sequencer.epoch == before.1)
            }
            #expect(room.sequencer.pendingCount == 0)
            #expect(try room.shell.storage.lastSequence(of: Room.id) == room.sequencer.lastSequence)
        }
        #expect(admitted + refused.values.reduce(0, +) == 2_000)
        // The loop reached the deep checks, not only the first one.
        #expect(refused[.malformed, default: 0] > 100)
        #expect(refused[.unsupportedOpcode, default: 0] > 100)
        #expect(refused.keys.count >= 5)

        // What was admitted replays to the same state.
        let (restored, _) = try RoomSequencer.restore(
            roomID: Room.id,
            entries: try room.shell.restoredEntries(),
            serverKey: Room.serverKey
        )
        #expect(restored.lastSequence == room.sequencer.lastSequence)
        #expect(restored.chainHash == room.sequencer.chainHash)
        #expect(restored.epoch == room.sequencer.epoch)
        #expect(restored.group.treeHash == room.sequencer.group.treeHash)
    }

    @Test func mutatedCreateRoomFramesAreRefusedWithTypedErrors() throws {
        let (clients, _) = try TestClient.group(["alice", "bob"], seed: 61)
        var alice = try Member(clients[0])
        let payload = payloadBytes(of: try alice.createRoomFrame())
        var generator = DeterministicGenerator(seed: 0xC4EA)
        var created = 0
        for _ in 0..<200 {
            let frame = try alice.frame(
                .createRoom,
                payload: ByteBuffer(bytes: Self.mutate(payload, using: &generator)),
                messageID: 1
            )
            do throws(SequencerRejection) {
                let (sequencer, actions) = try RoomSequencer.create(
                    from: frame,
                    origin: ClientOrigin(1),
                    serverKey: Room.serverKey,
                    now: Room.serverTime
                )
                created += 1
                #expect(actions.kinds == ["persist"])
                #expect(sequencer.lastSequence == LogSequence(1))
            } catch {
                #expect(
                    [.malformed, .invalidHandshake, .notAMember, .senderMismatch, .badSignature].contains(error.code)
                )
            }
        }
        // A flipped byte of a signed GroupInfo does not make a room.
        #expect(created == 0)
    }
}
