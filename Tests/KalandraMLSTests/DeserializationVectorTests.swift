import KalandraMLS
import KalandraMLSVectors
import Testing

/// deserialization.json through the KalandraMLSVectors runner: variable-length vector headers decode to their
/// lengths and re-encode minimally; and the non-minimal and 0b11-prefixed headers the file lacks are refused.
@Suite struct DeserializationVectorTests {
    @Test func everyHeaderDecodesToItsLength() throws {
        let report = try VectorLoader.run("deserialization.json", as: .deserialization)
        report.expectTotals(passed: 14, skipped: 0)
        #expect(report.itemCount == 14)
    }

    @Test(arguments: [
        [0x40, 0x00], [0x40, 0x3F], [0x80, 0x00, 0x00, 0x00], [0x80, 0x00, 0x3F, 0xFF], [0x80, 0x00, 0x00, 0x3F],
    ])
    func nonMinimalEncodingsAreRejected(_ bytes: [UInt8]) {
        var reader = TLSReader(bytes)
        expectError(.nonMinimalVarint) { _ = try reader.readVarint() }
    }

    @Test(arguments: [
        [0xC0], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40],
    ])
    func prefix11IsRejected(_ bytes: [UInt8]) {
        var reader = TLSReader(bytes)
        expectError(.invalidVarintPrefix) { _ = try reader.readVarint() }
    }
}
