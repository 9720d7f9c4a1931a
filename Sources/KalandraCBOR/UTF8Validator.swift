/// Finds where bytes stop being well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or values past
/// U+10FFFF), so the decoder can report the offset of the bad byte.
enum UTF8Validator {
    /// The index of the first byte of the first ill-formed sequence in `bytes[range]`, or `nil` if there is none.
    static func firstInvalidIndex(in bytes: UnsafeRawBufferPointer, range: Range<Int>) -> Int? {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            // ASCII runs, the common case, are checked eight bytes at a time.
            if end - index >= 8
                && bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
                continue
            }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The allowed range of the second byte depends on the lead byte (RFC 3629 §4); later bytes are
            // always 80...BF.
            let length: Int
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xbf
            switch lead {
            case 0xc2...0xdf:
                length = 2
            case 0xe0:
                length = 3
                secondLow = 0xa0
            case 0xe1...0xec, 0xee...0xef:
                length = 3
            case 0xed:
                length = 3
                secondHigh = 0x9f
            case 0xf0:
                length = 4
                secondLow = 0x90
            case 0xf1...0xf3:
                length = 4
            case 0xf4:
                length = 4
                secondHigh = 0x8f
            default:
                return index
            }
            guard end - index >= length else {
                return index
            }
            let second = bytes[index + 1]
            guard second >= secondLow && second <= secondHigh else {
                return index
            }
            for continuation in (index + 2)..<(index + length) where bytes[continuation] & 0xc0 != 0x80 {
                return index
            }
            index += length
        }
        return nil
    }
}
