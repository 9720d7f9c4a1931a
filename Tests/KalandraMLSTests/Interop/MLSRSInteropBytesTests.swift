import Foundation
import KalandraMLSVectors
import Testing

/// Bytes written by mls-rs (see SOURCE.md beside this file) decode with our codec and re-encode byte for byte.
@Suite struct MLSRSInteropBytesTests {
    @Test func mlsRSMessagesRoundTrip() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("mlsrs-messages.json").path
        let report = try VectorRunner.run(fileAtPath: path)
        #expect(report.format == .messages)
        report.expectTotals(passed: 4, skipped: 0)
    }
}
