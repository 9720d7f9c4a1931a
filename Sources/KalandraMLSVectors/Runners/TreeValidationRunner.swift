import KalandraMLS

/// tree-validation.json (RFC 9420 §4.1.1, §7.8, §7.9.2, §7.3): every node's resolution and tree hash, parent-hash
/// validity of the whole tree, every leaf signature, and the tree re-encoding to the same bytes.
enum TreeValidationRunner: EntryRunner {
    struct Entry: Decodable {
        let cipherSuite: UInt16
        @HexBytes var tree: [UInt8]
        @HexBytes var groupId: [UInt8]
        let resolutions: [[UInt32]]
        let treeHashes: [HexElement]
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func summary(of entry: Entry) -> String? { "\(entry.resolutions.count) nodes" }

    /// Checks one entry; the items are nodes.
    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        let tree = try step("tree") { try RatchetTreeState(RatchetTree.decode(entry.tree), provider: provider) }
        let nodeCount = Int(tree.size.nodeWidth)
        guard nodeCount == entry.resolutions.count, entry.treeHashes.count == entry.resolutions.count else {
            throw EntryFailure(
                "the tree has \(nodeCount) nodes, resolutions \(entry.resolutions.count), "
                    + "tree_hashes \(entry.treeHashes.count)"
            )
        }
        for (position, expected) in entry.resolutions.enumerated() {
            let index = NodeIndex(UInt32(position))
            check.expectEqual(tree.resolution(of: index).map(\.rawValue), expected, "resolutions[\(position)]")
            check.expectEqual(tree.treeHash(of: index), entry.treeHashes[position].bytes, "tree_hashes[\(position)]")
        }
        check.expect(tree.parentHashViolations().isEmpty, "tree: parent hashes do not verify")
        let violation = tree.firstViolation(groupID: entry.groupId, treeHash: tree.treeHash)
        check.expect(violation == nil, "tree: \(violation.map { "\($0)" } ?? "")")
        try step("tree: validation") { try tree.validate(groupID: entry.groupId) }
        check.expectEqual(tree.ratchetTree.encoded(), entry.tree, "tree (re-encoded)")
        return entry.resolutions.count
    }
}
