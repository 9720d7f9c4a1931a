import KalandraCBOR
import Testing

/// Float widths and NaN handling, checked against conversions written independently in `HalfPrecision`.
@Suite struct FloatTests {
    /// Every one of the 65,536 half-precision bit patterns.
    @Test func everyHalfPrecisionValue() throws {
        for bits in 0...UInt16.max {
            let bytes: [UInt8] = [0xf9, UInt8(bits >> 8), UInt8(bits & 0xff)]
            let expected = HalfPrecision.value(ofBits: bits)
            let decoded = try #require(try TestSupport.lenient.decode(bytes).floatValue)
            if expected.isNaN {
                #expect(decoded.isNaN)
                #expect(CBOREncoder.encode(.float(decoded)) == [0xf9, 0x7e, 0x00])
                let strictError = TestSupport.decodingError(TestSupport.hex(bytes))
                #expect(strictError == (bits == 0x7e00 ? nil : CBORDecodingError(kind: .nonCanonicalNaN, offset: 0)))
            } else {
                #expect(decoded.bitPattern == expected.bitPattern, "f9 \(bits)")
                #expect(CBOREncoder.encode(.float(expected)) == bytes, "f9 \(bits)")
                #expect(try TestSupport.strict.decode(bytes) == .float(expected))
            }
        }
    }

    /// Random single and double bit patterns use the narrowest width that holds them, and strict mode rejects the
    /// wider forms.
    @Test func widthSelection() throws {
        var random = SplitMix64(seed: 11)
        for iteration in 0..<20_000 {
            let value: Double
            switch iteration % 3 {
            case 0: value = Double(Float(bitPattern: UInt32(truncatingIfNeeded: random.next())))
            case 1: value = Double(bitPattern: random.next())
            default: value = HalfPrecision.value(ofBits: UInt16(truncatingIfNeeded: random.next()))
            }
            let encoded = CBOREncoder.encode(.float(value))
            if value.isNaN {
                #expect(encoded == [0xf9, 0x7e, 0x00])
                continue
            }
            let expectedWidth: UInt8
            if HalfPrecision.bitsByDoubleBits[value.bitPattern] != nil {
                expectedWidth = 0xf9
            } else if Double(Float(value)) == value {
                expectedWidth = 0xfa
            } else {
                expectedWidth = 0xfb
            }
            #expect(encoded.first == expectedWidth, "\(value)")
            #expect(try TestSupport.strict.decode(encoded) == .float(value))
            // The same value written one width wider is not deterministic.
            if expectedWidth == 0xf9 {
                let single = Float(value).bitPattern
                let wider: [UInt8] = [0xfa] + (0..<4).map { UInt8(truncatingIfNeeded: single >> (24 - 8 * $0)) }
                #expect(TestSupport.decodingError(TestSupport.hex(wider)) == .init(kind: .nonShortestFloat, offset: 0))
                #expect(try TestSupport.lenient.decode(wider) == .float(value))
            } else if expectedWidth == 0xfa {
                let wider: [UInt8] =
                    [0xfb] + (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (56 - 8 * UInt64($0))) }
                #expect(TestSupport.decodingError(TestSupport.hex(wider)) == .init(kind: .nonShortestFloat, offset: 0))
                #expect(try TestSupport.lenient.decode(wider) == .float(value))
            }
        }
    }

    @Test func knownWidths() {
        let cases: [(Double, String)] = [
            (0.0, "f90000"), (-0.0, "f98000"), (1.0, "f93c00"), (65_504, "f97bff"), (65_505, "fa477fe100"),
            (5.960464477539063e-08, "f90001"), (6.097555160522461e-05, "f903ff"),
            (2.9802322387695312e-08, "fa33000000"),
            (100_000, "fa47c35000"), (1.1, "fb3ff199999999999a"), (.infinity, "f97c00"), (-.infinity, "f9fc00"),
            (.nan, "f97e00"), (-.nan, "f97e00"), (Double(bitPattern: 0x7ff0_0000_0000_0001), "f97e00"),
            (.leastNonzeroMagnitude, "fb0000000000000001"), (Double(Float.leastNonzeroMagnitude), "fa00000001"),
        ]
        for (value, hex) in cases {
            #expect(TestSupport.hex(CBOREncoder.encode(.float(value))) == hex, "\(value)")
        }
    }

    @Test func nanPayloadsAreAcceptedLenientlyAndRejectedStrictly() throws {
        for hex in [
            "f97e01", "f9fe00", "f97c01", "fa7fc00001", "faffc00000", "fb7ff8000000000001", "fb7ff0000000000001",
        ] {
            let decoded = try TestSupport.lenient.decode(TestSupport.bytes(hex))
            #expect(decoded.floatValue?.isNaN == true, "\(hex)")
            #expect(TestSupport.decodingError(hex) == .init(kind: .nonCanonicalNaN, offset: 0), "\(hex)")
        }
    }
}
