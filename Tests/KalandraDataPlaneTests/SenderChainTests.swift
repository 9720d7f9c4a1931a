import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraMLSTesting
import Testing

@Suite struct SenderChainTests {
    /// Known answers computed independently with Python's hmac and hashlib.blake2b (docs/PROTOCOL.md lists them too).
    @Test func derivationsMatchKnownAnswers() throws {
        let base = SecretBytes(copying: Array(0..<32) as [UInt8])
        let chainKey0 = SenderKeySchedule.initialChainKey(baseSecret: base, leaf: leaf(1), epoch: Epoch(5))
        #expect(Hex.encode(chainKey0.testBytes) == "a9ddd96e686f08a2e527df9ed72fc9c40ed6cc56b9d060c60dc3d93239ce824e")
        let (messageKey0, chainKey1) = SenderKeySchedule.step(chainKey: chainKey0)
        #expect(Hex.encode(messageKey0.testBytes) == "a1b2507091dcb977305021787a3fd72869e8df1954a10557f5ede5a7ed925efe")
        #expect(Hex.encode(chainKey1.testBytes) == "1be2cb3b4cf6bd728824252aa1a9e4d4523437a107228888e0c5e55a74087ca8")
        let (messageKey1, _) = SenderKeySchedule.step(chainKey: chainKey1)
        #expect(Hex.encode(messageKey1.testBytes) == "aa057e001c3e9318b00ec63886b09b12bb8c7f8c9728e145a1df8aad6b0ac3a5")
    }

    /// KalandraCrypto's keyed BLAKE2b against Python's hashlib.blake2b.
    @Test func keyedBLAKE2bMatchesAnIndependentImplementation() {
        let hash512 = BLAKE2b.withKeyedHash(
            Array("abc".utf8),
            key: SecretBytes(copying: Array(0..<32) as [UInt8]),
            outputByteCount: 64
        ) { Hex.encode($0) }
        #expect(
            hash512 == "9af0244b7da7fe29d90a89727e06a0c93977ce1ad7edcb76ac0b24142194ea00"
                + "c77be4a1d3fededd31d5a593625a508e742fc90d708f8b48a5c246e4e8e42d94"
        )
        let hash256 = BLAKE2b.withKeyedHash(
            [],
            key: SecretBytes(copying: Array(0..<64) as [UInt8]),
            outputByteCount: 32
        ) {
            Hex.encode($0)
        }
        #expect(hash256 == "2fa9fbd9be36437de204e139e97d402bce68c828f43391608c891b5faed8a98a")
    }

    @Test func aPendingKeyChangesNothingUntilCommitted() throws {
        var (sender, receiver) = pair()
        var sent: [SecretBytes] = []
        for _ in 0..<5 { sent.append(try sender.nextSendingKey().key) }
        let pending = try receiver.pendingKey(generation: 3)
        #expect(pending.key == sent[3])
        #expect(receiver.nextGeneration == 0 && receiver.skippedKeyCount == 0)
        receiver.commit(pending)
        #expect(receiver.nextGeneration == 4 && receiver.skippedKeyCount == 3)
        let fromWindow = try receiver.pendingKey(generation: 1)
        #expect(fromWindow.key == sent[1])
        #expect(receiver.skippedKeyCount == 3)
        receiver.commit(fromWindow)
        #expect(receiver.skippedKeyCount == 2)
        #expect(throws: DataPlaneError.replayedGeneration(1)) { try receiver.pendingKey(generation: 1) }
    }

    @Test func leavesAndEpochsGetDistinctChains() {
        let base = SecretBytes(copying: Array(0..<32) as [UInt8])
        let keys = [
            SenderKeySchedule.initialChainKey(baseSecret: base, leaf: leaf(0), epoch: Epoch(1)),
            SenderKeySchedule.initialChainKey(baseSecret: base, leaf: leaf(1), epoch: Epoch(1)),
            SenderKeySchedule.initialChainKey(baseSecret: base, leaf: leaf(0), epoch: Epoch(2)),
        ]
        #expect(keys[0] != keys[1] && keys[0] != keys[2] && keys[1] != keys[2])
    }

    private func pair(limits: SenderKeyLimits = .default) -> (sender: SenderChain, receiver: SenderChain) {
        let chainKey = SecretBytes(copying: [UInt8](repeating: 7, count: 32))
        return (SenderChain(chainKey: chainKey, limits: limits), SenderChain(chainKey: chainKey, limits: limits))
    }

    @Test func senderAndReceiverAgreeInOrderAndOutOfOrder() throws {
        var (sender, receiver) = pair()
        var sent: [SecretBytes] = []
        for expected in 0..<10 as Range<UInt32> {
            let (generation, key) = try sender.nextSendingKey()
            #expect(generation == expected)
            sent.append(key)
        }
        for generation in [3, 0, 9, 1, 2, 8, 4, 5, 7, 6] as [UInt32] {
            #expect(try receiver.takeKey(generation: generation) == sent[Int(generation)])
        }
        #expect(receiver.skippedKeyCount == 0)
        #expect(receiver.nextGeneration == 10)
    }

    @Test func aUsedGenerationIsAReplay() throws {
        var (_, receiver) = pair()
        _ = try receiver.takeKey(generation: 0)
        _ = try receiver.takeKey(generation: 5)
        #expect(throws: DataPlaneError.replayedGeneration(0)) { try receiver.takeKey(generation: 0) }
        #expect(throws: DataPlaneError.replayedGeneration(5)) { try receiver.takeKey(generation: 5) }
        _ = try receiver.takeKey(generation: 3)
        #expect(throws: DataPlaneError.replayedGeneration(3)) { try receiver.takeKey(generation: 3) }
    }

    @Test func aJumpOverTheLimitIsRefusedAndChangesNothing() throws {
        let limits = SenderKeyLimits(maximumSkippedGenerations: 10, maximumForwardJump: 100, maximumPlaintextBytes: 64)
        var (_, receiver) = pair(limits: limits)
        #expect(throws: DataPlaneError.generationTooFarAhead(101, next: 0, limit: 100)) {
            try receiver.takeKey(generation: 101)
        }
        #expect(receiver.nextGeneration == 0)
        _ = try receiver.takeKey(generation: 100)
        #expect(throws: DataPlaneError.generationTooFarAhead(202, next: 101, limit: 100)) {
            try receiver.takeKey(generation: 202)
        }
        #expect(throws: DataPlaneError.generationTooFarAhead(UInt32.max, next: 101, limit: 100)) {
            try receiver.takeKey(generation: .max)
        }
    }

    @Test func theSkippedWindowIsBounded() throws {
        let limits = SenderKeyLimits(
            maximumSkippedGenerations: 10,
            maximumForwardJump: 1_000,
            maximumPlaintextBytes: 64
        )
        var (sender, receiver) = pair(limits: limits)
        var sent: [SecretBytes] = []
        for _ in 0..<60 { sent.append(try sender.nextSendingKey().key) }
        // A jump of 50 keeps only the last 10 skipped keys (40..<50).
        #expect(try receiver.takeKey(generation: 50) == sent[50])
        #expect(receiver.skippedKeyCount == 10)
        #expect(receiver.oldestRetainedGeneration == 40)
        #expect(throws: DataPlaneError.generationExpired(39, oldestRetained: 40)) {
            try receiver.takeKey(generation: 39)
        }
        #expect(try receiver.takeKey(generation: 40) == sent[40])
        // Filling past the window drops the oldest retained keys.
        #expect(try receiver.takeKey(generation: 55) == sent[55])
        #expect(receiver.skippedKeyCount == 10)
        #expect(receiver.oldestRetainedGeneration == 44)
        #expect(throws: DataPlaneError.generationExpired(43, oldestRetained: 44)) {
            try receiver.takeKey(generation: 43)
        }
        #expect(try receiver.takeKey(generation: 44) == sent[44])
        #expect(try receiver.takeKey(generation: 54) == sent[54])
    }
}
