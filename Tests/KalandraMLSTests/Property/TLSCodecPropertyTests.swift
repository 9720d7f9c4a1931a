import KalandraMLS
import PropertyBased
import Testing

/// Properties of the presentation-language codec (RFC 9420 §2.1): variable-length integers over their whole range,
/// opaque and nested vectors of random bytes, and the exact error for every truncation.
@Suite struct TLSCodecPropertyTests {
    /// Values spread over every magnitude: a bit count in 0...30, then that many random low bits.
    static let varintValue = zip(Gen.int(in: 0...30), Gen.uint32()).map { bits, raw in
        Int(raw) & ((1 << bits) - 1)
    }

    static let bytes = Gen.uint8().array(of: 0...80)

    @Test func varintRoundTripsInItsMinimalLength() async {
        await propertyCheck(count: 300, input: Self.varintValue) { value in
            var writer = TLSWriter()
            writer.writeVarint(value)
            let expectedCount = value < 1 << 6 ? 1 : value < 1 << 14 ? 2 : 4
            #expect(writer.bytes.count == expectedCount)
            var reader = TLSReader(writer.bytes)
            let decoded = try reader.readVarint()
            #expect(decoded == value)
            #expect(reader.isAtEnd)
        }
    }

    @Test func varintRoundTripsAtTheBoundaries() throws {
        for value in [0, 63, 64, 16_383, 16_384, TLSWriter.maximumVarint] {
            var writer = TLSWriter()
            writer.writeVarint(value)
            var reader = TLSReader(writer.bytes)
            let decoded = try reader.readVarint()
            #expect(decoded == value)
        }
    }

    /// Nothing above 2^30 - 1 can be written: its only possible form would start with the reserved prefix 0b11.
    @Test func varintWithPrefix3IsRefused() async {
        await propertyCheck(input: Gen.uint8(in: 0xC0...0xFF), Gen.uint8().array(of: 0...7)) { first, rest in
            var reader = TLSReader([first] + rest)
            expectError(.invalidVarintPrefix) { _ = try reader.readVarint() }
        }
    }

    /// A value written in a longer form than it needs is refused.
    @Test func nonMinimalVarintIsRefused() async {
        await propertyCheck(input: Gen.int(in: 0...((1 << 14) - 1)), Gen.bool) { value, useFourBytes in
            var writer = TLSWriter()
            if useFourBytes {
                writer.writeUInt32(0x8000_0000 | UInt32(value))
            } else {
                writer.writeUInt16(0x4000 | UInt16(value & 0x3FFF))
            }
            var reader = TLSReader(writer.bytes)
            if useFourBytes || value < 1 << 6 {
                expectError(.nonMinimalVarint) { _ = try reader.readVarint() }
            } else {
                let decoded = try reader.readVarint()
                #expect(decoded == value)
            }
        }
    }

    @Test func opaqueRoundTripsAndEveryTruncationIsReported() async {
        await propertyCheck(input: Self.bytes, Gen.int(in: 0...Int.max)) { bytes, cutSeed in
            var writer = TLSWriter()
            writer.writeOpaque(bytes)
            let encoded = writer.bytes
            var reader = TLSReader(encoded)
            let decoded = try reader.readOpaque()
            #expect(decoded == bytes)
            #expect(reader.isAtEnd)

            let cut = cutSeed % encoded.count
            var truncated = TLSReader(Array(encoded[..<cut]))
            expectError(.truncated(needed: Self.needed(encoded, cut: cut))) { _ = try truncated.readOpaque() }
        }
    }

    @Test func nestedVectorsRoundTripAndEveryTruncationIsReported() async {
        await propertyCheck(input: Self.bytes.array(of: 0...8), Gen.int(in: 0...Int.max)) { vectors, cutSeed in
            var writer = TLSWriter()
            writer.writeVector(vectors) { writer, inner in writer.writeOpaque(inner) }
            let encoded = writer.bytes
            let readInner = { (reader: inout TLSReader) throws(MLSError) -> [UInt8] in try reader.readOpaque() }
            var reader = TLSReader(encoded)
            let decoded = try reader.readVector(readInner)
            #expect(decoded == vectors)
            #expect(reader.isAtEnd)

            let cut = cutSeed % encoded.count
            var truncated = TLSReader(Array(encoded[..<cut]))
            expectError(.truncated(needed: Self.needed(encoded, cut: cut))) {
                _ = try truncated.readVector(readInner)
            }
        }
    }

    /// Extra bytes after a complete value are refused by `decode`.
    @Test func trailingBytesAreRefused() async {
        await propertyCheck(input: Self.bytes, Gen.uint8().array(of: 1...8)) { bytes, extra in
            let encoded = Certificate(bytes).encoded()
            let decoded = try Certificate.decode(encoded)
            #expect(decoded == Certificate(bytes))
            expectError(.trailingBytes(count: extra.count)) { _ = try Certificate.decode(encoded + extra) }
        }
    }

    /// How many more bytes the reader reports missing when a vector of `encoded` bytes (length prefix included) is
    /// cut to `cut` bytes: the first byte of the prefix, then the rest of the prefix, then the body.
    static func needed(_ encoded: [UInt8], cut: Int) -> Int {
        let prefixCount = 1 << Int(encoded[0] >> 6)
        if cut == 0 { return 1 }
        if cut < prefixCount { return prefixCount - cut }
        return encoded.count - cut
    }
}
