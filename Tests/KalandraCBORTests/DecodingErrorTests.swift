import KalandraCBOR
import Testing

/// One or more cases per error kind, each asserting the kind and the byte offset.
@Suite struct DecodingErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var hex: String
        var error: CBORDecodingError
        var testDescription: String { hex }

        init(_ hex: String, _ kind: CBORDecodingError.Kind, at offset: Int) {
            self.hex = hex
            self.error = CBORDecodingError(kind: kind, offset: offset)
        }
    }

    /// Errors of well-formedness and validity, which both modes report identically.
    static let bothModes: [Case] = [
        // The input ends early; `needed` is what the innermost incomplete item still lacks.
        Case("", .truncated(needed: 1), at: 0),
        Case("1a0001", .truncated(needed: 2), at: 0),
        Case("1bff", .truncated(needed: 7), at: 0),
        Case("18", .truncated(needed: 1), at: 0),
        Case("4361", .truncated(needed: 2), at: 0),
        Case("7a00010000", .truncated(needed: 65_536), at: 0),
        Case("830102", .truncated(needed: 1), at: 3),
        Case("a20102a1", .truncated(needed: 1), at: 4),
        Case("a101", .truncated(needed: 1), at: 2),
        Case("c1", .truncated(needed: 1), at: 1),
        Case("f900", .truncated(needed: 1), at: 0),
        Case("820143aabb", .truncated(needed: 1), at: 2),
        // More than one item.
        Case("010203", .trailingBytes(count: 2), at: 1),
        Case("8101ff", .trailingBytes(count: 1), at: 2),
        // Additional information 28...30 is reserved in every major type.
        Case("1c", .reservedAdditionalInformation(28), at: 0),
        Case("3d", .reservedAdditionalInformation(29), at: 0),
        Case("5e", .reservedAdditionalInformation(30), at: 0),
        Case("fc", .reservedAdditionalInformation(28), at: 0),
        Case("82011e", .reservedAdditionalInformation(30), at: 2),
        // Indefinite length on integers, tags and simple values is not well-formed.
        Case("1f", .invalidIndefiniteLength, at: 0),
        Case("3f", .invalidIndefiniteLength, at: 0),
        Case("df01", .invalidIndefiniteLength, at: 0),
        Case("8201 1f", .invalidIndefiniteLength, at: 2),
        // A break with nothing open.
        Case("ff", .unexpectedBreak, at: 0),
        Case("8201ff", .unexpectedBreak, at: 2),
        Case("a1ff", .unexpectedBreak, at: 1),
        Case("c1ff", .unexpectedBreak, at: 1),
        // UTF-8: reported at the first byte of the bad sequence.
        Case("62c328", .invalidUTF8, at: 1),
        Case("6261ff", .invalidUTF8, at: 2),
        Case("62c080", .invalidUTF8, at: 1),
        Case("6461eda080", .invalidUTF8, at: 2),
        Case("64f4908080", .invalidUTF8, at: 1),
        Case("6361e6b0", .invalidUTF8, at: 2),
        Case("8263616263 62 e6 b0", .invalidUTF8, at: 6),
        // Two-byte simple values below 32.
        Case("f800", .invalidSimpleValue, at: 0),
        Case("f818", .invalidSimpleValue, at: 0),
        Case("f81f", .invalidSimpleValue, at: 0),
        Case("81f813", .invalidSimpleValue, at: 1),
        // Duplicate keys, found on the later key.
        Case("a2 01 02 01 03", .duplicateMapKey, at: 3),
        Case("a2 6161 01 6161 02", .duplicateMapKey, at: 4),
        Case("81 a3 01 00 02 00 02 00", .duplicateMapKey, at: 6),
        Case("a2 f97e00 00 f97e00 01", .duplicateMapKey, at: 5),
    ]

    @Test(arguments: bothModes)
    func strictMode(_ testCase: Case) {
        #expect(TestSupport.decodingError(testCase.hex, with: TestSupport.strict) == testCase.error)
    }

    @Test(arguments: bothModes)
    func lenientMode(_ testCase: Case) {
        #expect(TestSupport.decodingError(testCase.hex, with: TestSupport.lenient) == testCase.error)
    }

    /// Errors that only lenient mode can reach, because strict mode stops at the indefinite length first.
    static let lenientOnly: [Case] = [
        Case("9f01", .truncated(needed: 1), at: 2),
        Case("5f4201", .truncated(needed: 1), at: 1),
        Case("bf01", .truncated(needed: 1), at: 2),
        Case("5f01ff", .invalidIndefiniteLength, at: 1),
        Case("5f6161ff", .invalidIndefiniteLength, at: 1),
        Case("7f4161ff", .invalidIndefiniteLength, at: 1),
        Case("5f5fffff", .invalidIndefiniteLength, at: 1),
        Case("bf01ff", .unexpectedBreak, at: 2),
        // A chunk that splits a code point is invalid even though the concatenation would be valid.
        Case("7f 6161 61c3 61bc ff", .invalidUTF8, at: 4),
        // Keys that differ in encoding but are the same data item.
        Case("a2 01 02 1801 03", .duplicateMapKey, at: 3),
        Case("a2 6161 01 7f6161ff 02", .duplicateMapKey, at: 4),
        Case("bf 01 02 01 03 ff", .duplicateMapKey, at: 3),
        Case("a2 f97e00 00 fa7fc00001 01", .duplicateMapKey, at: 5),
    ]

    @Test(arguments: lenientOnly)
    func lenientOnlyErrors(_ testCase: Case) {
        #expect(TestSupport.decodingError(testCase.hex, with: TestSupport.lenient) == testCase.error)
    }

    /// What strict mode rejects and lenient mode accepts, with the value lenient mode decodes.
    static let strictRejections: [(Case, CBOR)] = [
        (Case("1817", .nonShortestArgument, at: 0), 23),
        (Case("1900ff", .nonShortestArgument, at: 0), 255),
        (Case("1a0000ffff", .nonShortestArgument, at: 0), 65_535),
        (Case("1b00000000ffffffff", .nonShortestArgument, at: 0), 4_294_967_295),
        (Case("3800", .nonShortestArgument, at: 0), -1),
        (Case("5801aa", .nonShortestArgument, at: 0), .byteString([0xaa])),
        (Case("790001 61", .nonShortestArgument, at: 0), "a"),
        (Case("9800", .nonShortestArgument, at: 0), []),
        (Case("b800", .nonShortestArgument, at: 0), [:]),
        (Case("d80100", .nonShortestArgument, at: 0), .tagged(1, 0)),
        (Case("82 01 1805", .nonShortestArgument, at: 2), [1, 5]),
        (Case("5fff", .indefiniteLengthInStrictMode, at: 0), .byteString([])),
        (Case("7f6161ff", .indefiniteLengthInStrictMode, at: 0), "a"),
        (Case("9fff", .indefiniteLengthInStrictMode, at: 0), []),
        (Case("bfff", .indefiniteLengthInStrictMode, at: 0), [:]),
        (Case("c19f01ff", .indefiniteLengthInStrictMode, at: 1), .tagged(1, [1])),
        (Case("a2 02 00 01 00", .unsortedMapKeys, at: 3), [2: 0, 1: 0]),
        // RFC 7049's length-first order puts -1 (20) before 24 (1818); RFC 8949's bytewise order does not.
        (Case("a2 20 00 1818 00", .unsortedMapKeys, at: 3), [-1: 0, 24: 0]),
        (Case("a2 6162 00 6161 00", .unsortedMapKeys, at: 4), ["b": 0, "a": 0]),
        (Case("fa3f800000", .nonShortestFloat, at: 0), 1.0),
        (Case("fb3ff0000000000000", .nonShortestFloat, at: 0), 1.0),
        (Case("fb3ff8000000000000", .nonShortestFloat, at: 0), 1.5),
        (Case("fb47efffffe0000000", .nonShortestFloat, at: 0), .float(Double(Float.greatestFiniteMagnitude))),
        (Case("8201fa00000000", .nonShortestFloat, at: 2), [1, 0.0]),
        (Case("f97e01", .nonCanonicalNaN, at: 0), .float(.nan)),
        (Case("f9fe00", .nonCanonicalNaN, at: 0), .float(.nan)),
        (Case("fa7fc00000", .nonCanonicalNaN, at: 0), .float(.nan)),
        (Case("fb7ff8000000000000", .nonCanonicalNaN, at: 0), .float(.nan)),
    ]

    @Test func strictOnlyErrors() throws {
        for (testCase, value) in Self.strictRejections {
            #expect(
                TestSupport.decodingError(testCase.hex, with: TestSupport.strict) == testCase.error,
                "\(testCase.hex)"
            )
            #expect(try TestSupport.lenient.decode(TestSupport.bytes(testCase.hex)) == value, "\(testCase.hex)")
        }
    }

    @Test func depthLimit() throws {
        let decoder = CBORDecoder(limits: .init(maximumDepth: 2, maximumItemCount: 100, maximumLength: 100))
        #expect(try decoder.decode(TestSupport.bytes("818101")) == [[1]])
        #expect(
            TestSupport.decodingError("81818101", with: decoder)
                == .init(kind: .depthLimitExceeded(limit: 2), offset: 2)
        )
        // Tags and maps count as levels too.
        #expect(
            TestSupport.decodingError("c1c1c101", with: decoder)
                == .init(kind: .depthLimitExceeded(limit: 2), offset: 2)
        )
        #expect(
            TestSupport.decodingError("a101a101a0", with: decoder)
                == .init(kind: .depthLimitExceeded(limit: 2), offset: 4)
        )
        let flat = CBORDecoder(limits: .init(maximumDepth: 0, maximumItemCount: 100, maximumLength: 100))
        #expect(try flat.decode(TestSupport.bytes("01")) == 1)
        #expect(TestSupport.decodingError("80", with: flat) == .init(kind: .depthLimitExceeded(limit: 0), offset: 0))
    }

    @Test func defaultDepthLimitIs32() throws {
        let depth32 = [UInt8](repeating: 0x81, count: 32) + [0x01]
        _ = try TestSupport.strict.decode(depth32)
        let depth33 = [UInt8](repeating: 0x81, count: 33) + [0x01]
        #expect(throws: CBORDecodingError(kind: .depthLimitExceeded(limit: 32), offset: 32)) {
            try TestSupport.strict.decode(depth33)
        }
    }

    @Test func itemCountLimit() throws {
        let limits = CBORDecoder.Limits(maximumDepth: 8, maximumItemCount: 3, maximumLength: 100)
        let strict = CBORDecoder(limits: limits)
        let lenient = CBORDecoder(limits: limits, mode: .lenient)
        #expect(try strict.decode(TestSupport.bytes("820102")) == [1, 2])
        // A declared count that cannot fit is rejected at the container, before its elements are read.
        #expect(
            TestSupport.decodingError("83010203", with: strict)
                == .init(kind: .itemCountLimitExceeded(limit: 3), offset: 0)
        )
        #expect(
            TestSupport.decodingError("a2010203 04", with: strict)
                == .init(kind: .itemCountLimitExceeded(limit: 3), offset: 0)
        )
        #expect(
            TestSupport.decodingError("8181 8101", with: strict)
                == .init(kind: .itemCountLimitExceeded(limit: 3), offset: 2)
        )
        #expect(
            TestSupport.decodingError("9f010203ff", with: lenient)
                == .init(kind: .itemCountLimitExceeded(limit: 3), offset: 3)
        )
        // String chunks count as items.
        #expect(
            TestSupport.decodingError("5f 41aa 41bb 41cc ff", with: lenient)
                == .init(kind: .itemCountLimitExceeded(limit: 3), offset: 5)
        )
        // The default allows 65,536 items in all, so an array declaring 65,536 elements (65,537 items) fails early.
        #expect(
            TestSupport.decodingError("9a00010000") == .init(kind: .itemCountLimitExceeded(limit: 65_536), offset: 0)
        )
    }

    @Test func lengthLimit() throws {
        let limits = CBORDecoder.Limits(maximumDepth: 8, maximumItemCount: 100, maximumLength: 4)
        let strict = CBORDecoder(limits: limits)
        let lenient = CBORDecoder(limits: limits, mode: .lenient)
        #expect(try strict.decode(TestSupport.bytes("4401020304")) == .byteString([1, 2, 3, 4]))
        #expect(
            TestSupport.decodingError("450102030405", with: strict)
                == .init(kind: .lengthLimitExceeded(length: 5, limit: 4), offset: 0)
        )
        #expect(
            TestSupport.decodingError("6568656c6c6f", with: strict)
                == .init(kind: .lengthLimitExceeded(length: 5, limit: 4), offset: 0)
        )
        #expect(
            TestSupport.decodingError("850102030405", with: strict)
                == .init(kind: .lengthLimitExceeded(length: 5, limit: 4), offset: 0)
        )
        #expect(
            TestSupport.decodingError("a5", with: strict)
                == .init(kind: .lengthLimitExceeded(length: 5, limit: 4), offset: 0)
        )
        // Indefinite lengths are limited by their running total.
        #expect(
            TestSupport.decodingError("5f 43010203 420405 ff", with: lenient)
                == .init(kind: .lengthLimitExceeded(length: 5, limit: 4), offset: 5)
        )
        #expect(
            TestSupport.decodingError("9f 01 02 03 04 05 ff", with: lenient)
                == .init(kind: .lengthLimitExceeded(length: 5, limit: 4), offset: 5)
        )
        #expect(
            TestSupport.decodingError("bf 01 00 02 00 03 00 04 00 05 00 ff", with: lenient)
                == .init(kind: .lengthLimitExceeded(length: 5, limit: 4), offset: 9)
        )
        // A 64-bit length is reported whole, without converting it to Int.
        #expect(
            TestSupport.decodingError("5bffffffffffffffff")
                == .init(kind: .lengthLimitExceeded(length: .max, limit: 16 << 20), offset: 0)
        )
        #expect(
            TestSupport.decodingError("9bffffffffffffffff")
                == .init(kind: .lengthLimitExceeded(length: .max, limit: 16 << 20), offset: 0)
        )
        let huge = CBORDecoder(
            limits: .init(maximumDepth: 8, maximumItemCount: .max, maximumLength: .max),
            mode: .lenient
        )
        #expect(
            TestSupport.decodingError("5b7fffffffffffffff", with: huge)
                == .init(kind: .truncated(needed: .max), offset: 0)
        )
        #expect(
            TestSupport.decodingError("5f 5b7fffffffffffffff ff", with: huge)
                == .init(kind: .truncated(needed: .max - 1), offset: 1)
        )
        #expect(
            TestSupport.decodingError("5f 4100 5bffffffffffffffff", with: huge)
                == .init(kind: .lengthLimitExceeded(length: .max, limit: .max), offset: 3)
        )
        // A huge declared count reserves no more than the input could hold, then runs out of input.
        #expect(
            TestSupport.decodingError("9b0fffffffffffffff01", with: huge)
                == .init(kind: .truncated(needed: 1), offset: 10)
        )
        #expect(
            TestSupport.decodingError("bb0fffffffffffffff0102", with: huge)
                == .init(kind: .truncated(needed: 1), offset: 11)
        )
    }
}
