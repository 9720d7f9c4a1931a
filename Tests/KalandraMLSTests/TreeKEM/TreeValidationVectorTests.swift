import KalandraMLSVectors
import Testing

/// tree-validation.json (RFC 9420 §4.1.1, §7.8, §7.9.2, §7.3) through the KalandraMLSVectors runner: for suites 1
/// and 3, every node's resolution and tree hash, parent-hash validity of the whole tree and every leaf signature;
/// other suites' entries are skipped.
@Suite struct TreeValidationVectorTests {
    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("tree-validation.json", as: .treeValidation)
        report.expectTotals(passed: 28, skipped: 70)
        #expect(report.passedSuites == Array(repeating: 1, count: 14) + Array(repeating: 3, count: 14))
        #expect(report.itemCount == 908)
    }
}
