import KalandraMLSVectors
import Testing

/// tree-operations.json (RFC 9420 §12.1.1–§12.1.3) through the KalandraMLSVectors runner: applying an Add, Update or
/// Remove proposal to a tree gives the expected tree and tree hashes. All entries are suite 1.
@Suite struct TreeOperationsVectorTests {
    @Test func everyEntryGivesTheExpectedTree() throws {
        let report = try VectorLoader.run("tree-operations.json", as: .treeOperations)
        report.expectTotals(passed: 5, skipped: 0)
        #expect(report.entries.compactMap(\.summary).count == 5)
        #expect(Set(report.entries.compactMap(\.summary)) == ["add", "update", "remove"])
    }
}
