import KalandraMLS

/// deserialization.json: each variable-length vector header decodes to its length, with nothing left over, and the
/// length re-encodes minimally to the same header.
enum DeserializationRunner: EntryRunner {
    struct Entry: Decodable {
        @HexBytes var vlbytesHeader: [UInt8]
        let length: Int
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { nil }

    static func summary(of entry: Entry) -> String? { "length \(entry.length)" }

    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        var reader = TLSReader(entry.vlbytesHeader)
        let length = try step("vlbytes_header") { try reader.readVarint() }
        check.expectEqual(length, entry.length, "length decoded from vlbytes_header")
        try step("vlbytes_header has trailing bytes") { try reader.finish() }
        var writer = TLSWriter()
        writer.writeVarint(entry.length)
        check.expectEqual(writer.bytes, entry.vlbytesHeader, "vlbytes_header (minimal re-encoding of length)")
        return 1
    }
}
