import KalandraMLS

/// tree-operations.json (RFC 9420 §12.1.1–§12.1.3): applying an Add, Update or Remove proposal to a tree gives the
/// expected tree and tree hashes, and the expected tree, imported, has the expected hash.
enum TreeOperationsRunner: EntryRunner {
    struct Entry: Decodable {
        let cipherSuite: UInt16
        @HexBytes var treeBefore: [UInt8]
        @HexBytes var proposal: [UInt8]
        let proposalSender: UInt32
        @HexBytes var treeHashBefore: [UInt8]
        @HexBytes var treeAfter: [UInt8]
        @HexBytes var treeHashAfter: [UInt8]
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    /// The proposal type ("add", "update", "remove"), read from the proposal's first two bytes.
    static func summary(of entry: Entry) -> String? {
        guard let proposal = try? Proposal.decode(entry.proposal) else { return nil }
        return switch proposal {
        case .add: "add"
        case .update: "update"
        case .remove: "remove"
        default: "proposal type \(proposal.proposalType.rawValue)"
        }
    }

    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        var tree = try step("tree_before") {
            try RatchetTreeState(RatchetTree.decode(entry.treeBefore), provider: provider)
        }
        check.expectEqual(tree.treeHash, entry.treeHashBefore, "tree_hash_before")
        let proposal = try step("proposal") { try Proposal.decode(entry.proposal) }
        let sender = try require(LeafIndex(rawValue: entry.proposalSender), "proposal_sender is not a leaf index")
        let name = summary(of: entry) ?? "proposal"
        switch proposal {
        case .add(let add): try step("applying add") { try tree.add(add.keyPackage.leafNode) }
        case .update(let update): try step("applying update") { try tree.update(sender, with: update.leafNode) }
        case .remove(let remove):
            let removed = try require(remove.removedLeaf, "remove names no leaf")
            try step("applying remove") { try tree.remove(removed) }
        default: throw EntryFailure("unexpected \(name)")
        }
        check.expectEqual(tree.ratchetTree.encoded(), entry.treeAfter, "tree_after (after \(name))")
        check.expectEqual(tree.treeHash, entry.treeHashAfter, "tree_hash_after (after \(name))")
        let rebuilt = try step("tree_after") {
            try RatchetTreeState(RatchetTree.decode(entry.treeAfter), provider: provider)
        }
        check.expectEqual(rebuilt.treeHash, entry.treeHashAfter, "tree_hash_after (of tree_after)")
        return 1
    }
}
