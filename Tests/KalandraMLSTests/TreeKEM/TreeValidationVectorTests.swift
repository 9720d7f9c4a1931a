import KalandraMLS
import Testing

/// tree-validation.json (RFC 9420 §4.1.1, §7.8, §7.9.2, §7.3): for suites 1 and 3, every node's resolution and tree
/// hash, parent-hash validity of the whole tree and every leaf signature; other suites' entries are skipped.
@Suite struct TreeValidationVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        @HexEncoded var tree: [UInt8]
        @HexEncoded var groupId: [UInt8]
        let resolutions: [[UInt32]]
        let treeHashes: [TreeVectorHex]
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "tree-validation.json")
        var ran = 0
        var skipped = 0
        var checkedNodes = 0
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped += 1
                continue
            }
            checkedNodes += try check(vector, with: try suite.provider())
            ran += 1
        }
        #expect(ran == 28)
        #expect(skipped == 70)
        #expect(checkedNodes > 0)
    }

    /// Checks one entry; returns how many nodes were compared.
    private func check(_ vector: Vector, with provider: any CipherSuiteProvider) throws -> Int {
        let tree = try RatchetTreeState(RatchetTree.decode(vector.tree), provider: provider)
        #expect(Int(tree.size.nodeWidth) == vector.resolutions.count)
        #expect(vector.treeHashes.count == vector.resolutions.count)
        for (position, expected) in vector.resolutions.enumerated() {
            let index = NodeIndex(UInt32(position))
            #expect(tree.resolution(of: index).map(\.rawValue) == expected, "\(index)")
            #expect(tree.treeHash(of: index) == vector.treeHashes[position].bytes, "\(index)")
        }
        #expect(tree.parentHashViolations().isEmpty)
        #expect(tree.firstViolation(groupID: vector.groupId, treeHash: tree.treeHash) == nil)
        try tree.validate(groupID: vector.groupId)
        #expect(tree.ratchetTree.encoded() == vector.tree)
        return vector.resolutions.count
    }
}

/// A hex string in a JSON array, decoded to bytes.
struct TreeVectorHex: Decodable {
    let bytes: [UInt8]

    init(from decoder: any Decoder) throws { bytes = try HexEncoded(from: decoder).wrappedValue }
}
