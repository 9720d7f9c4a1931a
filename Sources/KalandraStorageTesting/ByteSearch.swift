import Foundation

/// Finding stored bytes where they must not be (plaintext at rest, shredded keys in database files).
public enum ByteSearch {
    /// Whether `needle` (non-empty) occurs in `haystack`. Linear scan with `memcmp` at candidate positions: fast
    /// enough for whole database files.
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var index = 0
                let last = hay.count - pin.count
                while index <= last {
                    if hay[index] == first, memcmp(hay.baseAddress! + index, pin.baseAddress!, pin.count) == 0 {
                        return true
                    }
                    index += 1
                }
                return false
            }
        }
    }
}
