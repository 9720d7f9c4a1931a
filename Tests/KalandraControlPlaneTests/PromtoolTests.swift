import KalandraControlPlane
import Testing

/// `promtool check metrics` parses the exposition and lints it (names, `_total` on counters, HELP text, units).
@Suite struct PromtoolTests {
    @Test func exposedMetricsPassPromtool() throws {
        let metrics = try Fixture.metrics()
        metrics.connectionOpened()
        for opcode in Fixture.opcodes + ["unknownOpcode"] {
            metrics.frameReceived(opcode: opcode)
            metrics.frameSent(opcode: opcode)
        }
        metrics.commitAdmitted()
        for reason in Fixture.reasons + ["unknownReason"] { metrics.frameRejected(reason: reason) }
        metrics.recordSequencing(.microseconds(42))
        metrics.recordStorageWrite(.milliseconds(3))
        metrics.setFanoutQueueDepth(5)
        metrics.setLogEntries(100)
        metrics.setRooms(2)
        let exposition = metrics.exposition()

        let (status, output) = try Tools.run("promtool", ["check", "metrics"], input: exposition)
        #expect(status == 0, "promtool refused the exposition:\n\(output)\n---\n\(exposition)")
    }

    /// The control: promtool does fail, both on text that does not parse and on a lint problem.
    @Test func promtoolRefusesBrokenExpositions() throws {
        let unparsable = "# TYPE kalandra_rooms gauge\nkalandra_rooms{room=\"a\" 1\n"
        #expect(try Tools.run("promtool", ["check", "metrics"], input: unparsable).status != 0)
        let counterWithoutTotal =
            "# HELP kalandra_commits Commits.\n# TYPE kalandra_commits counter\nkalandra_commits 1\n"
        #expect(try Tools.run("promtool", ["check", "metrics"], input: counterWithoutTotal).status != 0)
    }
}

@Suite struct ToolsTests {
    /// A missing tool is an error that names the fix, so the tests that need it fail instead of skipping.
    @Test func aMissingToolFailsWithTheBootstrapHint() {
        let error = #expect(throws: Tools.Missing.self) { try Tools.locate("kalandra-no-such-tool") }
        #expect(error?.description.contains("run scripts/bootstrap") == true)
    }
}
