import CSodium

/// Comparisons whose running time does not depend on where secret inputs differ.
public enum ConstantTime {
    /// Whether `left` and `right` hold the same bytes. Unequal lengths return false at once: lengths are public.
    public static func equals(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        guard left.count == right.count else { return false }
        if left.isEmpty { return true }
        Sodium.ensureInitialized()
        return sodium_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
    }

    /// Whether two byte arrays are equal, in constant time for equal lengths.
    public static func equals(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        left.withUnsafeBytes { leftBytes in right.withUnsafeBytes { rightBytes in equals(leftBytes, rightBytes) } }
    }
}
