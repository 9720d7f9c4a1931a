import KalandraCrypto

/// `opaque HPKEPublicKey<V>` (RFC 9420 §5.1.1): a KEM public key in its `SerializePublicKey` form.
public struct HPKEPublicKey: Hashable, Sendable, TLSCodable {
    /// The serialised key, without the length prefix.
    public var bytes: [UInt8]

    /// The key serialised as `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Reads `opaque HPKEPublicKey<V>`.
    public init(from reader: inout TLSReader) throws(MLSError) { bytes = try reader.readOpaque() }

    /// Writes `opaque HPKEPublicKey<V>`.
    public func encode(to writer: inout TLSWriter) { writer.writeOpaque(bytes) }

    /// Hashes the key's bytes in one call: trees keep sets of keys to check uniqueness (§7.3), and the synthesised
    /// synthesised hashing would feed the hasher one byte at a time.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// A KEM private key in its `SerializePrivateKey` form, zeroised on release and compared in constant time.
public struct HPKEPrivateKey: Sendable, Equatable {
    /// The serialised key.
    public let secret: SecretBytes

    /// The key serialised as `secret`.
    public init(_ secret: SecretBytes) { self.secret = secret }
}

/// An HPKE key pair.
public struct HPKEKeyPair: Sendable {
    /// The private half.
    public let privateKey: HPKEPrivateKey
    /// The public half.
    public let publicKey: HPKEPublicKey

    /// A pair from its halves; the caller guarantees they match.
    public init(privateKey: HPKEPrivateKey, publicKey: HPKEPublicKey) {
        self.privateKey = privateKey
        self.publicKey = publicKey
    }
}

/// `struct { opaque kem_output<V>; opaque ciphertext<V>; } HPKECiphertext` (RFC 9420 §5.1.3).
public struct HPKECiphertext: Hashable, Sendable, TLSCodable {
    /// The KEM's encapsulation (`enc`).
    public var kemOutput: [UInt8]
    /// The AEAD ciphertext with its tag.
    public var ciphertext: [UInt8]

    /// A ciphertext from its parts.
    public init(kemOutput: [UInt8], ciphertext: [UInt8]) {
        self.kemOutput = kemOutput
        self.ciphertext = ciphertext
    }

    /// Reads the two vectors.
    public init(from reader: inout TLSReader) throws(MLSError) {
        kemOutput = try reader.readOpaque()
        ciphertext = try reader.readOpaque()
    }

    /// Writes the two vectors.
    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(kemOutput)
        writer.writeOpaque(ciphertext)
    }
}

/// What HPKE's sender-side secret export produces: the KEM output to send and the exported secret.
public struct HPKEExportedSecret: Sendable {
    /// The KEM's encapsulation (`enc`), for the receiver.
    public let kemOutput: [UInt8]
    /// The exported secret.
    public let secret: SecretBytes
}
