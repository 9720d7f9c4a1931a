import Foundation
import KalandraCBOR
import Synchronization
import Testing

@Suite struct DecoderTests {
    @Test func defaultLimitsAndMode() {
        let limits = CBORDecoder.Limits.default
        #expect(limits.maximumDepth == 32)
        #expect(limits.maximumItemCount == 65_536)
        #expect(limits.maximumLength == 16 * 1024 * 1024)
        #expect(CBORDecoder().mode == .strict)
    }

    @Test func inputKinds() throws {
        let bytes: [UInt8] = [0xff, 0x82, 0x01, 0x20, 0xff]
        // Slice offsets count from the slice's first byte, not from the array's.
        #expect(try TestSupport.strict.decode(bytes[1..<4]) == [1, -1])
        #expect(throws: CBORDecodingError(kind: .trailingBytes(count: 1), offset: 3)) {
            try TestSupport.strict.decode(bytes[1...])
        }
        #expect(throws: CBORDecodingError(kind: .truncated(needed: 1), offset: 2)) {
            try TestSupport.strict.decode(bytes[1..<3])
        }
        let raw = try bytes[1..<4].withUnsafeBytes { buffer in try TestSupport.strict.decode(buffer) }
        #expect(raw == [1, -1])
        #expect(throws: CBORDecodingError(kind: .truncated(needed: 1), offset: 0)) {
            try TestSupport.strict.decode(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @Test func lenientAcceptsNonDeterministicForms() throws {
        let cases: [(String, CBOR)] = [
            ("1b0000000000000001", 1),
            ("3b0000000000000000", -1),
            ("5a00000002aabb", .byteString([0xaa, 0xbb])),
            ("9f 01 9f ff 5f ff 7f ff ff", [1, [], .byteString([]), ""]),
            ("5f 41aa 40 42bbcc ff", .byteString([0xaa, 0xbb, 0xcc])),
            ("7f 62c3bc 60 6161 ff", "üa"),
            ("bf 6162 01 6161 bf ff ff", ["b": 1, "a": [:]]),
            ("a2 02 00 01 00", [2: 0, 1: 0]),
            ("db0000000000000001 f6", .tagged(1, nil)),
            ("fa47c35000", 100_000.0),
            ("f820", .simple(32)),
            ("f3", .simple(19)),
        ]
        for (hex, expected) in cases {
            #expect(try TestSupport.lenient.decode(TestSupport.bytes(hex)) == expected, "\(hex)")
        }
    }

    /// Maps above the pairwise threshold find duplicates by sorting encoded keys; both paths must agree.
    @Test(arguments: [3, 16, 17, 40])
    func lenientDuplicateDetectionAtEverySize(entryCount: Int) throws {
        // Keys 0..<entryCount, each written in the non-shortest one-byte-argument form (18 xx).
        var bytes: [UInt8] = [0xb8, UInt8(entryCount)]
        for key in 0..<entryCount {
            bytes += [0x18, UInt8(key), 0xf6]
        }
        let decoded = try TestSupport.lenient.decode(bytes)
        #expect(decoded.mapValue?.count == entryCount)
        // Repeat key 1 as the last key, in its shortest form: the same data item as the earlier 18 01.
        var duplicated = bytes
        duplicated[1] = UInt8(entryCount + 1)
        let offset = duplicated.count
        duplicated += [0x01, 0xf6]
        #expect(throws: CBORDecodingError(kind: .duplicateMapKey, offset: offset)) {
            try TestSupport.lenient.decode(duplicated)
        }
        // Strings that are canonically equivalent but differ in bytes are different keys.
        let nfc = CBOR.textString("\u{e9}")
        let nfd = CBOR.textString("e\u{301}")
        let map = CBOREncoder.encode(.map([.init(key: nfc, value: 1), .init(key: nfd, value: 2)]))
        #expect(try TestSupport.lenient.decode(map).mapValue?.count == 2)
        #expect(try TestSupport.strict.decode(map).mapValue?.count == 2)
    }

    /// Two container keys that are the same map written in opposite orders: found through their encodings, without
    /// comparing the 10,000 entries of one with those of the other pairwise.
    @Test func lenientDuplicateContainerKeys() throws {
        let entries = (0..<10_000).map { CBOR.MapEntry(key: .integer(Int64($0)), value: nil) }
        let key = CBOREncoder.encode(.map(entries))
        // The same key written in reverse entry order (not deterministic, so lenient mode only).
        var reversedKey = Array(key.prefix(3))
        for entry in entries.reversed() {
            reversedKey += CBOREncoder.encode(entry.key) + [0xf6]
        }
        let bytes: [UInt8] = [0xa2] + key + [0x01] + reversedKey + [0x02]
        #expect(throws: CBORDecodingError(kind: .duplicateMapKey, offset: 1 + key.count + 1)) {
            try TestSupport.lenient.decode(bytes)
        }
        #expect(throws: CBORDecodingError(kind: .unsortedMapKeys, offset: 1 + key.count + 1 + 3 + 3 + 1)) {
            try TestSupport.strict.decode(bytes)
        }
    }

    /// Secondary threads on Darwin get 512 KiB of stack; decoding, encoding and comparing at the supported depth
    /// must fit in that even in a debug build, whose frames are the largest.
    @Test(arguments: [[0x81], [0xa1, 0x00], [0xc1], [0x9f]] as [[UInt8]])
    func supportedDepthFitsInASmallThreadStack(levelHeader: [UInt8]) throws {
        let depth = CBORDecoder.Limits.maximumSupportedDepth
        var bytes = Array([[UInt8]](repeating: levelHeader, count: depth).joined()) + [0x00]
        if levelHeader == [0x9f] {
            bytes += [UInt8](repeating: 0xff, count: depth)
        }
        let input = bytes
        let decoder = CBORDecoder(
            limits: .init(maximumDepth: depth, maximumItemCount: 10_000, maximumLength: 10),
            mode: .lenient
        )
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<(decoded: CBOR, encoded: [UInt8], selfEqual: Bool)?>(nil)
        let thread = Thread {
            if let decoded = try? decoder.decode(input) {
                let encoded = CBOREncoder.encode(decoded)
                outcome.withLock { $0 = (decoded, encoded, decoded == decoded) }
            }
            finished.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        finished.wait()
        let (decoded, encoded, selfEqual) = try #require(outcome.withLock { $0 })
        #expect(selfEqual)
        #expect(try CBORDecoder(limits: decoder.limits).decode(encoded) == decoded)
        let tooDeep = levelHeader + input
        #expect(throws: CBORDecodingError(kind: .depthLimitExceeded(limit: depth), offset: depth * levelHeader.count)) {
            try decoder.decode(tooDeep + (levelHeader == [0x9f] ? [0xff] : []))
        }
    }

    /// Random and mutated inputs never crash either mode, and the modes agree with the encoder: strict mode
    /// accepts exactly the inputs that are the deterministic encoding of what they decode to.
    @Test func arbitraryInputIsHandled() throws {
        var random = SplitMix64(seed: 31_337)
        var generator = RandomCBOR(seed: 31_338, maximumDepth: 3)
        var strictAccepted = 0
        var lenientAccepted = 0
        for iteration in 0..<20_000 {
            var bytes: [UInt8]
            if iteration % 4 == 0 {
                bytes = random.bytes(count: random.below(16))
            } else {
                bytes = CBOREncoder.encode(generator.value())
                for _ in 0..<(1 + random.below(3)) where !bytes.isEmpty {
                    switch random.below(4) {
                    case 0: bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
                    case 1: bytes.removeLast(random.below(min(bytes.count, 4)))
                    case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: random.below(bytes.count))
                    default: bytes[random.below(bytes.count)] ^= 1 << UInt8(random.below(8))
                    }
                }
            }
            let lenient = try? TestSupport.lenient.decode(bytes)
            let strict = try? TestSupport.strict.decode(bytes)
            if let lenient {
                lenientAccepted += 1
                let canonical = CBOREncoder.encode(lenient)
                #expect(try TestSupport.strict.decode(canonical) == lenient, "\(TestSupport.hex(bytes))")
                #expect((strict != nil) == (canonical == bytes), "\(TestSupport.hex(bytes))")
            } else {
                #expect(strict == nil, "strict accepted what lenient rejected: \(TestSupport.hex(bytes))")
            }
            if strict != nil {
                strictAccepted += 1
            }
        }
        // The mutations must leave enough valid inputs for the agreement checks to mean something.
        #expect(strictAccepted > 1_000)
        #expect(lenientAccepted > strictAccepted)
    }

    /// The decoder's own UTF-8 validation agrees with the standard library's on random byte sequences biased
    /// towards the interesting lead and continuation bytes, including long ASCII runs around them.
    @Test func utf8ValidationAgreesWithTheStandardLibrary() throws {
        var random = SplitMix64(seed: 65_001)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
            0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
        ]
        var invalidCount = 0
        for _ in 0..<50_000 {
            var text: [UInt8] = []
            for _ in 0..<random.below(6) {
                text.append(random.pick(interesting))
            }
            if random.chance(1, in: 4) {
                text.insert(
                    contentsOf: [UInt8](repeating: 0x61, count: random.below(20)),
                    at: random.below(text.count + 1)
                )
            }
            let valid = String(validating: text, as: UTF8.self) != nil
            var encoded = [0x60 | UInt8(text.count)]
            if text.count >= 24 {
                encoded = [0x78, UInt8(text.count)]
            }
            encoded += text
            do {
                let decoded = try TestSupport.strict.decode(encoded)
                #expect(valid, "accepted invalid UTF-8: \(TestSupport.hex(text))")
                #expect(decoded.textStringValue.map { Array($0.utf8) } == text)
            } catch {
                invalidCount += 1
                #expect(!valid, "rejected valid UTF-8: \(TestSupport.hex(text))")
                #expect(error.kind == .invalidUTF8)
                #expect(error.offset >= encoded.count - text.count && error.offset < encoded.count)
            }
        }
        #expect(invalidCount > 10_000 && invalidCount < 45_000)
    }

    @Test func errorDescriptions() {
        let error = CBORDecodingError(kind: .truncated(needed: 3), offset: 7)
        #expect(
            error.description
                == "CBOR decoding failed at byte offset 7: input ends 3 byte(s) short of a complete data item"
        )
        let kinds: [CBORDecodingError.Kind] = [
            .truncated(needed: 1), .trailingBytes(count: 2), .reservedAdditionalInformation(29),
            .invalidIndefiniteLength,
            .unexpectedBreak, .invalidUTF8, .invalidSimpleValue, .depthLimitExceeded(limit: 3),
            .itemCountLimitExceeded(limit: 4), .lengthLimitExceeded(length: 9, limit: 5), .duplicateMapKey,
            .nonShortestArgument, .indefiniteLengthInStrictMode, .unsortedMapKeys, .nonShortestFloat, .nonCanonicalNaN,
        ]
        let descriptions = Set(kinds.map(\.description))
        #expect(descriptions.count == kinds.count)
        #expect(CBORDecodingError.Kind.lengthLimitExceeded(length: 9, limit: 5).description.contains("9"))
        #expect(CBORDecodingError.Kind.reservedAdditionalInformation(29).description.contains("29"))
    }
}
