import KalandraCrypto
import KalandraMLS
import Testing

/// `SecretTree` (RFC 9420 §9) and `SenderDataKey` (§6.3.2): the deletion schedule of node secrets, sender and
/// receiver agreement, leaves outside the tree, and failures that leave the tree unchanged.
@Suite struct SecretTreeTests {
    let provider: any CipherSuiteProvider
    let encryptionSecret = SecretBytes(copying: [UInt8](repeating: 0x17, count: 32))

    init() throws { provider = try CipherSuite.x25519ChaCha20Poly1305Sha256Ed25519.provider() }

    private func tree(leafCount: UInt32 = 4, limits: RatchetLimits = .default) throws -> SecretTree {
        let size = try #require(TreeSize(leafCount: leafCount))
        return try SecretTree(encryptionSecret: encryptionSecret, treeSize: size, provider: provider, limits: limits)
    }

    private func leaf(_ index: UInt32) throws -> LeafIndex { try #require(LeafIndex(rawValue: index)) }

    @Test func consumedNodeSecretsAreDeleted() throws {
        // Figure 25's tree: leaves A B C D (nodes 0 2 4 6), parents E (1) and F (5), root G (3).
        var tree = try tree()
        #expect(tree.storedNodeSecretCount == 1)
        // D's path consumes G and F and leaves E and C (§9.2's example).
        _ = try tree.key(for: try leaf(3), type: .application, generation: 1)
        #expect(tree.storedNodeSecretCount == 2)
        // A consumes E and leaves B.
        _ = try tree.nextKey(for: try leaf(0), type: .handshake)
        #expect(tree.storedNodeSecretCount == 2)
        _ = try tree.nextKey(for: try leaf(2), type: .handshake)
        #expect(tree.storedNodeSecretCount == 1)
        _ = try tree.nextKey(for: try leaf(1), type: .application)
        #expect(tree.storedNodeSecretCount == 0)
        // Used leaves keep working from their ratchets.
        _ = try tree.key(for: try leaf(3), type: .application, generation: 0)
        _ = try tree.key(for: try leaf(3), type: .handshake, generation: 0)
    }

    @Test func senderAndReceiverAgree() throws {
        var sender = try tree(leafCount: 8)
        var receiver = try tree(leafCount: 8)
        let member = try leaf(5)
        var sent: [RatchetKeyNonce] = []
        for _ in 0..<3 { sent.append(try sender.nextKey(for: member, type: .application)) }
        let handshake = try sender.nextKey(for: member, type: .handshake)
        #expect(sender.generation(of: member, type: .application) == 3)
        #expect(sender.generation(of: member, type: .handshake) == 1)
        #expect(sender.generation(of: try leaf(0), type: .handshake) == 0)

        for generation in [UInt32(2), 0, 1] {
            let key = try receiver.key(for: member, type: .application, generation: generation)
            #expect(key.key == sent[Int(generation)].key)
            #expect(key.nonce == sent[Int(generation)].nonce)
        }
        let received = try receiver.key(for: member, type: .handshake, generation: 0)
        #expect(received.key == handshake.key)
        #expect(received.key != sent[0].key)
        // Other leaves have other keys.
        let other = try receiver.key(for: try leaf(4), type: .application, generation: 0)
        #expect(other.key != sent[0].key)
    }

    @Test func leafOutsideTheTreeIsRefused() throws {
        var tree = try tree(leafCount: 2)
        let outside = try leaf(2)
        expectError(.invalidValue("leaf is outside the secret tree")) {
            _ = try tree.nextKey(for: outside, type: .application)
        }
        expectError(.invalidValue("leaf is outside the secret tree")) {
            _ = try tree.key(for: outside, type: .handshake, generation: 0)
        }
        #expect(tree.generation(of: outside, type: .application) == nil)
        #expect(tree.storedNodeSecretCount == 1)
    }

    @Test func failedRequestKeepsTheRatchet() throws {
        var tree = try tree(limits: RatchetLimits(maximumRetainedGenerations: 5, maximumForwardJump: 5))
        let member = try leaf(1)
        expectError(.invalidValue("ratchet generation is too far ahead")) {
            _ = try tree.key(for: member, type: .application, generation: 6)
        }
        // The leaf's ratchets were started and kept, unmoved.
        #expect(tree.generation(of: member, type: .application) == 0)
        _ = try tree.key(for: member, type: .application, generation: 5)
        expectError(.invalidValue("ratchet generation was already used")) {
            _ = try tree.key(for: member, type: .application, generation: 5)
        }
        #expect(tree.generation(of: member, type: .application) == 6)
        #expect(tree.limits.maximumForwardJump == 5)
        #expect(tree.treeSize.leafCount == 4)
    }

    @Test func singleLeafTreeUsesTheRootAsLeaf() throws {
        var tree = try tree(leafCount: 1)
        _ = try tree.nextKey(for: try leaf(0), type: .application)
        #expect(tree.storedNodeSecretCount == 0)
    }

    @Test func encryptionSecretOfTheWrongLengthIsRefused() throws {
        let size = try #require(TreeSize(leafCount: 2))
        expectError(.invalidKey("encryption_secret has 31 bytes; expected KDF.Nh = 32")) {
            _ = try SecretTree(
                encryptionSecret: SecretBytes(copying: [UInt8](repeating: 0, count: 31)),
                treeSize: size,
                provider: provider
            )
        }
    }

    @Test func senderDataSampleIsTheFirstHashLengthBytes() throws {
        let secret = SecretBytes(copying: [UInt8](repeating: 9, count: 32))
        let ciphertext = (0..<50).map { UInt8($0) }
        let full = try SenderDataKey(senderDataSecret: secret, ciphertext: ciphertext, provider: provider)
        let sample = try SenderDataKey(senderDataSecret: secret, ciphertext: ciphertext[..<32], provider: provider)
        #expect(full.key == sample.key)
        #expect(full.nonce == sample.nonce)
        #expect(full.key.count == provider.aeadKeyLength)
        #expect(full.nonce.count == provider.aeadNonceLength)
        // A ciphertext shorter than KDF.Nh is used whole.
        let short = try SenderDataKey(senderDataSecret: secret, ciphertext: ciphertext[..<5], provider: provider)
        #expect(short.key != full.key)
        expectError(.invalidKey("sender_data_secret has 1 bytes; expected KDF.Nh = 32")) {
            _ = try SenderDataKey(senderDataSecret: SecretBytes(copying: [1]), ciphertext: [], provider: provider)
        }
    }
}
