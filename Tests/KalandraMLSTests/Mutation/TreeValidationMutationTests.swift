import KalandraMLS
import Testing

/// tree-validation.json (RFC 9420 §7.3, §7.9.2, §12.4.3.1) with one byte flipped: a leaf node's signature, a parent
/// node's parent hash, or the expected tree hash. Validation must name the broken rule, for suites 1 and 3.
@Suite struct TreeValidationMutationTests {
    struct Vector: SuiteTaggedVector {
        let cipherSuite: UInt16
        @HexEncoded var tree: [UInt8]
        @HexEncoded var groupId: [UInt8]
    }

    @Test func unmutatedTreesAreValid() throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "tree-validation.json") {
            let tree = try RatchetTreeState(RatchetTree.decode(vector.tree), provider: provider)
            #expect(tree.firstViolation(groupID: vector.groupId, treeHash: tree.treeHash) == nil)
            checked += 1
        }
        #expect(checked == 28)
    }

    /// Every non-blank leaf of every tree gets one flip (the position rotating with the leaf): validation names that
    /// leaf's signature; against the original tree hash, the changed hash is found first.
    @Test func flippedLeafSignatureIsRefused() throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "tree-validation.json") {
            let original = try RatchetTree.decode(vector.tree)
            let originalHash = try RatchetTreeState(original, provider: provider).treeHash
            for (index, node) in original.nodes.enumerated() {
                guard case .leaf(var leafNode) = node else { continue }
                let leaf = try #require(NodeIndex(UInt32(index)).leafIndex)
                let (position, signature) = ByteFlip.variant(of: leafNode.signature, rotatingBy: index / 2)
                leafNode.signature = signature
                var mutated = original
                mutated.nodes[index] = .leaf(leafNode)
                let tree = try RatchetTreeState(mutated, provider: provider)
                let violation = RatchetTreeViolation.leafSignatureInvalid(leaf)
                let what = "suite \(vector.cipherSuite) \(leaf) signature byte \(position)"
                #expect(tree.firstViolation(groupID: vector.groupId) == violation, "\(what)")
                #expect(tree.firstViolation(groupID: vector.groupId, treeHash: originalHash) == .treeHashMismatch)
                expectRejection(.invalidValue(violation.description), what) {
                    try tree.validate(groupID: vector.groupId)
                }
                expectRejection(.signatureInvalid, what + " (the leaf alone)") {
                    try leafNode.verifySignature(groupID: vector.groupId, leafIndex: leaf, provider: provider)
                }
                checked += 1
            }
        }
        #expect(checked > 28)
    }

    /// A parent whose `parent_hash` is flipped hashes differently, so the child that pointed at it no longer does:
    /// it is parent-hash valid for no descendant (§7.9.2).
    @Test func flippedParentHashIsRefused() throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "tree-validation.json") {
            let original = try RatchetTree.decode(vector.tree)
            for (index, node) in original.nodes.enumerated() {
                guard case .parent(var parentNode) = node, !parentNode.parentHash.isEmpty else { continue }
                let parent = NodeIndex(UInt32(index))
                let (position, parentHash) = ByteFlip.variant(of: parentNode.parentHash, rotatingBy: index / 2)
                parentNode.parentHash = parentHash
                var mutated = original
                mutated.nodes[index] = .parent(parentNode)
                let tree = try RatchetTreeState(mutated, provider: provider)
                let what = "suite \(vector.cipherSuite) \(parent) parent hash byte \(position)"
                let violations = tree.parentHashViolations()
                #expect(violations.contains { $0.parent == parent && $0.validDescendants == 0 }, "\(what)")
                let first = try #require(violations.first, "\(what)")
                let violation = RatchetTreeViolation.parentHashInvalid(
                    parent: first.parent,
                    validDescendants: first.validDescendants
                )
                #expect(tree.firstViolation(groupID: vector.groupId) == violation, "\(what)")
                expectRejection(.invalidValue(violation.description), what) {
                    try tree.validate(groupID: vector.groupId)
                }
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    @Test func flippedExpectedTreeHashIsRefused() throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "tree-validation.json") {
            let tree = try RatchetTreeState(RatchetTree.decode(vector.tree), provider: provider)
            for (position, treeHash) in ByteFlip.variants(of: tree.treeHash) {
                let what = "suite \(vector.cipherSuite) tree hash byte \(position)"
                #expect(tree.firstViolation(groupID: vector.groupId, treeHash: treeHash) == .treeHashMismatch)
                expectRejection(.invalidValue(RatchetTreeViolation.treeHashMismatch.description), what) {
                    try tree.validate(groupID: vector.groupId, treeHash: treeHash)
                }
                checked += 1
            }
        }
        #expect(checked == 28 * 3)
    }
}
