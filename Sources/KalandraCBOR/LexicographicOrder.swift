/// Bytewise lexicographic comparison, the order of map keys in deterministic encoding (RFC 8949 §4.2.1).
enum LexicographicOrder {
    /// Compares `bytes[left]` with `bytes[right]`: negative if left sorts first, zero if equal, positive otherwise.
    /// A proper prefix sorts before the longer sequence.
    static func compare(_ bytes: UnsafeRawBufferPointer, _ left: Range<Int>, _ right: Range<Int>) -> Int {
        let common = min(left.count, right.count)
        var offset = 0
        while offset < common {
            let leftByte = bytes[left.lowerBound + offset]
            let rightByte = bytes[right.lowerBound + offset]
            if leftByte != rightByte {
                return leftByte < rightByte ? -1 : 1
            }
            offset += 1
        }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }
}
