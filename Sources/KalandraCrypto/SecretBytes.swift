import CSodium

/// Secret key material: heap memory that is zeroised (with `sodium_memzero`, which the optimiser cannot remove) when
/// the last reference goes away, compared only in constant time, and never printed.
public final class SecretBytes: @unchecked Sendable, Equatable, CustomStringConvertible,
    CustomDebugStringConvertible
{
    // Immutable after init, so sharing across threads is safe; hence @unchecked Sendable.
    private let storage: UnsafeMutableRawBufferPointer

    /// A copy of `bytes`; the caller remains responsible for the source.
    public init(copying bytes: some Collection<UInt8>) {
        Sodium.ensureInitialized()
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        let target = UnsafeMutableRawBufferPointer(rebasing: storage[0..<bytes.count])
        // Arrays and buffers are copied in one move; the element-by-element path is for other collections.
        let copied: Void? = bytes.withContiguousStorageIfAvailable { source in
            target.copyMemory(from: UnsafeRawBufferPointer(source))
        }
        if copied == nil { _ = target.initializeMemory(as: UInt8.self, from: bytes) }
        count = bytes.count
    }

    /// `count` bytes from `generator`.
    public init(randomCount count: Int, using generator: inout some RandomNumberGenerator) {
        precondition(count >= 0, "a secret cannot have a negative length")
        Sodium.ensureInitialized()
        storage = .allocate(byteCount: max(count, 1), alignment: 16)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<min(8, count - index) {
                storage[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        self.count = count
    }

    deinit {
        sodium_memzero(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// The number of secret bytes.
    public let count: Int

    /// Calls `body` with the secret bytes; do not let them escape.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Constant-time equality: the time taken depends on the lengths only, never on the contents.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in ConstantTime.equals(left, right) } }
    }

    /// Never the secret itself.
    public var description: String { "SecretBytes(\(count) bytes, redacted)" }

    /// Never the secret itself.
    public var debugDescription: String { description }
}
