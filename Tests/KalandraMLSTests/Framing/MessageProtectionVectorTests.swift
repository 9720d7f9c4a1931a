import KalandraMLSVectors
import Testing

/// message-protection.json (RFC 9420 §6.2, §6.3) through the KalandraMLSVectors runner: the proposal, commit and
/// application of each entry, unprotected from the vector's PublicMessage (not for application) and PrivateMessage
/// and protected again by us, with leaf 1 of a two-leaf tree as sender, for suites 1 and 3; other suites' entries
/// are skipped.
@Suite struct MessageProtectionVectorTests {
    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("message-protection.json", as: .messageProtection)
        report.expectTotals(passed: 2, skipped: 5)
        #expect(report.passedSuites == [1, 3])
        #expect(report.skippedSuites == [2, 4, 5, 6, 7])
        // Per suite: 2 public and 3 private messages, each the vector's and our own.
        #expect(report.itemCount == 2 * 2 * 5)
    }
}
