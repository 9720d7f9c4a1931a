/// Conversions between `Double` and the narrower IEEE 754 widths that CBOR uses, done on bit patterns.
///
/// Half precision is converted by hand rather than through `Float16`, which is unavailable on macOS on
/// x86_64 and would make the module fail to build there.
enum FloatWidth {
    /// The bits of the canonical quiet NaN in half precision, the only NaN that deterministic encoding allows.
    static let canonicalHalfNaN: UInt16 = 0x7e00

    /// The half-precision bits of `value` when half precision holds it exactly; `nil` otherwise and for NaN.
    static func halfBits(exactly value: Double) -> UInt16? {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 48) & 0x8000)
        let biasedExponent = Int((bits >> 52) & 0x7ff)
        let fraction = bits & 0x000f_ffff_ffff_ffff
        if biasedExponent == 0x7ff {
            // Infinity converts; NaN is the caller's business (it has exactly one deterministic form).
            return fraction == 0 ? sign | 0x7c00 : nil
        }
        if biasedExponent == 0 {
            // Zero keeps its sign; double subnormals (below 2^-1022) are far below the half range.
            return fraction == 0 ? sign : nil
        }
        let exponent = biasedExponent - 1023
        if exponent >= -14 && exponent <= 15 {
            // Normal half: 10 fraction bits, so the 42 low fraction bits of the double must be zero.
            guard fraction & ((1 << 42) - 1) == 0 else {
                return nil
            }
            return sign | UInt16(exponent + 15) << 10 | UInt16(truncatingIfNeeded: fraction >> 42)
        }
        if exponent >= -24 && exponent < -14 {
            // Subnormal half: the value must be a multiple of 2^-24, i.e. significand * 2^(exponent - 52 + 24)
            // must be an integer, which it is when the bits shifted out below are zero.
            let significand = (UInt64(1) << 52) | fraction
            let shift = UInt64(28 - exponent)
            guard significand & ((UInt64(1) << shift) - 1) == 0 else {
                return nil
            }
            return sign | UInt16(truncatingIfNeeded: significand >> shift)
        }
        return nil
    }

    /// The value of half-precision `bits`, exactly (every half is a double); NaN payloads are kept.
    static func double(fromHalfBits bits: UInt16) -> Double {
        let sign = UInt64(bits & 0x8000) << 48
        let biasedExponent = UInt64((bits >> 10) & 0x1f)
        let fraction = UInt64(bits & 0x3ff)
        if biasedExponent == 0 {
            // Subnormal or zero: fraction * 2^-24, which a double holds exactly.
            let magnitude = Double(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        if biasedExponent == 0x1f {
            return Double(bitPattern: sign | 0x7ff0_0000_0000_0000 | fraction << 42)
        }
        // Rebias from 15 to 1023 by adding, so the unsigned arithmetic cannot go below zero.
        return Double(bitPattern: sign | (biasedExponent + (1023 - 15)) << 52 | fraction << 42)
    }

    /// The single-precision bits of `value` when single precision holds it exactly; `nil` otherwise and for NaN.
    static func singleBits(exactly value: Double) -> UInt32? {
        guard !value.isNaN else {
            return nil
        }
        // Rounding to Float and back is the identity exactly when Float holds the value; the conversion keeps
        // the sign of zero and turns out-of-range values into infinity, which then compares unequal.
        let single = Float(value)
        return Double(single) == value ? single.bitPattern : nil
    }

    /// Whether the half-precision `bits` are a NaN.
    static func isHalfNaN(_ bits: UInt16) -> Bool {
        bits & 0x7c00 == 0x7c00 && bits & 0x03ff != 0
    }
}
