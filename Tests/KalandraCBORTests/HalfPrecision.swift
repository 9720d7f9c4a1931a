/// Half-precision conversions written independently of the library (through `Double(sign:exponent:significand:)`),
/// so tests do not check the library against itself, and without `Float16`, which macOS on x86_64 lacks.
enum HalfPrecision {
    /// The value of half-precision `bits`.
    static func value(ofBits bits: UInt16) -> Double {
        let negative = bits & 0x8000 != 0
        let exponent = Int((bits >> 10) & 0x1f)
        let fraction = Double(bits & 0x3ff)
        let magnitude: Double
        switch exponent {
        case 0: magnitude = Double(sign: .plus, exponent: -24, significand: fraction)
        case 31: magnitude = fraction == 0 ? .infinity : .nan
        default: magnitude = Double(sign: .plus, exponent: exponent - 25, significand: 1024 + fraction)
        }
        return negative ? -magnitude : magnitude
    }

    /// The bits of every finite or infinite half value, keyed by the value's double bit pattern.
    static let bitsByDoubleBits: [UInt64: UInt16] = {
        var table: [UInt64: UInt16] = [:]
        for bits in 0...UInt16.max where !value(ofBits: bits).isNaN {
            table[value(ofBits: bits).bitPattern] = bits
        }
        return table
    }()
}
