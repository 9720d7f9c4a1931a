/// What went wrong in a cryptographic operation, in words an operator can act on. Never carries secret material.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key had the wrong number of bytes.
    case invalidKeyLength(expected: Int, found: Int)
    /// A nonce had the wrong number of bytes.
    case invalidNonceLength(expected: Int, found: Int)
    /// The bytes are not a valid key for the algorithm.
    case invalidKey
    /// Decryption failed: wrong key, nonce or associated data, or the ciphertext was modified.
    case authenticationFailure

    public var description: String {
        switch self {
        case .invalidKeyLength(let expected, let found): "key has \(found) bytes; expected \(expected)"
        case .invalidNonceLength(let expected, let found): "nonce has \(found) bytes; expected \(expected)"
        case .invalidKey: "the bytes are not a valid key"
        case .authenticationFailure: "authentication failed: the ciphertext, nonce, key or associated data do not match"
        }
    }
}
