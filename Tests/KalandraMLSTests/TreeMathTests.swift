import KalandraMLS
import Testing

/// Tree math beyond the vectors: paths, common ancestors, and the limits (no trap on any input).
@Suite struct TreeMathTests {
    @Test func treeSizes() throws {
        for invalid: UInt32 in [0, 3, 6, 100, (1 << 31) + 1, UInt32.max] {
            #expect(TreeSize(leafCount: invalid) == nil)
        }
        let largest = try #require(TreeSize(leafCount: 1 << 31))
        #expect(largest.nodeWidth == UInt32.max)
        #expect(largest.root == NodeIndex((1 << 31) - 1))
        #expect(!largest.contains(NodeIndex(UInt32.max)))
        #expect(TreeSize(minimumLeafCount: 0)?.leafCount == 1)
        #expect(TreeSize(minimumLeafCount: 5)?.leafCount == 8)
        #expect(TreeSize(minimumLeafCount: 1 << 31)?.leafCount == 1 << 31)
        #expect(TreeSize(minimumLeafCount: (1 << 31) + 1) == nil)
        #expect(TreeSize(leafCount: 4)?.description == "4 leaves")
    }

    @Test func pathsInAnEightLeafTree() throws {
        let size = try #require(TreeSize(leafCount: 8))
        let leaf = try #require(LeafIndex(rawValue: 0))
        #expect(leaf.nodeIndex == NodeIndex(0))
        #expect(leaf.directPath(in: size) == [NodeIndex(1), NodeIndex(3), NodeIndex(7)])
        #expect(leaf.copath(in: size) == [NodeIndex(2), NodeIndex(5), NodeIndex(11)])
        let five = try #require(LeafIndex(rawValue: 5))
        #expect(five.directPath(in: size) == [NodeIndex(9), NodeIndex(11), NodeIndex(7)])
        #expect(five.copath(in: size) == [NodeIndex(8), NodeIndex(13), NodeIndex(3)])
        #expect(size.root.directPath(in: size) == [])
        #expect(size.root.copath(in: size) == [])
        #expect(NodeIndex(15).directPath(in: size) == nil)
        #expect(NodeIndex(15).copath(in: size) == nil)
        let eight = try #require(LeafIndex(rawValue: 8))
        #expect(size.contains(five))
        #expect(!size.contains(eight))
        #expect(NodeIndex(10).leafIndex == LeafIndex(rawValue: 5))
        #expect(NodeIndex(9).leafIndex == nil)
        #expect(NodeIndex(11).level == 2 && NodeIndex(4).level == 0)
    }

    @Test func commonAncestorsAgreeWithDirectPaths() throws {
        let size = try #require(TreeSize(leafCount: 16))
        for first in 0..<size.nodeWidth {
            for second in 0..<size.nodeWidth {
                let x = NodeIndex(first)
                let y = NodeIndex(second)
                let xPath = [x] + (x.directPath(in: size) ?? [])
                let yPath = Set([y] + (y.directPath(in: size) ?? []))
                let expected = xPath.first { yPath.contains($0) }
                #expect(x.commonAncestor(with: y) == expected)
            }
        }
    }

    @Test func extremeIndicesDoNotTrap() throws {
        let top = NodeIndex(UInt32.max)
        #expect(top.level == 32)
        #expect(top.left == NodeIndex(UInt32.max ^ (1 << 31)))
        #expect(top.right == nil)
        let size = try #require(TreeSize(leafCount: 1))
        #expect(top.parent(in: size) == nil)
        #expect(top.sibling(in: size) == nil)
        #expect(NodeIndex(0).parent(in: size) == nil)
        #expect(LeafIndex(rawValue: 1 << 31) == nil)
        #expect(LeafIndex(rawValue: LeafIndex.maximum)?.nodeIndex == NodeIndex(UInt32.max - 1))
        let largest = try #require(TreeSize(leafCount: 1 << 31))
        let lastLeaf = try #require(LeafIndex(rawValue: LeafIndex.maximum))
        #expect(lastLeaf.directPath(in: largest)?.count == 31)
        #expect(lastLeaf.copath(in: largest)?.count == 31)
        #expect(NodeIndex(UInt32.max - 1).commonAncestor(with: NodeIndex(0)) == largest.root)
    }

    @Test func leafIndexCoding() throws {
        #expect(try LeafIndex.decode([0, 0, 1, 2]) == LeafIndex(rawValue: 258))
        #expect(LeafIndex(rawValue: 258)?.encoded() == [0, 0, 1, 2])
        expectError(.invalidValue("leaf index 2147483648 exceeds 2147483647")) {
            _ = try LeafIndex.decode([0x80, 0, 0, 0])
        }
        #expect(LeafIndex(rawValue: 3)?.description == "leaf 3")
        #expect(NodeIndex(3).description == "node 3")
        let one = try #require(LeafIndex(rawValue: 1))
        let two = try #require(LeafIndex(rawValue: 2))
        #expect(one < two)
    }
}
