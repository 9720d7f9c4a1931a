import KalandraCrypto
import KalandraMLS
import Testing

/// The TLS presentation-language codec: round trips, and every way input can be wrong.
@Suite struct TLSCodecTests {
    /// A struct using every kind of field the codec reads.
    struct Sample: TLSCodable, Equatable {
        var small: UInt8
        var medium: UInt16
        var large: UInt32
        var huge: UInt64
        var opaque: [UInt8]
        var list: [UInt16]
        var maybe: UInt32?
        var absent: UInt32?
        var fixed: [UInt8]

        init(from reader: inout TLSReader) throws(MLSError) {
            small = try reader.readUInt8()
            medium = try reader.readUInt16()
            large = try reader.readUInt32()
            huge = try reader.readUInt64()
            opaque = try reader.readOpaque()
            list = try reader.readVector(of: UInt16.self)
            maybe = try reader.readOptional(of: UInt32.self)
            absent = try reader.readOptional(of: UInt32.self)
            fixed = try reader.readFixed(count: 3)
        }

        init() {
            small = 0xAB
            medium = 0x1234
            large = 0xDEAD_BEEF
            huge = 0x0102_0304_0506_0708
            opaque = Array(0..<70)
            list = [1, 2, 0xFFFF]
            maybe = 7
            absent = nil
            fixed = [9, 9, 9]
        }

        func encode(to writer: inout TLSWriter) {
            writer.writeUInt8(small)
            writer.writeUInt16(medium)
            writer.writeUInt32(large)
            writer.writeUInt64(huge)
            writer.writeOpaque(opaque)
            writer.writeVector(list)
            writer.writeOptional(maybe)
            writer.writeOptional(absent)
            writer.writeFixed(fixed)
        }
    }

    @Test func roundTripIsExact() throws {
        let sample = Sample()
        let bytes = sample.encoded()
        #expect(Array(bytes.prefix(15)) == [0xAB, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(bytes[15..<17]) == [0x40, 70], "a 70-byte vector has a 2-byte length")
        #expect(try Sample.decode(bytes) == sample)
    }

    @Test func truncationAtEveryByteIsRefused() {
        let bytes = Sample().encoded()
        for length in 0..<bytes.count {
            do {
                _ = try Sample.decode(Array(bytes.prefix(length)))
                Issue.record("a \(length)-byte prefix decoded")
            } catch {
                guard case .truncated(let needed) = error.kind, needed > 0 else {
                    Issue.record("prefix of \(length) bytes: \(error)")
                    continue
                }
            }
        }
    }

    @Test func trailingBytesAreRefused() {
        expectError(.trailingBytes(count: 2)) { _ = try Sample.decode(Sample().encoded() + [0, 0]) }
        expectError(.trailingBytes(count: 1)) { _ = try UInt16.decode([1, 2, 3]) }
    }

    @Test func varintBoundaries() throws {
        let cases: [(Int, [UInt8])] = [
            (0, [0x00]), (37, [0x25]), (63, [0x3F]), (64, [0x40, 0x40]), (15293, [0x7B, 0xBD]),
            (16383, [0x7F, 0xFF]), (16384, [0x80, 0x00, 0x40, 0x00]), (494_878_333, [0x9D, 0x7F, 0x3E, 0x7D]),
            (TLSWriter.maximumVarint, [0xBF, 0xFF, 0xFF, 0xFF]),
        ]
        for (value, encoding) in cases {
            var writer = TLSWriter()
            writer.writeVarint(value)
            #expect(writer.bytes == encoding)
            var reader = TLSReader(encoding)
            #expect(try reader.readVarint() == value)
            #expect(reader.isAtEnd)
        }
        var reader = TLSReader([0x80, 0x00, 0x40])
        expectError(.truncated(needed: 1)) { _ = try reader.readVarint() }
        var empty = TLSReader([])
        expectError(.truncated(needed: 1)) { _ = try empty.readVarint() }
    }

    @Test func lengthsAreCheckedBeforeAllocating() {
        // A declared length of 2^30 - 1 with nothing behind it: refused by the limit, not by running out of memory.
        expectError(.lengthLimitExceeded(length: TLSWriter.maximumVarint, limit: 16 << 20)) {
            var reader = TLSReader([0xBF, 0xFF, 0xFF, 0xFF])
            _ = try reader.readOpaque()
        }
        // Within the limit but beyond the input.
        expectError(.truncated(needed: 16_381)) {
            var reader = TLSReader([0x7F, 0xFF, 1, 2])
            _ = try reader.readOpaque()
        }
        let tight = TLSLimits(maximumVectorBytes: 4, maximumNestingDepth: 2, maximumElementCount: 2)
        expectError(.lengthLimitExceeded(length: 5, limit: 4)) {
            var reader = TLSReader([5, 1, 2, 3, 4, 5], limits: tight)
            _ = try reader.readOpaqueSecret()
        }
        expectError(.elementCountExceeded(limit: 2)) {
            var reader = TLSReader([3, 1, 2, 3], limits: tight)
            _ = try reader.readVector(of: UInt8.self)
        }
        // Vectors of vectors of vectors: depth 3 against a limit of 2.
        expectError(.nestingTooDeep(limit: 2)) {
            var reader = TLSReader([3, 2, 1, 0], limits: tight)
            _ = try reader.readVector { (outer: inout TLSReader) throws(MLSError) in
                try outer.readVector { (inner: inout TLSReader) throws(MLSError) in try inner.readVector(of: UInt8.self)
                }
            }
        }
        #expect(TLSLimits.default.maximumVectorBytes == 16 << 20)
    }

    @Test func vectorElementsMustFillTheVectorExactly() throws {
        // Three bytes cannot hold whole uint16 elements: the second element runs past the vector's end.
        expectError(.truncated(needed: 1)) {
            var reader = TLSReader([3, 0, 1, 0, 2])
            _ = try reader.readVector(of: UInt16.self)
        }
        // An element that reads nothing would loop forever.
        expectError(.invalidValue("vector element consumed no bytes")) {
            var reader = TLSReader([1, 0])
            _ = try reader.readVector { (_: inout TLSReader) throws(MLSError) in 0 }
        }
        // After a vector, reading resumes at the outer level.
        var reader = TLSReader([2, 0, 5, 9])
        #expect(try reader.readVector(of: UInt16.self) == [5])
        #expect(try reader.readUInt8() == 9)
        try reader.finish()
        var emptyVector = TLSReader([0])
        #expect(try emptyVector.readVector(of: UInt64.self).isEmpty)
    }

    @Test func optionalsAndFixedFieldsAreChecked() {
        expectError(.invalidValue("optional presence byte 2")) {
            var reader = TLSReader([2, 0])
            _ = try reader.readOptional(of: UInt8.self)
        }
        expectError(.invalidValue("negative fixed length -1")) {
            var reader = TLSReader([1])
            _ = try reader.readFixed(count: -1)
        }
        expectError(.truncated(needed: 2)) {
            var reader = TLSReader([1])
            _ = try reader.readFixed(count: 3)
        }
        expectError(.truncated(needed: 7)) { _ = try UInt64.decode([1]) }
    }

    @Test func secretsAndKeysRoundTrip() throws {
        var writer = TLSWriter()
        writer.writeOpaque(SecretBytes(copying: [1, 2, 3]))
        var reader = TLSReader(writer.bytes)
        #expect(try reader.readOpaqueSecret() == SecretBytes(copying: [1, 2, 3]))

        let ciphertext = HPKECiphertext(kemOutput: [1, 2], ciphertext: [3])
        #expect(ciphertext.encoded() == [2, 1, 2, 1, 3])
        #expect(try HPKECiphertext.decode(ciphertext.encoded()) == ciphertext)
        #expect(try HPKEPublicKey.decode([2, 7, 8]) == HPKEPublicKey([7, 8]))
        #expect(HPKEPublicKey([7]).encoded() == [1, 7])
        #expect(try SignaturePublicKey.decode([1, 5]) == SignaturePublicKey([5]))
        #expect(SignaturePublicKey([5]).encoded() == [1, 5])
        #expect(try UInt8.decode([4]) == 4 && UInt8(4).encoded() == [4])
        #expect(UInt32(1).encoded() == [0, 0, 0, 1] && UInt64(1).encoded().count == 8)
    }

    @Test func errorsDescribeThemselves() {
        let kinds: [MLSError.Kind] = [
            .truncated(needed: 2), .nonMinimalVarint, .invalidVarintPrefix, .trailingBytes(count: 1),
            .lengthLimitExceeded(length: 9, limit: 8), .nestingTooDeep(limit: 3), .elementCountExceeded(limit: 4),
            .invalidValue("x"), .unsupportedCipherSuite(9), .invalidKey("y"), .signatureInvalid, .decryptionFailed,
        ]
        let descriptions = Set(kinds.map { MLSError($0).description })
        #expect(descriptions.count == kinds.count)
        #expect(MLSError(.nonMinimalVarint, context: "at byte 4").description.hasSuffix("(at byte 4)"))
        #expect(!MLSError(.nonMinimalVarint).description.contains("("))
    }
}
