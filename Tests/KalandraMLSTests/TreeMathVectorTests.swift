import KalandraMLSVectors
import Testing

/// tree-math.json through the KalandraMLSVectors runner: for each tree size, root, and left, right, parent and
/// sibling of every node.
@Suite struct TreeMathVectorTests {
    @Test func allCases() throws {
        let report = try VectorLoader.run("tree-math.json", as: .treeMath)
        report.expectTotals(passed: 10, skipped: 0)
        #expect(report.itemCount == 2 * (1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 512) - 10)
    }
}
