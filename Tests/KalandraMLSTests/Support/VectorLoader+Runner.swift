import Foundation
import KalandraMLSVectors
import Testing

extension VectorLoader {
    /// The path of `fileName` in the Vectors folder.
    static func path(of fileName: String) -> String { directory.appendingPathComponent(fileName).path }

    /// `fileName` run through the KalandraMLSVectors runner, after checking that its format is recognised as
    /// `format`.
    static func run(
        _ fileName: String,
        as format: VectorFormat,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> VectorReport {
        let report = try VectorRunner.run(fileAtPath: path(of: fileName))
        #expect(report.format == format, sourceLocation: sourceLocation)
        return report
    }
}

extension VectorReport {
    /// The cipher suites of the entries that passed, in file order.
    var passedSuites: [UInt16] { entries.filter { $0.outcome == .passed }.compactMap(\.cipherSuite) }

    /// The cipher suites of the entries that were skipped, in file order.
    var skippedSuites: [UInt16] {
        entries.compactMap { entry in
            guard case .skipped = entry.outcome else { return nil }
            return entry.cipherSuite
        }
    }

    /// Records an issue unless the totals are exactly these, showing the failures if there are any; and checks that
    /// every skipped entry was skipped for its unsupported suite.
    func expectTotals(
        passed: Int,
        failed: Int = 0,
        skipped: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(failureLines.isEmpty, "\(failureLines.prefix(10))", sourceLocation: sourceLocation)
        #expect(passedCount == passed, sourceLocation: sourceLocation)
        #expect(failedCount == failed, sourceLocation: sourceLocation)
        #expect(skippedCount == skipped, sourceLocation: sourceLocation)
        for entry in entries {
            guard case .skipped(let reason) = entry.outcome else { continue }
            let suite = entry.cipherSuite.map { "\($0)" } ?? "none"
            #expect(reason == "unsupported cipher suite \(suite)", sourceLocation: sourceLocation)
            #expect(entry.cipherSuite.map { [1, 3].contains($0) } == false, sourceLocation: sourceLocation)
        }
    }
}
