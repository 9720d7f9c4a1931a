import KalandraMLSVectors
import Testing

/// secret-tree.json (RFC 9420 §6.3.2, §9) through the KalandraMLSVectors runner: sender-data key and nonce, and every
/// leaf's handshake and application keys and nonces at the listed generations, with no node secret left afterwards,
/// for suites 1 and 3; other suites' entries are skipped.
@Suite struct SecretTreeVectorTests {
    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("secret-tree.json", as: .secretTree)
        report.expectTotals(passed: 6, skipped: 15)
        #expect(report.passedSuites == [1, 1, 1, 3, 3, 3])
        #expect(report.skippedSuites == [2, 2, 2, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7])
        // Per suite: 1 + 8 + 32 leaves, two generations each.
        #expect(report.itemCount == 2 * 2 * (1 + 8 + 32))
    }
}
