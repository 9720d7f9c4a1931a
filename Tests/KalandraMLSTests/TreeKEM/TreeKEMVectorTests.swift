import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// treekem.json (RFC 9420 §7.4–§7.6, §12.4.2) for suites 1 and 3: every member's private state is consistent with
/// the tree; every UpdatePath merges (parent hashes valid), gives every other member the expected path secret and
/// commit secret, and the expected tree hash; then a new UpdatePath from the same leaf is processed by every other
/// member with the same commit secret. Other suites' entries are skipped.
@Suite struct TreeKEMVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        @HexEncoded var groupId: [UInt8]
        let epoch: UInt64
        @HexEncoded var confirmedTranscriptHash: [UInt8]
        @HexEncoded var ratchetTree: [UInt8]
        let leavesPrivate: [LeafPrivate]
        let updatePaths: [PathEntry]
    }

    struct LeafPrivate: Decodable {
        let index: UInt32
        @HexEncoded var encryptionPriv: [UInt8]
        @HexEncoded var signaturePriv: [UInt8]
        let pathSecrets: [NodeSecret]
    }

    struct NodeSecret: Decodable {
        let node: UInt32
        @HexEncoded var pathSecret: [UInt8]
    }

    struct PathEntry: Decodable {
        let sender: UInt32
        @HexEncoded var updatePath: [UInt8]
        let pathSecrets: [TreeVectorHex?]
        @HexEncoded var commitSecret: [UInt8]
        @HexEncoded var treeHashAfter: [UInt8]
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "treekem.json")
        var ran = 0
        var skipped = 0
        var processed = 0
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped += 1
                continue
            }
            processed += try check(vector, with: try suite.provider())
            ran += 1
        }
        #expect(ran == 22)
        #expect(skipped == 55)
        #expect(processed > 0)
    }

    /// Checks one entry; returns how many (path, receiver) pairs were processed.
    private func check(_ vector: Vector, with provider: any CipherSuiteProvider) throws -> Int {
        let tree = try RatchetTreeState(RatchetTree.decode(vector.ratchetTree), provider: provider)
        var states: [LeafIndex: TreeKEMPrivateState] = [:]
        var signatureKeys: [LeafIndex: SignaturePrivateKey] = [:]
        for entry in vector.leavesPrivate {
            let leaf = try #require(LeafIndex(rawValue: entry.index))
            var state = TreeKEMPrivateState(
                leaf: leaf,
                leafPrivateKey: HPKEPrivateKey(SecretBytes(copying: entry.encryptionPriv))
            )
            for secret in entry.pathSecrets {
                try state.setPathSecret(
                    SecretBytes(copying: secret.pathSecret),
                    at: NodeIndex(secret.node),
                    provider: provider
                )
            }
            #expect(state.isConsistent(with: tree), "\(leaf)")
            states[leaf] = state
            signatureKeys[leaf] = SignaturePrivateKey(SecretBytes(copying: entry.signaturePriv))
        }
        func context(_ treeHash: [UInt8]) -> GroupContext {
            GroupContext(
                cipherSuite: provider.cipherSuite,
                groupID: vector.groupId,
                epoch: vector.epoch,
                treeHash: treeHash,
                confirmedTranscriptHash: vector.confirmedTranscriptHash,
                extensions: []
            )
        }
        var processed = 0
        for entry in vector.updatePaths {
            let sender = try #require(LeafIndex(rawValue: entry.sender))
            let path = try UpdatePath.decode(entry.updatePath)
            var merged = tree
            try merged.merge(path, from: sender, groupID: vector.groupId)
            #expect(merged.treeHash == entry.treeHashAfter)
            #expect(merged.parentHashViolations().isEmpty)
            for (receiver, state) in states where receiver != sender {
                var state = state
                let secrets = try state.apply(
                    path,
                    from: sender,
                    mergedTree: merged,
                    groupContext: context(merged.treeHash)
                )
                let expected = try #require(entry.pathSecrets[Int(receiver.rawValue)])
                #expect(secrets.pathSecret == SecretBytes(copying: expected.bytes), "\(sender) → \(receiver)")
                #expect(secrets.commitSecret == SecretBytes(copying: entry.commitSecret))
                #expect(state.isConsistent(with: merged))
                processed += 1
            }

            var creatorTree = tree
            var generator = DeterministicGenerator(seed: UInt64(entry.sender) + 1)
            let created = try creatorTree.createUpdatePath(
                from: sender,
                signaturePrivateKey: try #require(signatureKeys[sender]),
                groupID: vector.groupId,
                groupContext: context,
                using: &generator
            )
            #expect(created.privateState.isConsistent(with: creatorTree))
            #expect(creatorTree.parentHashViolations().isEmpty)
            for (receiver, state) in states where receiver != sender {
                var receiverTree = tree
                try receiverTree.merge(created.updatePath, from: sender, groupID: vector.groupId)
                #expect(receiverTree.treeHash == creatorTree.treeHash)
                var state = state
                let secrets = try state.apply(
                    created.updatePath,
                    from: sender,
                    mergedTree: receiverTree,
                    groupContext: created.groupContext
                )
                #expect(secrets.commitSecret == created.commitSecret, "\(sender) → \(receiver)")
                processed += 1
            }
        }
        return processed
    }
}
