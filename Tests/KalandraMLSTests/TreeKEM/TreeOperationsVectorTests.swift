import KalandraMLS
import Testing

/// tree-operations.json (RFC 9420 §12.1.1–§12.1.3): applying an Add, Update or Remove proposal to a tree gives the
/// expected tree and tree hashes. All entries are suite 1.
@Suite struct TreeOperationsVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        @HexEncoded var treeBefore: [UInt8]
        @HexEncoded var proposal: [UInt8]
        let proposalSender: UInt32
        @HexEncoded var treeHashBefore: [UInt8]
        @HexEncoded var treeAfter: [UInt8]
        @HexEncoded var treeHashAfter: [UInt8]
    }

    @Test func everyEntryGivesTheExpectedTree() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "tree-operations.json")
        var applied: [ProposalType] = []
        for vector in vectors {
            let provider = try CipherSuite(rawValue: vector.cipherSuite).provider()
            var tree = try RatchetTreeState(RatchetTree.decode(vector.treeBefore), provider: provider)
            #expect(tree.treeHash == vector.treeHashBefore)
            let proposal = try Proposal.decode(vector.proposal)
            let sender = try #require(LeafIndex(rawValue: vector.proposalSender))
            switch proposal {
            case .add(let add): try tree.add(add.keyPackage.leafNode)
            case .update(let update): try tree.update(sender, with: update.leafNode)
            case .remove(let remove): try tree.remove(try #require(remove.removedLeaf))
            default: Issue.record("unexpected proposal \(proposal.proposalType)")
            }
            applied.append(proposal.proposalType)
            #expect(tree.ratchetTree.encoded() == vector.treeAfter, "\(proposal.proposalType)")
            #expect(tree.treeHash == vector.treeHashAfter, "\(proposal.proposalType)")
            let rebuilt = try RatchetTreeState(RatchetTree.decode(vector.treeAfter), provider: provider)
            #expect(rebuilt.treeHash == vector.treeHashAfter)
        }
        #expect(applied.count == 5)
        #expect(Set(applied.map(\.rawValue)) == Set([ProposalType.add, .update, .remove].map(\.rawValue)))
    }
}
