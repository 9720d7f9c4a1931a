import KalandraCrypto

/// `opaque SignaturePublicKey<V>` (RFC 9420 §5.1.1): a signature public key in the scheme's encoding.
public struct SignaturePublicKey: Hashable, Sendable, TLSCodable {
    /// The encoded key, without the length prefix.
    public var bytes: [UInt8]

    /// The key encoded as `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Reads `opaque SignaturePublicKey<V>`.
    public init(from reader: inout TLSReader) throws(MLSError) { bytes = try reader.readOpaque() }

    /// Writes `opaque SignaturePublicKey<V>`.
    public func encode(to writer: inout TLSWriter) { writer.writeOpaque(bytes) }

    /// Hashes the key's bytes in one call: trees keep sets of keys to check uniqueness (§7.3), and the synthesised
    /// synthesised hashing would feed the hasher one byte at a time.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// A signature private key in the scheme's native encoding (the 32-byte seed for Ed25519), zeroised on release and
/// compared in constant time.
public struct SignaturePrivateKey: Sendable, Equatable {
    /// The encoded key.
    public let secret: SecretBytes

    /// The key encoded as `secret`.
    public init(_ secret: SecretBytes) { self.secret = secret }
}

/// A signature key pair.
public struct SignatureKeyPair: Sendable {
    /// The private half.
    public let privateKey: SignaturePrivateKey
    /// The public half.
    public let publicKey: SignaturePublicKey

    /// A pair from its halves; the caller guarantees they match.
    public init(privateKey: SignaturePrivateKey, publicKey: SignaturePublicKey) {
        self.privateKey = privateKey
        self.publicKey = publicKey
    }
}
