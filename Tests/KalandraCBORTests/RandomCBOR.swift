import KalandraCBOR

/// Generates random `CBOR` values of every kind from a seeded `SplitMix64`, nested to a bounded depth.
struct RandomCBOR {
    /// What kinds of values to generate.
    enum Profile {
        /// Everything the data model holds.
        case everything
        /// What survives a trip through Python's cbor2 unchanged: no tags that cbor2 interprets (dates, bignums,
        /// sets, …), and map keys only integers, strings and arrays of those, because Python would merge keys such
        /// as `1`, `1.0` and `true`.
        case cbor2Compatible
    }

    var random: SplitMix64
    var profile: Profile
    var maximumDepth: Int

    init(seed: UInt64, profile: Profile = .everything, maximumDepth: Int = 4) {
        random = SplitMix64(seed: seed)
        self.profile = profile
        self.maximumDepth = maximumDepth
    }

    /// Tags that cbor2 6.3 leaves as plain `CBORTag`s (it interprets 0-5, 25, 28-30, 35-37, 52, 54, 100, 256,
    /// 258, 260, 261, 1004, 43000 and 55799).
    private static let cbor2NeutralTags: [UInt64] = [
        6, 7, 15, 23, 24, 32, 33, 64, 255, 1000, 65_535, 65_536, 1 << 32, .max,
    ]
    private static let textPieces = ["a", "z", "é", "e\u{301}", "水", "𐅑", "😀", " ", "\"", "\\", "\u{0}", "ü", "Ω"]

    mutating func value(depth: Int = 0) -> CBOR {
        let containers = depth < maximumDepth
        switch random.below(containers ? 14 : 11) {
        case 0, 1: return .unsignedInteger(integer())
        case 2, 3: return .negativeInteger(integer())
        case 4: return .byteString(random.bytes(count: length()))
        case 5: return .textString(text())
        case 6: return simple()
        case 7: return random.pick([.boolean(false), .boolean(true), .null, .undefined])
        case 8, 9, 10: return .float(float())
        case 11: return .array((0..<containerCount()).map { _ in value(depth: depth + 1) })
        case 12: return .map(map(depth: depth))
        default: return .tagged(tag(), value(depth: depth + 1))
        }
    }

    /// Integers of every argument width, with the boundaries between widths over-represented.
    mutating func integer() -> UInt64 {
        if random.chance(1, in: 4) {
            return random.pick([0, 23, 24, 255, 256, 65_535, 65_536, 0xffff_ffff, 0x1_0000_0000, .max, .max - 1])
        }
        let bits = random.pick([5, 8, 16, 32, 64])
        return bits == 64 ? random.next() : random.next() & ((1 << UInt64(bits)) - 1)
    }

    /// Mostly short lengths, some past the one- and two-byte length boundaries, rarely past 65,535.
    private mutating func length() -> Int {
        switch random.below(100) {
        case 0: return 65_536 + random.below(600)
        case 1..<10: return 24 + random.below(400)
        default: return random.below(24)
        }
    }

    private mutating func containerCount() -> Int {
        random.chance(1, in: 20) ? 20 + random.below(10) : random.below(6)
    }

    private mutating func text() -> String {
        let count = random.chance(1, in: 10) ? 30 + random.below(300) : random.below(8)
        return (0..<count).map { _ in random.pick(Self.textPieces) }.joined()
    }

    private mutating func simple() -> CBOR {
        let low = UInt8(random.below(20))
        let high = UInt8(32 + random.below(224))
        return .simple(random.chance(1, in: 2) ? low : high)
    }

    private mutating func tag() -> UInt64 {
        switch profile {
        case .everything: return integer()
        case .cbor2Compatible: return random.pick(Self.cbor2NeutralTags)
        }
    }

    /// Floats of every width: random half, single and double bit patterns, subnormals, infinities, NaNs with
    /// various payloads, and both zeros.
    mutating func float() -> Double {
        switch random.below(8) {
        case 0:
            return HalfPrecision.value(ofBits: UInt16(truncatingIfNeeded: random.next()))
        case 1:
            return Double(Float(bitPattern: UInt32(truncatingIfNeeded: random.next())))
        case 2:
            // Half subnormals: multiples of 2^-24 below 2^-14.
            return Double(random.below(1024)) * 0x1p-24 * (random.chance(1, in: 2) ? 1 : -1)
        case 3:
            return random.pick([
                0.0, -0.0, .infinity, -.infinity, .nan, -.nan, Double(bitPattern: 0x7ff0_0000_0000_0001),
                Double(bitPattern: 0x7ff8_dead_beef_0000), 65_504, 65_505, 1.5, 1e300, .leastNonzeroMagnitude,
                .greatestFiniteMagnitude, Double(Float.leastNonzeroMagnitude), Double(Float.greatestFiniteMagnitude),
            ])
        default:
            return Double(bitPattern: random.next())
        }
    }

    private mutating func map(depth: Int) -> [CBOR.MapEntry] {
        var entries: [CBOR.MapEntry] = []
        var encodedKeys: [[UInt8]] = []
        let count = containerCount()
        // A duplicate candidate is dropped, so a map may come out smaller than `count`.
        for _ in 0..<count {
            let key = mapKey(depth: depth)
            let encoded = CBOREncoder.encode(key)
            if encodedKeys.contains(encoded) {
                continue
            }
            encodedKeys.append(encoded)
            entries.append(CBOR.MapEntry(key: key, value: value(depth: depth + 1)))
        }
        return entries
    }

    private mutating func mapKey(depth: Int) -> CBOR {
        switch profile {
        case .everything:
            return value(depth: max(depth + 1, maximumDepth - 1))
        case .cbor2Compatible:
            switch random.below(7) {
            case 0, 1: return .unsignedInteger(integer())
            case 2: return .negativeInteger(integer())
            case 3, 4: return .textString(text())
            case 5: return .byteString(random.bytes(count: random.below(6)))
            default:
                return .array(
                    (0..<random.below(3)).map { _ in
                        random.chance(1, in: 2) ? .textString(text()) : .unsignedInteger(integer())
                    }
                )
            }
        }
    }
}
