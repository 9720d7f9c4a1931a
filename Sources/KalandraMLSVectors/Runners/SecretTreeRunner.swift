import KalandraCrypto
import KalandraMLS

/// secret-tree.json (RFC 9420 §6.3.2, §9): the sender-data key and nonce for a ciphertext, and every leaf's handshake
/// and application keys and nonces at the listed generations; afterwards no node secret is left (§9.2).
enum SecretTreeRunner: EntryRunner {
    struct Entry: Decodable {
        let cipherSuite: UInt16
        let senderData: SenderData
        @HexBytes var encryptionSecret: [UInt8]
        let leaves: [[Generation]]
    }

    struct SenderData: Decodable {
        @HexBytes var senderDataSecret: [UInt8]
        @HexBytes var ciphertext: [UInt8]
        @HexBytes var key: [UInt8]
        @HexBytes var nonce: [UInt8]
    }

    struct Generation: Decodable {
        let generation: UInt32
        @HexBytes var handshakeKey: [UInt8]
        @HexBytes var handshakeNonce: [UInt8]
        @HexBytes var applicationKey: [UInt8]
        @HexBytes var applicationNonce: [UInt8]
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func summary(of entry: Entry) -> String? { "\(entry.leaves.count) leaves" }

    /// Checks one entry; the items are (leaf, generation) pairs.
    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        let senderData = try step("sender_data") {
            try SenderDataKey(
                senderDataSecret: SecretBytes(copying: entry.senderData.senderDataSecret),
                ciphertext: entry.senderData.ciphertext,
                provider: provider
            )
        }
        check.expectSecret(senderData.key, entry.senderData.key, "sender_data.key")
        check.expectSecret(senderData.nonce, entry.senderData.nonce, "sender_data.nonce")

        let treeSize = try require(
            TreeSize(leafCount: UInt32(clamping: entry.leaves.count)),
            "\(entry.leaves.count) leaves is not a tree size"
        )
        var tree = try step("encryption_secret") {
            try SecretTree(
                encryptionSecret: SecretBytes(copying: entry.encryptionSecret),
                treeSize: treeSize,
                provider: provider
            )
        }
        var checked = 0
        for (index, generations) in entry.leaves.enumerated() {
            let leaf = try require(LeafIndex(rawValue: UInt32(index)), "leaf \(index)")
            for expected in generations {
                let place = "leaves[\(index)] generation \(expected.generation)"
                let handshake = try step("\(place): handshake key") {
                    try tree.key(for: leaf, type: .handshake, generation: expected.generation)
                }
                let application = try step("\(place): application key") {
                    try tree.key(for: leaf, type: .application, generation: expected.generation)
                }
                check.expectEqual(handshake.generation, expected.generation, "\(place): generation")
                check.expectSecret(handshake.key, expected.handshakeKey, "\(place): handshake_key")
                check.expectSecret(handshake.nonce, expected.handshakeNonce, "\(place): handshake_nonce")
                check.expectSecret(application.key, expected.applicationKey, "\(place): application_key")
                check.expectSecret(application.nonce, expected.applicationNonce, "\(place): application_nonce")
                checked += 1
            }
        }
        // Every leaf's path was consumed, so no node secret is left (§9.2).
        check.expectEqual(tree.storedNodeSecretCount, 0, "stored node secrets after every leaf was used")
        return checked
    }
}
