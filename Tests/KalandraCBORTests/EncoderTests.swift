import KalandraCBOR
import Testing

@Suite struct EncoderTests {
    @Test func integerArgumentsUseTheShortestForm() {
        let cases: [(CBOR, String)] = [
            (0, "00"), (23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"), (65_535, "19ffff"),
            (65_536, "1a00010000"), (.unsignedInteger(0xffff_ffff), "1affffffff"),
            (.unsignedInteger(0x1_0000_0000), "1b0000000100000000"), (.unsignedInteger(.max), "1bffffffffffffffff"),
            (-1, "20"), (-24, "37"), (-25, "3818"), (-256, "38ff"), (-257, "390100"),
            (.integer(.min), "3b7fffffffffffffff"), (.negativeInteger(.max), "3bffffffffffffffff"),
            (.tagged(24, nil), "d818f6"), (.tagged(.max, 0), "dbffffffffffffffff00"),
        ]
        for (value, hex) in cases {
            #expect(TestSupport.hex(CBOREncoder.encode(value)) == hex, "\(value)")
        }
    }

    @Test func lengthsUseTheShortestForm() {
        #expect(CBOREncoder.encode(.byteString([UInt8](repeating: 7, count: 23))).prefix(1) == [0x57])
        #expect(CBOREncoder.encode(.byteString([UInt8](repeating: 7, count: 24))).prefix(2) == [0x58, 24])
        #expect(CBOREncoder.encode(.textString(String(repeating: "a", count: 256))).prefix(3) == [0x79, 0x01, 0x00])
        #expect(CBOREncoder.encode(.array([CBOR](repeating: 0, count: 65_536))).prefix(5) == [0x9a, 0, 1, 0, 0])
        #expect(CBOREncoder.encode(.textString("\u{e9}")) == [0x62, 0xc3, 0xa9])
        #expect(CBOREncoder.encode(.textString("e\u{301}")) == [0x63, 0x65, 0xcc, 0x81])
    }

    /// RFC 8949 §4.2.1 sorts keys by their encoded bytes; RFC 7049's canonical order sorted shorter keys first.
    @Test func mapKeysSortBytewiseNotLengthFirst() throws {
        let map: CBOR = [-1: "minus one", 24: "twenty-four"]
        // Length-first would put -1 (20) before 24 (18 18); bytewise puts 18 18 first.
        #expect(TestSupport.hex(CBOREncoder.encode(map)).hasPrefix("a21818"))
        let mixed: CBOR = [
            false: 0, [] as CBOR: 0, "a": 0, .byteString([]): 0, -1: 0, 10: 0, .tagged(1, 0): 0, 100: 0, "": 0,
        ]
        let encoded = CBOREncoder.encode(mixed)
        #expect(
            TestSupport.hex(encoded) == "a9" + "0a00" + "186400" + "2000" + "4000" + "6000" + "616100" + "8000"
                + "c10000" + "f400"
        )
        #expect(TestSupport.mapsAreSorted(try TestSupport.strict.decode(encoded)))
    }

    @Test func nestedMapsAreSortedToo() throws {
        let value: CBOR = [["z": 1, "y": 2], .tagged(5, ["b": ["d": 0, "c": 0], "a": 0])]
        let encoded = CBOREncoder.encode(value)
        #expect(TestSupport.hex(encoded) == "82" + "a2617902617a01" + "c5a2" + "616100" + "6162a2616300616400")
        #expect(try TestSupport.strict.decode(encoded) == value)
    }

    @Test func alreadySortedMapsAreWrittenAsIs() {
        let value: CBOR = [1: "a", 2: "b", 3: "c"]
        #expect(TestSupport.hex(CBOREncoder.encode(value)) == "a3016161026162036163")
    }

    /// The encoder keeps duplicate keys (it cannot fail); the decoder then rejects the bytes.
    @Test func duplicateKeysAreEncodedAndThenRejected() {
        let value = CBOR.map([.init(key: 1, value: "b"), .init(key: 2, value: 0), .init(key: 1, value: "a")])
        let encoded = CBOREncoder.encode(value)
        // Ties keep their constructed order, so the output is a function of the input.
        #expect(TestSupport.hex(encoded) == "a3016162016161" + "0200")
        #expect(TestSupport.decodingError(TestSupport.hex(encoded)) == .init(kind: .duplicateMapKey, offset: 4))
    }

    @Test func simpleValues() {
        #expect(CBOREncoder.encode(.simple(0)) == [0xe0])
        #expect(CBOREncoder.encode(.simple(19)) == [0xf3])
        #expect(CBOREncoder.encode(.simple(32)) == [0xf8, 0x20])
        #expect(CBOREncoder.encode(.simple(255)) == [0xf8, 0xff])
        // 20...23 are false, true, null and undefined.
        #expect(CBOREncoder.encode(.simple(20)) == CBOREncoder.encode(false))
        #expect(CBOREncoder.encode(.simple(23)) == CBOREncoder.encode(.undefined))
        // 24...31 have no well-formed encoding; the two-byte form the encoder writes is rejected.
        #expect(CBOREncoder.encode(.simple(24)) == [0xf8, 0x18])
        #expect(TestSupport.decodingError("f818") == .init(kind: .invalidSimpleValue, offset: 0))
        #expect(CBOREncoder.encode(true) == [0xf5])
        #expect(CBOREncoder.encode(nil) == [0xf6])
    }
}
