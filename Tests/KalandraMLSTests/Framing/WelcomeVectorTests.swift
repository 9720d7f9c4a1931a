import KalandraMLSVectors
import Testing

/// welcome.json (RFC 9420 §12.4.3.1) through the KalandraMLSVectors runner: the Welcome opens with the KeyPackage
/// and its init key, the GroupInfo's signature verifies with `signer_pub` (and not with another key) and its
/// confirmation tag through the key schedule, for suites 1 and 3; other suites' entries are skipped.
@Suite struct WelcomeVectorTests {
    /// One entry of welcome.json (also used by `WelcomeTests` for a KeyPackage with a known init key).
    typealias Vector = WelcomeVectorEntry

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("welcome.json", as: .welcome)
        report.expectTotals(passed: 2, skipped: 5)
        #expect(report.passedSuites == [1, 3])
        #expect(report.skippedSuites == [2, 4, 5, 6, 7])
    }
}
