import CSodium

/// BLAKE2b (RFC 7693) through libsodium's `crypto_generichash`, in keyed mode: a pseudorandom function of its key,
/// designed to be used as one (unlike a plain hash of key ‖ message), at about a fifth of HMAC-SHA256's cost here.
public enum BLAKE2b {
    /// The shortest and longest outputs.
    public static let outputByteCountRange = 16...64
    /// The longest key.
    public static let maximumKeyByteCount = 64

    /// Calls `body` with BLAKE2b-`outputByteCount`(key: `key`, `message`) in a temporary buffer that is wiped
    /// afterwards; copy what you keep into `SecretBytes`.
    public static func withKeyedHash<Result>(
        _ message: [UInt8],
        key: SecretBytes,
        outputByteCount: Int,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        precondition(outputByteCountRange.contains(outputByteCount), "BLAKE2b outputs 16 to 64 bytes")
        precondition((1...maximumKeyByteCount).contains(key.count), "a BLAKE2b key has 1 to 64 bytes")
        Sodium.ensureInitialized()
        return withUnsafeTemporaryAllocation(byteCount: outputByteCount, alignment: 16) { output in
            let result = key.withUnsafeBytes { keyBytes in
                crypto_generichash(
                    output.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    outputByteCount,
                    message,
                    UInt64(message.count),
                    keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    keyBytes.count
                )
            }
            precondition(result == 0, "BLAKE2b failed with valid lengths")
            defer { sodium_memzero(output.baseAddress, output.count) }
            return body(UnsafeRawBufferPointer(output))
        }
    }
}
