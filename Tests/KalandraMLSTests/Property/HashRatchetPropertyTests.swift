import KalandraCore
import KalandraCrypto
import KalandraMLS
import PropertyBased
import Testing

/// A receiver's hash ratchet (RFC 9420 §9.1) hands out the same key and nonce for a generation whatever order the
/// generations are asked for in, as long as they stay within the retention window.
@Suite struct HashRatchetPropertyTests {
    /// How many generations, a seed for their order, and the ratchet secret.
    static let input = zip(Gen.int(in: 1...40), Gen.uint64(), Gen.uint8().array(of: 32))

    @Test func keysFetchedOutOfOrderEqualKeysFetchedInOrder() async throws {
        let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        await propertyCheck(count: 40, input: Self.input) { count, seed, secret in
            var sender = try HashRatchet(secret: SecretBytes(copying: secret), provider: provider)
            var inOrder: [RatchetKeyNonce] = []
            for _ in 0..<count { inOrder.append(try sender.next()) }

            var order = Array(0..<UInt32(count))
            var generator = DeterministicGenerator(seed: seed)
            order.shuffle(using: &generator)
            var receiver = try HashRatchet(secret: SecretBytes(copying: secret), provider: provider)
            for generation in order {
                let key = try receiver.key(for: generation)
                let expected = inOrder[Int(generation)]
                #expect(key.generation == generation)
                #expect(key.key == expected.key, "generation \(generation) of order \(order)")
                #expect(key.nonce == expected.nonce, "generation \(generation) of order \(order)")
            }
            #expect(receiver.retainedKeyCount == 0)
            #expect(receiver.generation == UInt32(count))
        }
    }
}
