import KalandraMLSVectors
import Testing

/// transcript-hashes.json (RFC 9420 §8.2) through the KalandraMLSVectors runner: the confirmation tag of the commit
/// under `confirmation_key`, and the confirmed and interim hashes after it, for suites 1 and 3; other suites'
/// entries are skipped.
@Suite struct TranscriptHashVectorTests {
    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("transcript-hashes.json", as: .transcriptHashes)
        report.expectTotals(passed: 2, skipped: 5)
        #expect(report.passedSuites == [1, 3])
        #expect(report.skippedSuites == [2, 4, 5, 6, 7])
    }
}
