import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraMLSTesting
import KalandraWire
import NIOCore
import Testing

/// The data plane on groups of the real MLS engine: forward secrecy, post-compromise security, impersonation.
@Suite struct MLSDataPlaneTests {
    static let roomID = RoomID(high: 0xAA, low: 0xBB)

    struct Member {
        var client: TestClient
        var dataPlane: RoomDataPlane
        let signingKey: SigningKey
        var messageID: UInt32 = 0

        init(_ client: TestClient) throws {
            self.client = client
            dataPlane = RoomDataPlane(
                initial: try SenderKeyEpoch(group: client.group!, roomID: MLSDataPlaneTests.roomID)
            )
            signingKey = try SenderKeyEpoch.signingKey(for: client.signatureKeys.privateKey)
        }

        mutating func send(_ text: String, using generator: inout DeterministicGenerator) throws -> Frame {
            messageID += 1
            return try dataPlane.seal(
                Array(text.utf8),
                senderID: SenderID(UInt64(client.group!.ownLeaf.rawValue)),
                timestamp: Timestamp(milliseconds: 1_000)!,
                messageID: messageID,
                signingKey: signingKey,
                using: &generator
            ).frame
        }

        /// Processes and merges `message` (a commit) and enters the new epoch's sender keys.
        mutating func receiveCommit(_ message: MLSMessage) throws {
            try client.receive(message)
            try dataPlane.enter(try SenderKeyEpoch(group: client.group!, roomID: MLSDataPlaneTests.roomID))
        }

        /// Makes a commit with a fresh path (new leaf secret), confirms it and enters the new epoch.
        mutating func commitUpdate(using generator: inout DeterministicGenerator) throws -> MLSMessage {
            let output = try client.group!.commit(CommitOptions(forcePath: true), using: &generator)
            try client.group!.confirmPendingCommit()
            try dataPlane.enter(try SenderKeyEpoch(group: client.group!, roomID: MLSDataPlaneTests.roomID))
            return output.commit
        }
    }

    static func members(seed: UInt64) throws -> ([Member], DeterministicGenerator) {
        let (clients, generator) = try TestClient.group(["alice", "bob", "carol"], seed: seed)
        return (try clients.map(Member.init), generator)
    }

    @Test func membersExchangeMessagesUnderTheExportedSenderKeys() throws {
        var (members, generator) = try Self.members(seed: 1)
        let frame = try members[0].send("hello group", using: &generator)
        #expect(String(decoding: try members[1].dataPlane.open(frame).plaintext, as: UTF8.self) == "hello group")
        #expect(String(decoding: try members[2].dataPlane.open(frame).plaintext, as: UTF8.self) == "hello group")
        // The MLS signature key is the frame key: the frame verifies under Alice's leaf signature key.
        let aliceLeafKey = members[1].client.group!.tree.leafNode(at: members[0].client.group!.ownLeaf)!.signatureKey
        #expect(members[0].signingKey.verifyingKey.bytes == aliceLeafKey.bytes)
    }

    @Test func bobCannotImpersonateAlice() throws {
        var (members, generator) = try Self.members(seed: 2)
        // Bob derives Alice's chain from the exporter he shares and signs a frame claiming to be Alice.
        let group = members[1].client.group!
        let alice = members[0].client.group!.ownLeaf
        let base = try SenderKeySchedule.baseSecret(of: group, roomID: Self.roomID)
        var aliceChain = SenderChain(
            chainKey: SenderKeySchedule.initialChainKey(baseSecret: base, leaf: alice, epoch: Epoch(group.epoch))
        )
        let (generation, key) = try aliceChain.nextSendingKey()
        let header = FrameHeader(
            opcode: .applicationMessage,
            roomID: Self.roomID,
            senderID: SenderID(UInt64(alice.rawValue)),
            epoch: Epoch(group.epoch),
            timestamp: Timestamp(milliseconds: 1)!,
            messageID: 1
        )
        let payload = MessageProtection.seal(
            Array("transfer everything to Bob".utf8),
            key: key,
            header: header,
            sender: alice,
            generation: generation,
            using: &generator
        )
        let forged = try Frame.signed(header: header, payload: payload.encoded(), bobKey: members[1].signingKey)
        #expect(throws: DataPlaneError.badSignature(leaf: alice.rawValue)) { try members[2].dataPlane.open(forged) }
        // Alice's real first message still decrypts: the forgery burned nothing.
        let real = try members[0].send("hi", using: &generator)
        #expect(try members[2].dataPlane.open(real).plaintext == Array("hi".utf8))
    }

    /// State captured now cannot decrypt earlier messages: their keys were deleted and the chain is one-way.
    @Test func forwardSecrecy() throws {
        var (members, generator) = try Self.members(seed: 3)
        var earlier: [Frame] = []
        for index in 0..<5 {
            let frame = try members[0].send("secret \(index)", using: &generator)
            earlier.append(frame)
            _ = try members[1].dataPlane.open(frame)
        }
        // The attacker captures Bob's data plane after he read the five messages: their keys are gone.
        var captured = members[1].dataPlane
        for (index, frame) in earlier.enumerated() {
            #expect(throws: DataPlaneError.replayedGeneration(UInt32(index))) { try captured.open(frame) }
        }
        // After the next commit, the whole state (MLS group and data plane) is captured: the group's exporter now
        // gives the new epoch's base secret, which does not open the earlier epoch's messages either.
        let commit = try members[2].commitUpdate(using: &generator)
        try members[0].receiveCommit(commit)
        try members[1].receiveCommit(commit)
        var capturedDataPlane = members[1].dataPlane
        let capturedGroup = members[1].client.group!
        for (index, frame) in earlier.enumerated() {
            #expect(throws: DataPlaneError.replayedGeneration(UInt32(index))) { try capturedDataPlane.open(frame) }
        }
        var rebuilt = try Self.epochState(from: capturedGroup, labelledAs: earlier[0].header.epoch)
        for frame in earlier {
            #expect(throws: DataPlaneError.authenticationFailure) { try rebuilt.open(frame) }
        }
    }

    /// A sender-key state from `group`'s current exporter, labelled with another epoch (an attacker's guess).
    static func epochState(from group: MLSGroup, labelledAs epoch: Epoch) throws -> SenderKeyEpoch {
        var members: [LeafIndex: VerifyingKey] = [:]
        for leaf in group.memberLeaves {
            members[leaf] = try VerifyingKey(bytes: group.tree.leafNode(at: leaf)!.signatureKey.bytes)
        }
        return SenderKeyEpoch(
            baseSecret: try SenderKeySchedule.baseSecret(of: group, roomID: roomID),
            roomID: roomID,
            epoch: epoch,
            ownLeaf: group.ownLeaf,
            members: members
        )
    }

    /// After the compromised member's next commit (a fresh path), the captured state cannot decrypt new messages.
    @Test func postCompromiseSecurity() throws {
        var (members, generator) = try Self.members(seed: 4)
        _ = try members[1].dataPlane.open(try members[0].send("before", using: &generator))
        // Bob is compromised: his MLS group state and data plane are captured.
        var capturedDataPlane = members[1].dataPlane
        var capturedGroup = members[1].client.group!
        let capturedEpoch = capturedGroup.epoch
        // Bob heals by committing with a fresh path; Alice and Carol follow.
        let commit = try members[1].commitUpdate(using: &generator)
        try members[0].receiveCommit(commit)
        try members[2].receiveCommit(commit)
        #expect(members[0].dataPlane.currentEpoch == Epoch(capturedEpoch + 1))
        let fresh = try members[0].send("after the commit", using: &generator)
        #expect(try members[2].dataPlane.open(fresh).plaintext == Array("after the commit".utf8))
        #expect(try members[1].dataPlane.open(fresh).plaintext == Array("after the commit".utf8))
        // The captured data plane has no keys for the new epoch.
        #expect(throws: DataPlaneError.futureEpoch(found: Epoch(capturedEpoch + 1), current: Epoch(capturedEpoch))) {
            try capturedDataPlane.open(fresh)
        }
        // The captured MLS state cannot follow Bob's commit (its path secrets are encrypted to the others).
        #expect(throws: (any Error).self) { _ = try capturedGroup.process(commit) }
        // Nor does the old epoch's exporter secret, relabelled with the new epoch, give the new keys.
        var guessed = try Self.epochState(from: capturedGroup, labelledAs: Epoch(capturedEpoch + 1))
        #expect(throws: DataPlaneError.authenticationFailure) { try guessed.open(fresh) }
    }

    @Test func lateMessagesOfThePreviousEpochAndStaleEpochs() throws {
        var (members, generator) = try Self.members(seed: 5)
        let late = try members[0].send("sent in epoch 1", using: &generator)
        var commits: [MLSMessage] = []
        for _ in 0..<2 {
            let commit = try members[2].commitUpdate(using: &generator)
            try members[0].receiveCommit(commit)
            try members[1].receiveCommit(commit)
            commits.append(commit)
        }
        // Two epochs held (current and previous): epoch 1 is gone at Bob.
        #expect(members[1].dataPlane.heldEpochs == [Epoch(2), Epoch(3)])
        #expect(throws: DataPlaneError.staleEpoch(found: Epoch(1), oldestHeld: Epoch(2))) {
            try members[1].dataPlane.open(late)
        }
        #expect(throws: DataPlaneError.epochNotNewer(found: Epoch(3), current: Epoch(3))) {
            try members[1].dataPlane.enter(try SenderKeyEpoch(group: members[1].client.group!, roomID: Self.roomID))
        }
    }
}

extension Frame {
    fileprivate static func signed(header: FrameHeader, payload: [UInt8], bobKey: SigningKey) throws -> Frame {
        try Frame.signed(header: header, payload: ByteBuffer(bytes: payload), key: bobKey)
    }
}
