import KalandraCBOR
import Testing

/// Random values from a seeded generator: encode, strict-decode, re-encode.
@Suite struct PropertyTests {
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func roundTripsThroughDeterministicEncoding(seed: UInt64) throws {
        var generator = RandomCBOR(seed: seed)
        var kindsSeen = Set<String>()
        for iteration in 0..<1_500 {
            let value = generator.value()
            kindsSeen.insert(Self.kind(of: value))
            let encoded = CBOREncoder.encode(value)
            let decoded: CBOR
            do {
                decoded = try TestSupport.strict.decode(encoded)
            } catch {
                Issue.record("seed \(seed) iteration \(iteration): strict decode failed: \(error)")
                continue
            }
            // CBOR's == treats all NaNs as equal and compares maps regardless of entry order.
            #expect(decoded == value, "seed \(seed) iteration \(iteration)")
            #expect(CBOREncoder.encode(decoded) == encoded, "seed \(seed) iteration \(iteration)")
            #expect(TestSupport.mapsAreSorted(decoded), "seed \(seed) iteration \(iteration)")
            // The lenient decoder agrees with the strict one on deterministic input.
            #expect(try TestSupport.lenient.decode(encoded) == decoded)
        }
        // Guards against a generator change that quietly stops producing some kinds.
        #expect(kindsSeen.count == 12, "kinds generated: \(kindsSeen.sorted())")
    }

    @Test func appendingEncoderLeavesExistingBytes() {
        var generator = RandomCBOR(seed: 99)
        for _ in 0..<200 {
            let value = generator.value()
            var buffer: [UInt8] = [0xde, 0xad]
            CBOREncoder.encode(value, into: &buffer)
            #expect(buffer == [0xde, 0xad] + CBOREncoder.encode(value))
        }
    }

    /// Equality is "same deterministic encoding": check both directions on random pairs, where most pairs differ
    /// and some are the same value with map entries shuffled.
    @Test func equalityMatchesEncodingEquality() {
        var generator = RandomCBOR(seed: 7, maximumDepth: 2)
        var random = SplitMix64(seed: 8)
        for _ in 0..<2_000 {
            let left = generator.value()
            let right = random.chance(1, in: 2) ? Self.shuffled(left, using: &random) : generator.value()
            #expect((left == right) == (CBOREncoder.encode(left) == CBOREncoder.encode(right)))
        }
    }

    private static func shuffled(_ value: CBOR, using random: inout SplitMix64) -> CBOR {
        switch value {
        case .map(var entries):
            for index in entries.indices.reversed() {
                entries.swapAt(index, random.below(index + 1))
            }
            return .map(entries.map { CBOR.MapEntry(key: $0.key, value: shuffled($0.value, using: &random)) })
        case .array(let elements):
            return .array(elements.map { shuffled($0, using: &random) })
        case .tagged(let tag, let content):
            return .tagged(tag, shuffled(content, using: &random))
        default:
            return value
        }
    }

    static func kind(of value: CBOR) -> String {
        switch value {
        case .unsignedInteger: return "unsigned"
        case .negativeInteger: return "negative"
        case .byteString: return "bytes"
        case .textString: return "text"
        case .array: return "array"
        case .map: return "map"
        case .tagged: return "tagged"
        case .simple: return "simple"
        case .boolean: return "boolean"
        case .null: return "null"
        case .undefined: return "undefined"
        case .float: return "float"
        }
    }
}
