import KalandraMLS
import Testing

/// tree-math.json: for each tree size, root, and left, right, parent and sibling of every node.
@Suite struct TreeMathVectorTests {
    struct Vector: Decodable {
        let nLeaves: UInt32
        let nNodes: UInt32
        let root: UInt32
        let left: [UInt32?]
        let right: [UInt32?]
        let parent: [UInt32?]
        let sibling: [UInt32?]
    }

    @Test func allCases() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "tree-math.json")
        var nodesChecked = 0
        for vector in vectors {
            let size = try #require(TreeSize(leafCount: vector.nLeaves))
            #expect(size.nodeWidth == vector.nNodes)
            #expect(size.root.rawValue == vector.root)
            for array in [vector.left, vector.right, vector.parent, vector.sibling] {
                try #require(array.count == Int(vector.nNodes))
            }
            for index in 0..<vector.nNodes {
                let node = NodeIndex(index)
                let position = Int(index)
                #expect(node.left?.rawValue == vector.left[position], "left of \(index), \(vector.nLeaves) leaves")
                #expect(node.right?.rawValue == vector.right[position], "right of \(index), \(vector.nLeaves) leaves")
                #expect(node.parent(in: size)?.rawValue == vector.parent[position], "parent of \(index)")
                #expect(node.sibling(in: size)?.rawValue == vector.sibling[position], "sibling of \(index)")
                nodesChecked += 1
            }
        }
        #expect(vectors.count == 10)
        #expect(nodesChecked == 2 * (1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 512) - 10)
    }
}
