import ArgumentParser
import KalandraMLSVectors

/// Runs MLS working-group test-vector files given by path, recognising each file's format from its content, so that
/// vectors can be rerun without rebuilding the tests.
struct MLSVectors: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mls-vectors",
        abstract: "Run MLS test-vector files (RFC 9420 interop formats) and print what passed, failed and was skipped.",
        discussion: """
            Prints one line per file and a last line with the totals; exits 1 if any entry failed or a file could \
            not be read or recognised (such a file counts as one failure). Entries of cipher suites other than 1 \
            and 3 are skipped.
            """
    )

    /// At most this many failure messages are printed under a file.
    static let failureLinesShownMax = 10

    @Argument(help: "Vector files (JSON), e.g. tree-math.json.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one vector file") }
        guard files.count <= 10_000 else { throw ValidationError("at most 10000 files at a time") }
    }

    func run() throws {
        let width = files.map(\.count).max() ?? 0
        var passed = 0
        var failed = 0
        var skipped = 0
        for file in files {
            let name = padded(file, to: width)
            do {
                let report = try VectorRunner.run(fileAtPath: file)
                let format = padded(report.format.rawValue, to: formatWidth)
                print("\(name)  \(format)  \(report.totals)")
                printFailures(report.failureLines)
                passed += report.passedCount
                failed += report.failedCount
                skipped += report.skippedCount
            } catch {
                print("\(name)  error  \(error)")
                failed += 1
            }
        }
        print("\(passed) passed, \(failed) failed, \(skipped) skipped")
        if failed > 0 { throw ExitCode(1) }
    }

    /// The width of the longest format name, so the counts line up.
    private var formatWidth: Int { VectorFormat.allCases.map(\.rawValue.count).max() ?? 0 }

    private func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    private func printFailures(_ lines: [String]) {
        for line in lines.prefix(Self.failureLinesShownMax) {
            print("    \(line)")
        }
        if lines.count > Self.failureLinesShownMax {
            print("    ... and \(lines.count - Self.failureLinesShownMax) more failed entries")
        }
    }
}
