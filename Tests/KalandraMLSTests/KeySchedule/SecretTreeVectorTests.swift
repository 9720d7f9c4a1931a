import KalandraCrypto
import KalandraMLS
import Testing

/// secret-tree.json (RFC 9420 §6.3.2, §9): sender-data key and nonce for a ciphertext, and every leaf's handshake and
/// application keys and nonces at the listed generations, for suites 1 and 3; other suites' entries are skipped.
@Suite struct SecretTreeVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        let senderData: SenderData
        @HexEncoded var encryptionSecret: [UInt8]
        let leaves: [[Generation]]
    }

    struct SenderData: Decodable {
        @HexEncoded var senderDataSecret: [UInt8]
        @HexEncoded var ciphertext: [UInt8]
        @HexEncoded var key: [UInt8]
        @HexEncoded var nonce: [UInt8]
    }

    struct Generation: Decodable {
        let generation: UInt32
        @HexEncoded var handshakeKey: [UInt8]
        @HexEncoded var handshakeNonce: [UInt8]
        @HexEncoded var applicationKey: [UInt8]
        @HexEncoded var applicationNonce: [UInt8]
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "secret-tree.json")
        var ran: [UInt16] = []
        var skipped: [UInt16] = []
        var checkedGenerations = 0
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped.append(vector.cipherSuite)
                continue
            }
            checkedGenerations += try check(vector, with: try suite.provider())
            ran.append(vector.cipherSuite)
        }
        #expect(ran == [1, 1, 1, 3, 3, 3])
        #expect(skipped == [2, 2, 2, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7])
        // Per suite: 1 + 8 + 32 leaves, two generations each.
        #expect(checkedGenerations == 2 * 2 * (1 + 8 + 32))
    }

    /// Checks one entry; returns how many (leaf, generation) pairs were compared.
    private func check(_ vector: Vector, with provider: any CipherSuiteProvider) throws -> Int {
        let senderData = try SenderDataKey(
            senderDataSecret: SecretBytes(copying: vector.senderData.senderDataSecret),
            ciphertext: vector.senderData.ciphertext,
            provider: provider
        )
        #expect(senderData.key == SecretBytes(copying: vector.senderData.key))
        #expect(senderData.nonce == SecretBytes(copying: vector.senderData.nonce))

        let treeSize = try #require(TreeSize(leafCount: UInt32(vector.leaves.count)))
        var tree = try SecretTree(
            encryptionSecret: SecretBytes(copying: vector.encryptionSecret),
            treeSize: treeSize,
            provider: provider
        )
        var checked = 0
        for (index, generations) in vector.leaves.enumerated() {
            let leaf = try #require(LeafIndex(rawValue: UInt32(index)))
            for expected in generations {
                let handshake = try tree.key(for: leaf, type: .handshake, generation: expected.generation)
                let application = try tree.key(for: leaf, type: .application, generation: expected.generation)
                #expect(handshake.generation == expected.generation)
                #expect(handshake.key == SecretBytes(copying: expected.handshakeKey), "\(leaf) \(expected.generation)")
                #expect(handshake.nonce == SecretBytes(copying: expected.handshakeNonce))
                #expect(application.key == SecretBytes(copying: expected.applicationKey))
                #expect(application.nonce == SecretBytes(copying: expected.applicationNonce))
                checked += 1
            }
        }
        // Every leaf's path was consumed, so no node secret is left (§9.2).
        #expect(tree.storedNodeSecretCount == 0)
        return checked
    }
}
