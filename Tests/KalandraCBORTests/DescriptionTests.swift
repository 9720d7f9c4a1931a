import KalandraCBOR
import Testing

@Suite struct DescriptionTests {
    @Test func printsDiagnosticNotation() {
        let value: CBOR = .map([
            CBOR.MapEntry(key: .textString("a\"b"), value: .array([.unsignedInteger(1), .negativeInteger(0)])),
            CBOR.MapEntry(key: .unsignedInteger(2), value: .byteString([0x01, 0xFF])),
            CBOR.MapEntry(key: .null, value: .tagged(24, .simple(16))),
            CBOR.MapEntry(key: .boolean(false), value: .float(1.5)),
            CBOR.MapEntry(key: .undefined, value: .negativeInteger(.max)),
        ])
        #expect(
            value.description
                == #"{"a\"b": [1, -1], 2: h'01ff', null: 24(simple(16)), false: 1.5, undefined: -18446744073709551616}"#
        )
        #expect(CBOR.float(.nan).description == "NaN")
        #expect(CBOR.float(-.infinity).description == "-Infinity")
        #expect(CBOR.textString("\u{1}\n").description == #""\u0001\n""#)
    }

    /// The test target's own diagnostic-notation parser reads back what `description` prints, for random values.
    @Test func randomValuesReadBack() throws {
        var random = RandomCBOR(seed: 2024)
        for _ in 0..<2_000 {
            let value = random.value()
            let parsed = try DiagnosticNotation.parse(value.description)
            #expect(parsed == value, "\(value.description)")
        }
    }
}
