import KalandraMLS
import PropertyBased
import Testing

/// Laws of the array-represented tree (RFC 9420 Appendix C) for random sizes up to 2^31 leaves and random nodes.
@Suite struct TreeMathPropertyTests {
    /// A tree of 2^exponent leaves.
    static let size = Gen.int(in: 0...31).map { TreeSize(leafCount: 1 << UInt32($0))! }

    /// A tree with a node inside it.
    static let sizeAndNode = zip(Gen.int(in: 0...31), Gen.uint32()).map { exponent, raw in
        let size = TreeSize(leafCount: 1 << UInt32(exponent))!
        return (size, NodeIndex(raw % size.nodeWidth))
    }

    /// log2 of the leaf count, which is the root's level and every leaf's direct-path length.
    static func depth(_ size: TreeSize) -> Int { size.leafCount.trailingZeroBitCount }

    @Test func rootSitsAtLevelLog2OfTheLeafCount() async {
        await propertyCheck(count: 32, input: Self.size) { size in
            #expect(size.root.level == Self.depth(size))
            #expect(size.root.parent(in: size) == nil)
            #expect(size.root.sibling(in: size) == nil)
            #expect(size.root.directPath(in: size) == [])
            #expect(size.root.copath(in: size) == [])
            #expect(UInt64(size.nodeWidth) == 2 * UInt64(size.leafCount) - 1)
        }
    }

    @Test func parentHasTheNodeAsAChildOneLevelDown() async {
        await propertyCheck(count: 300, input: Self.sizeAndNode) { size, node in
            guard node != size.root else { return }
            let parent = try #require(node.parent(in: size))
            #expect(size.contains(parent))
            #expect(parent.level == node.level + 1)
            #expect(parent.left == node || parent.right == node)
        }
    }

    @Test func siblingIsAnInvolutionWithTheSameParent() async {
        await propertyCheck(count: 300, input: Self.sizeAndNode) { size, node in
            guard node != size.root else { return }
            let sibling = try #require(node.sibling(in: size))
            #expect(sibling != node)
            #expect(sibling.level == node.level)
            #expect(sibling.sibling(in: size) == node)
            #expect(sibling.parent(in: size) == node.parent(in: size))
        }
    }

    @Test func childrenOfAParentAreInsideTheTree() async {
        await propertyCheck(count: 300, input: Self.sizeAndNode) { size, node in
            guard !node.isLeaf else {
                #expect(node.left == nil && node.right == nil)
                #expect(node.leafIndex?.nodeIndex == node)
                return
            }
            let left = try #require(node.left)
            let right = try #require(node.right)
            #expect(size.contains(left) && size.contains(right))
            #expect(left < node && node < right)
            #expect(left.level == node.level - 1 && right.level == node.level - 1)
            #expect(left.parent(in: size) == node && right.parent(in: size) == node)
        }
    }

    @Test func directPathClimbsToTheRootAndCopathMatchesIt() async {
        await propertyCheck(count: 300, input: Self.sizeAndNode) { size, node in
            let directPath = try #require(node.directPath(in: size))
            let copath = try #require(node.copath(in: size))
            #expect(directPath.count == Self.depth(size) - node.level)
            #expect(copath.count == directPath.count)
            guard node != size.root else { return }
            #expect(directPath.last == size.root)
            let lower = [node] + directPath.dropLast()
            for (index, step) in directPath.enumerated() {
                #expect(lower[index].parent(in: size) == step)
                #expect(lower[index].sibling(in: size) == copath[index])
            }
        }
    }

    @Test func leafDirectPathHasLengthLog2OfTheLeafCount() async {
        await propertyCheck(count: 300, input: zip(Self.size, Gen.uint32())) { size, raw in
            let leaf = try #require(LeafIndex(rawValue: raw % size.leafCount))
            #expect(leaf.directPath(in: size)?.count == Self.depth(size))
            #expect(leaf.copath(in: size)?.count == Self.depth(size))
        }
    }

    @Test func commonAncestorIsOnBothDirectPaths() async {
        await propertyCheck(count: 300, input: zip(Self.size, Gen.uint32(), Gen.uint32())) { size, first, second in
            let a = NodeIndex(first % size.nodeWidth)
            let b = NodeIndex(second % size.nodeWidth)
            let ancestor = a.commonAncestor(with: b)
            let pathOfA = try #require(a.directPath(in: size))
            let pathOfB = try #require(b.directPath(in: size))
            #expect(([a] + pathOfA).contains(ancestor))
            #expect(([b] + pathOfB).contains(ancestor))
            #expect(ancestor == b.commonAncestor(with: a))
        }
    }

    @Test func nodesOutsideTheTreeHaveNoRelations() async {
        await propertyCheck(count: 200, input: zip(Gen.int(in: 0...30), Gen.uint32())) { exponent, raw in
            let size = TreeSize(leafCount: 1 << UInt32(exponent))!
            let outside = NodeIndex(size.nodeWidth + raw % (UInt32.max - size.nodeWidth))
            #expect(!size.contains(outside))
            #expect(outside.parent(in: size) == nil)
            #expect(outside.sibling(in: size) == nil)
            #expect(outside.directPath(in: size) == nil)
            #expect(outside.copath(in: size) == nil)
        }
    }
}
