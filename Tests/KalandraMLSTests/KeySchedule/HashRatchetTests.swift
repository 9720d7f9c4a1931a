import KalandraCrypto
import KalandraMLS
import Testing

/// `HashRatchet` (RFC 9420 §9.1, §9.2): senders and receivers agree, out-of-order keys within the window, the
/// forward-jump and retention limits, single use, and the end of the `uint32` generations.
@Suite struct HashRatchetTests {
    let provider: any CipherSuiteProvider
    let secret = SecretBytes(copying: [UInt8](repeating: 0x42, count: 32))

    init() throws { provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider() }

    private func ratchet(
        retained: UInt32 = 1_000,
        forward: UInt32 = 1_000,
        generation: UInt32 = 0
    ) throws -> HashRatchet {
        try HashRatchet(
            secret: secret,
            generation: generation,
            provider: provider,
            limits: RatchetLimits(maximumRetainedGenerations: retained, maximumForwardJump: forward)
        )
    }

    @Test func receiverOutOfOrderMatchesSender() throws {
        var sender = try ratchet()
        var sent: [RatchetKeyNonce] = []
        for _ in 0..<6 { sent.append(try sender.next()) }
        #expect(sent.map(\.generation) == [0, 1, 2, 3, 4, 5])
        #expect(sender.generation == 6)
        #expect(sender.retainedKeyCount == 0)
        #expect(sent[0].key.count == provider.aeadKeyLength)
        #expect(sent[0].nonce.count == provider.aeadNonceLength)

        var receiver = try ratchet()
        for generation in [UInt32(5), 2, 0, 4, 1, 3] {
            let key = try receiver.key(for: generation)
            #expect(key.generation == generation)
            #expect(key.key == sent[Int(generation)].key)
            #expect(key.nonce == sent[Int(generation)].nonce)
        }
        #expect(receiver.retainedKeyCount == 0)
        #expect(receiver.generation == 6)
        #expect(sent[0].key != sent[1].key)
    }

    @Test func eachKeyIsHandedOutOnce() throws {
        var receiver = try ratchet()
        _ = try receiver.key(for: 3)
        #expect(receiver.retainedKeyCount == 3)
        expectError(.invalidValue("ratchet generation was already used")) { _ = try receiver.key(for: 3) }
        _ = try receiver.key(for: 1)
        #expect(receiver.retainedKeyCount == 2)
        expectError(.invalidValue("ratchet generation was already used")) { _ = try receiver.key(for: 1) }
        var sender = try ratchet()
        _ = try sender.next()
        expectError(.invalidValue("ratchet generation was already used")) { _ = try sender.key(for: 0) }
    }

    @Test func forwardJumpIsLimited() throws {
        var receiver = try ratchet(forward: 10)
        expectError(.invalidValue("ratchet generation is too far ahead")) { _ = try receiver.key(for: 11) }
        // The failed request changed nothing.
        #expect(receiver.generation == 0)
        #expect(receiver.retainedKeyCount == 0)
        _ = try receiver.key(for: 10)
        #expect(receiver.generation == 11)
        expectError(.invalidValue("ratchet generation is too far ahead")) { _ = try receiver.key(for: 22) }
        _ = try receiver.key(for: 21)
    }

    @Test func oldKeysAreDeletedBeyondTheWindow() throws {
        var receiver = try ratchet(retained: 3)
        _ = try receiver.key(for: 10)
        // Only the three generations behind the newest are kept: 7, 8, 9.
        #expect(receiver.retainedKeyCount == 3)
        expectError(.invalidValue("ratchet generation is too old")) { _ = try receiver.key(for: 6) }
        _ = try receiver.key(for: 7)
        // In-order receipt moves the window too: at newest 12, generation 8 falls out.
        _ = try receiver.key(for: 11)
        #expect(receiver.retainedKeyCount == 2)
        _ = try receiver.key(for: 12)
        #expect(receiver.retainedKeyCount == 1)
        expectError(.invalidValue("ratchet generation is too old")) { _ = try receiver.key(for: 8) }
        _ = try receiver.key(for: 9)
        #expect(receiver.retainedKeyCount == 0)
        // A long jump keeps only the window's worth of keys.
        _ = try receiver.key(for: 500)
        #expect(receiver.retainedKeyCount == 3)
        _ = try receiver.key(for: 497)
        expectError(.invalidValue("ratchet generation is too old")) { _ = try receiver.key(for: 496) }
        // Sending moves the window as well.
        for _ in 0..<3 { _ = try receiver.next() }
        #expect(receiver.retainedKeyCount == 0)
    }

    @Test func zeroWindowRetainsNothing() throws {
        var receiver = try ratchet(retained: 0)
        _ = try receiver.key(for: 5)
        #expect(receiver.retainedKeyCount == 0)
        expectError(.invalidValue("ratchet generation is too old")) { _ = try receiver.key(for: 4) }
        expectError(.invalidValue("ratchet generation was already used")) { _ = try receiver.key(for: 5) }
    }

    @Test func lastGenerationExhaustsTheRatchet() throws {
        var sender = try ratchet(generation: UInt32.max - 1)
        #expect(try sender.next().generation == UInt32.max - 1)
        #expect(!sender.isExhausted)
        #expect(try sender.next().generation == UInt32.max)
        #expect(sender.isExhausted)
        expectError(.invalidValue("ratchet has no generations left")) { _ = try sender.next() }
        expectError(.invalidValue("ratchet generation was already used")) { _ = try sender.key(for: UInt32.max) }

        var receiver = try ratchet(generation: UInt32.max - 2)
        #expect(try receiver.key(for: UInt32.max).generation == UInt32.max)
        #expect(receiver.isExhausted)
        #expect(receiver.retainedKeyCount == 2)
        #expect(try receiver.key(for: UInt32.max - 1).generation == UInt32.max - 1)
        #expect(try receiver.key(for: UInt32.max - 2).generation == UInt32.max - 2)
        expectError(.invalidValue("ratchet generation was already used")) { _ = try receiver.key(for: UInt32.max) }
    }

    @Test func restoredRatchetContinuesTheSequence() throws {
        var fresh = try ratchet()
        var keys: [RatchetKeyNonce] = []
        for _ in 0..<3 { keys.append(try fresh.next()) }
        // The secret of generation 2, as DeriveTreeSecret chains it (§9.1).
        var chained = secret
        for generation: UInt32 in 0..<2 {
            chained = try provider.deriveTreeSecret(
                secret: chained,
                label: "secret",
                generation: generation,
                length: provider.kdfLength
            )
        }
        var restored = try HashRatchet(secret: chained, generation: 2, provider: provider)
        #expect(try restored.next().key == keys[2].key)
        #expect(restored.limits == .default)
    }

    @Test func secretOfTheWrongLengthIsRefused() {
        expectError(.invalidKey("ratchet secret has 16 bytes; expected KDF.Nh = 32")) {
            _ = try HashRatchet(secret: SecretBytes(copying: [UInt8](repeating: 1, count: 16)), provider: provider)
        }
    }
}
