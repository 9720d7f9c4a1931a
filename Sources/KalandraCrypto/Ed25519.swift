import Crypto
import KalandraCore

/// An Ed25519 signing key (RFC 8032). The 32-byte seed is the secret; signatures are deterministic.
public struct SigningKey: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    /// The key whose RFC 8032 seed is `seed` (32 bytes).
    public init(seed: SecretBytes) throws(CryptoError) {
        guard seed.count == 32 else { throw CryptoError.invalidKeyLength(expected: 32, found: seed.count) }
        do {
            key = try seed.withUnsafeBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
        } catch {
            throw CryptoError.invalidKey
        }
    }

    /// A new key whose seed comes from `generator` (injected, so simulations replay; use the system generator in
    /// production).
    public static func generate(using generator: inout some RandomNumberGenerator) -> SigningKey {
        let seed = SecretBytes(randomCount: 32, using: &generator)
        // 32 bytes are always a valid Ed25519 seed.
        guard let key = try? SigningKey(seed: seed) else { preconditionFailure("a 32-byte seed was refused") }
        return key
    }

    /// The public half.
    public var verifyingKey: VerifyingKey { VerifyingKey(key: key.publicKey) }

    /// The signature of `message`.
    public func signature(for message: UnsafeRawBufferPointer) -> Signature {
        do {
            let bytes: [UInt8] = Array(try key.signature(for: message))
            return bytes.withUnsafeBytes { Signature(copying: $0) }
        } catch {
            // BoringSSL's ED25519_sign cannot fail for a valid key; a failure means memory corruption.
            preconditionFailure("Ed25519 signing failed: \(error)")
        }
    }

    /// The signature of `message`.
    public func signature(for message: [UInt8]) -> Signature {
        message.withUnsafeBytes { signature(for: $0) }
    }
}

/// An Ed25519 public key.
public struct VerifyingKey: Sendable, Equatable {
    fileprivate let key: Curve25519.Signing.PublicKey

    fileprivate init(key: Curve25519.Signing.PublicKey) { self.key = key }

    /// The key whose 32-byte encoding is `bytes`.
    public init(bytes: some Collection<UInt8>) throws(CryptoError) {
        guard bytes.count == 32 else { throw CryptoError.invalidKeyLength(expected: 32, found: bytes.count) }
        do {
            key = try Curve25519.Signing.PublicKey(rawRepresentation: Array(bytes))
        } catch {
            throw CryptoError.invalidKey
        }
    }

    /// The 32-byte encoding.
    public var bytes: [UInt8] { Array(key.rawRepresentation) }

    /// Whether `signature` is a valid signature of `message` under this key.
    public func isValidSignature(_ signature: Signature, for message: UnsafeRawBufferPointer) -> Bool {
        signature.withUnsafeBytes { key.isValidSignature($0, for: message) }
    }

    /// Whether `signature` is a valid signature of `message` under this key.
    public func isValidSignature(_ signature: Signature, for message: [UInt8]) -> Bool {
        message.withUnsafeBytes { isValidSignature(signature, for: $0) }
    }

    public static func == (lhs: VerifyingKey, rhs: VerifyingKey) -> Bool {
        lhs.bytes == rhs.bytes
    }
}

/// A 64-byte Ed25519 signature, held inline (no heap allocation), so a frame header carrying one is a plain value.
public struct Signature: Sendable, Hashable, CustomStringConvertible {
    /// The signature's 64 bytes as a SIMD vector, which is a fixed-size inline value with byte order preserved.
    public var rawValue: SIMD64<UInt8>

    /// A signature from its 64 bytes.
    public init(rawValue: SIMD64<UInt8>) { self.rawValue = rawValue }

    /// The all-zero placeholder of an unsigned frame.
    public static let zero = Signature(rawValue: SIMD64(repeating: 0))

    /// The first 64 bytes of `bytes`; the caller guarantees there are at least 64.
    public init(copying bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 64, "an Ed25519 signature has 64 bytes")
        rawValue = bytes.loadUnaligned(as: SIMD64<UInt8>.self)
    }

    /// Calls `body` with the 64 signature bytes.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var copy = rawValue
        return try Swift.withUnsafeBytes(of: &copy) { try body($0) }
    }

    /// The 64 bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// 128 hexadecimal digits.
    public var description: String { Hex.encode(bytes) }
}
