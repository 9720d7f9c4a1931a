import KalandraMLSVectors
import Testing

/// psk_secret.json (RFC 9420 §8.4) through the KalandraMLSVectors runner: `psk_secret` of 0 to 10 external PSKs, for
/// suites 1 and 3; other suites' entries are skipped.
@Suite struct PSKSecretVectorTests {
    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("psk_secret.json", as: .pskSecret)
        report.expectTotals(passed: 22, skipped: 55)
        #expect(report.passedSuites == Array(repeating: 1, count: 11) + Array(repeating: 3, count: 11))
        #expect(Set(report.skippedSuites) == [2, 4, 5, 6, 7])
        #expect(report.entries.compactMap(\.summary).prefix(11) == ArraySlice((0...10).map { "\($0) PSKs" }))
    }
}
