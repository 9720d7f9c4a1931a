import KalandraMLSVectors
import Testing

/// treekem.json (RFC 9420 §7.4–§7.6, §12.4.2) through the KalandraMLSVectors runner, for suites 1 and 3: every
/// member's private state is consistent with the tree; every UpdatePath merges (parent hashes valid), gives every
/// other member the expected path secret and commit secret, and the expected tree hash; then a new UpdatePath from
/// the same leaf is processed by every other member with the same commit secret. Other suites' entries are skipped.
@Suite struct TreeKEMVectorTests {
    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("treekem.json", as: .treeKEM)
        report.expectTotals(passed: 22, skipped: 55)
        #expect(report.passedSuites == Array(repeating: 1, count: 11) + Array(repeating: 3, count: 11))
        // (path, receiver) pairs: each path of the vector and each new path, at every other member.
        #expect(report.itemCount == 1312)
    }
}
