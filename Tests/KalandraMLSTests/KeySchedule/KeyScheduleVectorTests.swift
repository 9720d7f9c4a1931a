import KalandraMLSVectors
import Testing

/// key-schedule.json (RFC 9420 §8) through the KalandraMLSVectors runner: five epochs per suite, each from the
/// previous epoch's `init_secret`; the GroupContext serialisation, joiner/welcome/init secrets, every epoch-derived
/// secret, the exporter and the external public key, for a member and for a joiner, for suites 1 and 3; other
/// suites' entries are skipped.
@Suite struct KeyScheduleVectorTests {
    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let report = try VectorLoader.run("key-schedule.json", as: .keySchedule)
        report.expectTotals(passed: 2, skipped: 5)
        #expect(report.passedSuites == [1, 3])
        #expect(report.skippedSuites == [2, 4, 5, 6, 7])
        #expect(report.itemCount == 10)
    }
}
