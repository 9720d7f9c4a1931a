/// Big-endian integers in byte arrays: the byte order of every integer in the envelope and cache formats.
enum BigEndian {
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    static func append(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// The `count`-byte big-endian integer at `offset`; the caller has checked the bounds.
    static func read(_ bytes: ArraySlice<UInt8>, at offset: Int, count: Int) -> UInt64 {
        precondition(count <= 8 && offset >= bytes.startIndex && offset + count <= bytes.endIndex)
        var value: UInt64 = 0
        for index in offset..<(offset + count) { value = (value << 8) | UInt64(bytes[index]) }
        return value
    }
}
