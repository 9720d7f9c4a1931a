import KalandraMLS

/// tree-math.json: for each tree size, the node count, the root, and left, right, parent and sibling of every node.
enum TreeMathRunner: EntryRunner {
    struct Entry: Decodable {
        let nLeaves: UInt32
        let nNodes: UInt32
        let root: UInt32
        let left: [UInt32?]
        let right: [UInt32?]
        let parent: [UInt32?]
        let sibling: [UInt32?]
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { nil }

    static func summary(of entry: Entry) -> String? { "\(entry.nLeaves) leaves" }

    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let size = try require(TreeSize(leafCount: entry.nLeaves), "n_leaves \(entry.nLeaves) is not a tree size")
        check.expectEqual(size.nodeWidth, entry.nNodes, "n_nodes")
        check.expectEqual(size.root.rawValue, entry.root, "root")
        let arrays = [
            ("left", entry.left), ("right", entry.right), ("parent", entry.parent), ("sibling", entry.sibling),
        ]
        for (name, array) in arrays where array.count != Int(entry.nNodes) {
            throw EntryFailure("\(name) has \(array.count) elements, not n_nodes = \(entry.nNodes)")
        }
        for index in 0..<entry.nNodes {
            let node = NodeIndex(index)
            let position = Int(index)
            check.expectEqual(node.left?.rawValue, entry.left[position], "left[\(index)]")
            check.expectEqual(node.right?.rawValue, entry.right[position], "right[\(index)]")
            check.expectEqual(node.parent(in: size)?.rawValue, entry.parent[position], "parent[\(index)]")
            check.expectEqual(node.sibling(in: size)?.rawValue, entry.sibling[position], "sibling[\(index)]")
        }
        return Int(entry.nNodes)
    }
}
