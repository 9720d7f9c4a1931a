import KalandraMLS
import Testing

/// deserialization.json: variable-length vector headers decode to their lengths.
@Suite struct DeserializationVectorTests {
    struct Vector: Decodable {
        @HexEncoded var vlbytesHeader: [UInt8]
        let length: Int
    }

    @Test func everyHeaderDecodesToItsLength() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "deserialization.json")
        for vector in vectors {
            var reader = TLSReader(vector.vlbytesHeader)
            #expect(try reader.readVarint() == vector.length)
            try reader.finish()
            var writer = TLSWriter()
            writer.writeVarint(vector.length)
            #expect(writer.bytes == vector.vlbytesHeader, "minimal re-encoding of \(vector.length)")
        }
        #expect(vectors.count == 14)
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
