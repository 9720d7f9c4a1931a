import KalandraMLSVectors
import Testing

/// crypto-basics.json through the KalandraMLSVectors runner: RefHash, ExpandWithLabel, DeriveSecret,
/// DeriveTreeSecret, SignWithLabel/VerifyWithLabel and EncryptWithLabel/DecryptWithLabel for suites 1 and 3; entries
/// of other suites are skipped, never passed.
@Suite struct CryptoBasicsVectorTests {
    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("crypto-basics.json", as: .cryptoBasics)
        report.expectTotals(passed: 2, skipped: 5)
        #expect(report.passedSuites == [1, 3])
        #expect(report.skippedSuites == [2, 4, 5, 6, 7])
        #expect(report.itemCount == 2 * 6)
    }
}
