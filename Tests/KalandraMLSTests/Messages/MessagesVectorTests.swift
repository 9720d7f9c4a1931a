import KalandraMLSVectors
import Testing

/// messages.json through the KalandraMLSVectors runner: every field of every entry decodes with its RFC 9420 struct,
/// is the kind its name says, and re-encodes to the same bytes. The entry type and fields are the runner's, shared
/// with the malformed-input and struct tests.
@Suite struct MessagesVectorTests {
    /// One entry of messages.json: 17 serialised structs.
    typealias Vector = MessagesVectorEntry

    static let entryCount = 300

    /// The 17 fields and their decoders.
    static var fields: [MessagesVectors.Field] { MessagesVectors.fields }

    static func loadVectors() throws -> [Vector] {
        try VectorLoader.load([Vector].self, from: "messages.json")
    }

    @Test func everyFieldOfEveryEntryRoundTripsByteForByte() throws {
        let report = try VectorLoader.run("messages.json", as: .messages)
        report.expectTotals(passed: Self.entryCount, skipped: 0)
        #expect(Self.fields.count == 17)
        #expect(report.itemCount == Self.entryCount * 17)
    }
}
