import Foundation
import KalandraCBOR
import Testing

/// Every example of RFC 8949 Appendix A, read from Resources/rfc8949-appendix-a.json (see Resources/SOURCE.md).
@Suite struct AppendixATests {
    struct Example: CustomTestStringConvertible, Sendable {
        var hex: String
        var base64: String
        var roundtrip: Bool
        var expected: CBOR
        var testDescription: String { hex }
    }

    /// The examples that are not in deterministic encoding, and the error strict mode must report for each.
    static let strictRejections: [String: CBORDecodingError] = [
        // Floats that have a shorter exact form, and NaNs other than f97e00.
        "fa7f800000": .init(kind: .nonShortestFloat, offset: 0),
        "fa7fc00000": .init(kind: .nonCanonicalNaN, offset: 0),
        "faff800000": .init(kind: .nonShortestFloat, offset: 0),
        "fb7ff0000000000000": .init(kind: .nonShortestFloat, offset: 0),
        "fb7ff8000000000000": .init(kind: .nonCanonicalNaN, offset: 0),
        "fbfff0000000000000": .init(kind: .nonShortestFloat, offset: 0),
        // Indefinite lengths, reported at the first indefinite-length header.
        "5f42010243030405ff": .init(kind: .indefiniteLengthInStrictMode, offset: 0),
        "7f657374726561646d696e67ff": .init(kind: .indefiniteLengthInStrictMode, offset: 0),
        "9fff": .init(kind: .indefiniteLengthInStrictMode, offset: 0),
        "9f018202039f0405ffff": .init(kind: .indefiniteLengthInStrictMode, offset: 0),
        "9f01820203820405ff": .init(kind: .indefiniteLengthInStrictMode, offset: 0),
        "83018202039f0405ff": .init(kind: .indefiniteLengthInStrictMode, offset: 5),
        "83019f0203ff820405": .init(kind: .indefiniteLengthInStrictMode, offset: 2),
        "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff": .init(
            kind: .indefiniteLengthInStrictMode,
            offset: 0
        ),
        "bf61610161629f0203ffff": .init(kind: .indefiniteLengthInStrictMode, offset: 0),
        "826161bf61626163ff": .init(kind: .indefiniteLengthInStrictMode, offset: 3),
        "bf6346756ef563416d7421ff": .init(kind: .indefiniteLengthInStrictMode, offset: 0),
    ]

    /// RFC 7049's table listed f818 as simple(24); RFC 8949 §3.3 makes it not well-formed, in every mode.
    static let notWellFormed: [String: CBORDecodingError] = [
        "f818": .init(kind: .invalidSimpleValue, offset: 0)
    ]

    static let examples: [Example] = {
        do {
            let url = TestSupport.resourcesDirectory.appendingPathComponent("rfc8949-appendix-a.json")
            let json = try DiagnosticNotation.parse(String(contentsOf: url, encoding: .utf8))
            return try (json.arrayValue ?? []).map { entry in
                let expected: CBOR
                if let decoded = entry["decoded"] {
                    expected = decoded
                } else {
                    expected = try DiagnosticNotation.parse(entry["diagnostic"]?.textStringValue ?? "")
                }
                return Example(
                    hex: entry["hex"]?.textStringValue ?? "",
                    base64: entry["cbor"]?.textStringValue ?? "",
                    roundtrip: entry["roundtrip"]?.boolValue ?? false,
                    expected: expected
                )
            }
        } catch {
            Issue.record("cannot read the Appendix A examples: \(error)")
            return []
        }
    }()

    @Test func tableIsComplete() {
        #expect(Self.examples.count == 82)
        let hexes = Set(Self.examples.map(\.hex))
        // Every exception listed above must name a real example, so the lists cannot go stale.
        for hex in Self.strictRejections.keys {
            #expect(hexes.contains(hex), "\(hex) is not an Appendix A example")
        }
        for hex in Self.notWellFormed.keys {
            #expect(hexes.contains(hex), "\(hex) is not an Appendix A example")
        }
        // Upstream's roundtrip=false examples are all non-deterministic (the converse does not hold: see SOURCE.md).
        for example in Self.examples where !example.roundtrip {
            #expect(Self.strictRejections[example.hex] != nil, "\(example.hex) is not in strictRejections")
        }
    }

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        let bytes = TestSupport.bytes(example.hex)
        #expect(Data(base64Encoded: example.base64).map(Array.init) == bytes, "base64 and hex disagree")

        if let error = Self.notWellFormed[example.hex] {
            #expect(TestSupport.decodingError(example.hex, with: TestSupport.lenient) == error)
            #expect(TestSupport.decodingError(example.hex, with: TestSupport.strict) == error)
            return
        }

        let decoded = try TestSupport.lenient.decode(bytes)
        #expect(decoded == example.expected)
        let reencoded = CBOREncoder.encode(decoded)

        if let error = Self.strictRejections[example.hex] {
            #expect(reencoded != bytes, "listed as non-deterministic but re-encodes to the same bytes")
            #expect(TestSupport.decodingError(example.hex, with: TestSupport.strict) == error)
            // Its deterministic form is accepted and means the same value.
            #expect(try TestSupport.strict.decode(reencoded) == example.expected)
        } else {
            #expect(TestSupport.hex(reencoded) == example.hex)
            #expect(CBOREncoder.encode(example.expected) == bytes)
            #expect(try TestSupport.strict.decode(bytes) == example.expected)
        }
    }

    /// The values that JSON cannot carry are checked against explicit Swift values too, so the diagnostic-notation
    /// parser is not the only judge of them.
    @Test func nonJSONExamplesMatchExplicitValues() throws {
        let explicit: [String: CBOR] = [
            "c249010000000000000000": .tagged(2, .byteString([1, 0, 0, 0, 0, 0, 0, 0, 0])),
            "3bffffffffffffffff": .negativeInteger(.max),
            "c349010000000000000000": .tagged(3, .byteString([1, 0, 0, 0, 0, 0, 0, 0, 0])),
            "f97c00": .float(.infinity),
            "f9fc00": .float(-.infinity),
            "f97e00": .float(.nan),
            "f7": .undefined,
            "f0": .simple(16),
            "f8ff": .simple(255),
            "c074323031332d30332d32315432303a30343a30305a": .tagged(0, "2013-03-21T20:04:00Z"),
            "c11a514b67b0": .tagged(1, 1_363_896_240),
            "c1fb41d452d9ec200000": .tagged(1, .float(1_363_896_240.5)),
            "d74401020304": .tagged(23, .byteString([1, 2, 3, 4])),
            "d818456449455446": .tagged(24, .byteString([0x64, 0x49, 0x45, 0x54, 0x46])),
            "d82076687474703a2f2f7777772e6578616d706c652e636f6d": .tagged(32, "http://www.example.com"),
            "40": .byteString([]),
            "4401020304": .byteString([1, 2, 3, 4]),
            "a201020304": [1: 2, 3: 4],
            "5f42010243030405ff": .byteString([1, 2, 3, 4, 5]),
            "7f657374726561646d696e67ff": "streaming",
            "bf6346756ef563416d7421ff": ["Fun": true, "Amt": -2],
        ]
        for (hex, value) in explicit {
            let example = try #require(Self.examples.first { $0.hex == hex }, "\(hex) missing")
            #expect(example.expected == value, "\(hex)")
            #expect(try TestSupport.lenient.decode(TestSupport.bytes(hex)) == value, "\(hex)")
        }
    }
}
