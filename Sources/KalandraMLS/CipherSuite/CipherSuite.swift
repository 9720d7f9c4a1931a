/// An MLS cipher suite (RFC 9420 §5.1, §17.1): the 16-bit code point that names a KEM, KDF, AEAD, hash and signature
/// scheme. Any code point can be represented and encoded; `provider()` says whether it is implemented.
public struct CipherSuite: RawRepresentable, Hashable, Sendable, TLSCodable, CustomStringConvertible {
    /// The IANA code point.
    public let rawValue: UInt16

    /// The suite with code point `rawValue`, supported or not.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (1).
    public static let x25519Aes128GcmSha256Ed25519 = CipherSuite(rawValue: 0x0001)
    /// MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519 (3).
    public static let x25519ChaCha20Poly1305Sha256Ed25519 = CipherSuite(rawValue: 0x0003)

    /// The suites this implementation provides, in code point order.
    public static let supported: [CipherSuite] = [.x25519Aes128GcmSha256Ed25519, .x25519ChaCha20Poly1305Sha256Ed25519]

    /// The implementation of this suite's algorithms, or `unsupportedCipherSuite` when there is none.
    public func provider() throws(MLSError) -> any CipherSuiteProvider {
        switch self {
        case .x25519Aes128GcmSha256Ed25519:
            StandardCipherSuiteProvider(
                cipherSuite: self,
                hashAlgorithm: .sha256,
                aead: .aes128GCM,
                kem: DHKEMX25519(),
                signatureScheme: Ed25519Scheme()
            )
        case .x25519ChaCha20Poly1305Sha256Ed25519:
            StandardCipherSuiteProvider(
                cipherSuite: self,
                hashAlgorithm: .sha256,
                aead: .chaCha20Poly1305,
                kem: DHKEMX25519(),
                signatureScheme: Ed25519Scheme()
            )
        default:
            throw MLSError(.unsupportedCipherSuite(rawValue))
        }
    }

    /// Reads a `uint16` code point.
    public init(from reader: inout TLSReader) throws(MLSError) {
        rawValue = try reader.readUInt16()
    }

    /// Writes the `uint16` code point.
    public func encode(to writer: inout TLSWriter) {
        writer.writeUInt16(rawValue)
    }

    /// The RFC 9420 name for known suites, else the number.
    public var description: String {
        switch rawValue {
        case 1: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519"
        case 2: "MLS_128_DHKEMP256_AES128GCM_SHA256_P256"
        case 3: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519"
        case 4: "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448"
        case 5: "MLS_256_DHKEMP521_AES256GCM_SHA512_P521"
        case 6: "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448"
        case 7: "MLS_256_DHKEMP384_AES256GCM_SHA384_P384"
        default: "cipher suite \(rawValue)"
        }
    }
}
