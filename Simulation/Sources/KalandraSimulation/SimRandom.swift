import KalandraCore

/// The simulator's randomness: a seeded xoshiro256** stream with its own range, probability and shuffle algorithms, so a
/// seed replays the same run whatever the standard library's `random(in:using:)` or `shuffled()` do in a later release.
public struct SimRandom: RandomNumberGenerator, Sendable {
    private var generator: DeterministicGenerator
    /// What forks derive from: the seed, not the current state, so a fork does not depend on how many values the parent
    /// has drawn.
    private let streamKey: UInt64

    /// A stream whose whole output is determined by `seed` (the same stream as `DeterministicGenerator(seed:)`).
    public init(seed: UInt64) {
        generator = DeterministicGenerator(seed: seed)
        streamKey = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        generator.next()
    }

    /// An independent stream named by `label`, derived from this stream's seed only: drawing from the parent (or from
    /// other forks) before or after does not change it, so each component keeps its own sequence when another one
    /// changes how much it draws.
    public func fork(label: UInt64) -> SimRandom {
        // Two rounds of the SplitMix64 finaliser (a bijection) keep the children of one parent distinct and make
        // parent.fork(a).fork(b) differ from parent.fork(b).fork(a).
        SimRandom(seed: Self.mix(streamKey &+ Self.mix(label &+ 0x9E37_79B9_7F4A_7C15)))
    }

    /// A uniform value in `0..<bound`; `bound` must not be zero. Lemire's multiply-shift with rejection: unbiased, and
    /// usually one draw.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below: 0) has no values")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            // 2^64 mod bound: the low products below it belong to an incomplete last interval.
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        // The span as an unsigned bit pattern; a span of 2^64 (the whole Int range) wraps to zero.
        let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        let offset = span == 0 ? next() : uniform(below: span)
        return range.lowerBound &+ Int(bitPattern: UInt(offset))
    }

    /// A uniform integer in `range`, which must not be empty.
    public mutating func int(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "int(in:) of an empty range")
        return int(in: range.lowerBound...(range.upperBound - 1))
    }

    /// A uniform value in `range`.
    public mutating func uint64(in range: ClosedRange<UInt64>) -> UInt64 {
        let span = range.upperBound &- range.lowerBound &+ 1
        return range.lowerBound &+ (span == 0 ? next() : uniform(below: span))
    }

    /// A uniform double in [0, 1) with 53 random bits (every value a multiple of 2^-53).
    public mutating func double01() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform double in `range`.
    public mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + double01() * (range.upperBound - range.lowerBound)
    }

    /// True with `probability` (0 is never, 1 is always). Always consumes exactly one draw, so changing a probability
    /// does not shift the values drawn after it.
    public mutating func chance(_ probability: Double) -> Bool {
        double01() < probability
    }

    /// A uniformly chosen element, or nil for an empty array.
    public mutating func pick<Element>(_ elements: [Element]) -> Element? {
        guard !elements.isEmpty else { return nil }
        return elements[int(in: 0..<elements.count)]
    }

    /// Shuffles `elements` in place (Fisher–Yates, from the back).
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, int(in: 0...index))
        }
    }

    /// The SplitMix64 finaliser.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
