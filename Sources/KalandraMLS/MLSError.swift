/// What was wrong with MLS input or an MLS operation, in words a user can act on. Never carries secret material.
///
/// `kind` says what rule was broken; `context` says where (which field, which offset), for diagnostics.
public struct MLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The ways MLS input or an MLS operation can fail. Later protocol layers add cases for their validation rules.
    public enum Kind: Sendable, Equatable {
        /// The input ended early: `needed` more bytes were required than remained.
        case truncated(needed: Int)
        /// A variable-length integer used more bytes than its value needs (RFC 9420 §2.1.2 forbids this).
        case nonMinimalVarint
        /// A variable-length integer started with the reserved prefix 0b11.
        case invalidVarintPrefix
        /// Bytes were left over after a complete value, or inside a vector after its last element.
        case trailingBytes(count: Int)
        /// A declared length is larger than the configured limit.
        case lengthLimitExceeded(length: Int, limit: Int)
        /// Vectors are nested deeper than the configured limit.
        case nestingTooDeep(limit: Int)
        /// A vector holds more elements than the configured limit.
        case elementCountExceeded(limit: Int)
        /// A field holds a value the protocol does not allow.
        case invalidValue(String)
        /// The cipher suite is not implemented here.
        case unsupportedCipherSuite(UInt16)
        /// A key has the wrong length or is not a valid key for its algorithm.
        case invalidKey(String)
        /// A signature did not verify.
        case signatureInvalid
        /// Decryption failed: wrong key, nonce, associated data or context, or the ciphertext was modified.
        case decryptionFailed
    }

    /// What was wrong.
    public let kind: Kind
    /// Where it was found (a field name, an offset); for diagnostics only.
    public let context: String

    /// An error of `kind`, found at `context`.
    public init(_ kind: Kind, context: String = "") {
        self.kind = kind
        self.context = context
    }

    /// The kind in words, followed by the context when there is one.
    public var description: String {
        context.isEmpty ? kindDescription : "\(kindDescription) (\(context))"
    }

    private var kindDescription: String {
        switch kind {
        case .truncated(let needed): "input is truncated: \(needed) more byte(s) needed"
        case .nonMinimalVarint: "variable-length integer is not minimally encoded"
        case .invalidVarintPrefix: "variable-length integer has the invalid prefix 0b11"
        case .trailingBytes(let count): "\(count) unexpected trailing byte(s)"
        case .lengthLimitExceeded(let length, let limit): "length \(length) exceeds the limit of \(limit)"
        case .nestingTooDeep(let limit): "vectors are nested deeper than \(limit) levels"
        case .elementCountExceeded(let limit): "vector holds more than \(limit) elements"
        case .invalidValue(let what): "invalid value: \(what)"
        case .unsupportedCipherSuite(let suite): "cipher suite \(suite) is not supported"
        case .invalidKey(let what): "invalid key: \(what)"
        case .signatureInvalid: "signature verification failed"
        case .decryptionFailed: "decryption failed: the key, nonce, context or ciphertext do not match"
        }
    }
}
