/// A generator that returns given bytes, eight at a time, least significant byte first: the order in which
/// `SecretBytes(randomCount:using:)` consumes them, so a test can make injected randomness equal a vector's input
/// (RFC 9180's `ikmE`). Past the end it returns zeros.
struct ReplayGenerator: RandomNumberGenerator {
    private var bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func next() -> UInt64 {
        var word: UInt64 = 0
        for shift in 0..<8 where offset + shift < bytes.count {
            word |= UInt64(bytes[offset + shift]) << (8 * shift)
        }
        offset += 8
        return word
    }
}
