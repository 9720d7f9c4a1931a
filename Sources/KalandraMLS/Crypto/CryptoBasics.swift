import KalandraCrypto

/// RFC 9420 §5.1.2 and §5.2 labelled functions, and §8 `ExpandWithLabel` family, for every suite. Labels are
/// given without the "MLS 1.0 " prefix, which these functions add (except `refHash`, whose labels are used as given).
extension CipherSuiteProvider {
    /// `RefHash(label, value) = Hash(RefHashInput)`, with `struct { opaque label<V>; opaque value<V>; }` (§5.2). The
    /// label is used as given, e.g. "MLS 1.0 KeyPackage Reference".
    public func refHash(label: String, value: [UInt8]) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeOpaque(Array(label.utf8))
        writer.writeOpaque(value)
        return hash(writer.bytes)
    }

    /// `ExpandWithLabel(secret, label, context, length) = KDF.Expand(secret, KDFLabel, length)` (§8), with
    /// `struct { uint16 length; opaque label<V> = "MLS 1.0 " + label; opaque context<V>; } KDFLabel`.
    public func expandWithLabel(
        secret: SecretBytes,
        label: String,
        context: [UInt8],
        length: Int
    ) throws(MLSError) -> SecretBytes {
        try expandWithLabel(secret: secret, labelBytes: Array(label.utf8), context: context, length: length)
    }

    /// `ExpandWithLabel` with the label given as bytes: `KDFLabel.label` is `opaque<V>`, and an application's
    /// exporter label (§8.5) need not be UTF-8, which the `String` form cannot carry.
    func expandWithLabel(
        secret: SecretBytes,
        labelBytes: [UInt8],
        context: [UInt8],
        length: Int
    ) throws(MLSError) -> SecretBytes {
        guard let length16 = UInt16(exactly: length) else {
            throw MLSError(.invalidValue("ExpandWithLabel length \(length) does not fit in uint16"))
        }
        var writer = TLSWriter()
        writer.writeUInt16(length16)
        writer.writeOpaque(mlsLabel(labelBytes))
        writer.writeOpaque(context)
        return try expand(pseudorandomKey: secret, info: writer.bytes, length: length)
    }

    /// `DeriveSecret(secret, label) = ExpandWithLabel(secret, label, "", KDF.Nh)` (§8).
    public func deriveSecret(secret: SecretBytes, label: String) throws(MLSError) -> SecretBytes {
        try expandWithLabel(secret: secret, label: label, context: [], length: kdfLength)
    }

    /// `DeriveTreeSecret(secret, label, generation, length) = ExpandWithLabel(secret, label, uint32 generation,
    /// length)` (§9.1).
    public func deriveTreeSecret(
        secret: SecretBytes,
        label: String,
        generation: UInt32,
        length: Int
    ) throws(MLSError) -> SecretBytes {
        try expandWithLabel(secret: secret, label: label, context: generation.encoded(), length: length)
    }

    /// `SignWithLabel(key, label, content) = Signature.Sign(key, SignContent)` (§5.1.2), with
    /// `struct { opaque label<V> = "MLS 1.0 " + label; opaque content<V>; } SignContent`.
    public func signWithLabel(
        _ content: [UInt8],
        label: String,
        privateKey: SignaturePrivateKey
    ) throws(MLSError) -> [UInt8] {
        try sign(labeledContent(label, content), with: privateKey)
    }

    /// `VerifyWithLabel(key, label, content, signature)` (§5.1.2); throws `signatureInvalid` when it does not verify.
    public func verifyWithLabel(
        _ signature: [UInt8],
        content: [UInt8],
        label: String,
        publicKey: SignaturePublicKey
    ) throws(MLSError) {
        guard verify(signature, for: labeledContent(label, content), with: publicKey) else {
            throw MLSError(.signatureInvalid, context: "label \"\(label)\"")
        }
    }

    /// `EncryptWithLabel(key, label, context, plaintext) = SealBase(key, EncryptContext, "", plaintext)` (§5.1.3),
    /// with `struct { opaque label<V> = "MLS 1.0 " + label; opaque context<V>; } EncryptContext`.
    public func encryptWithLabel(
        publicKey: HPKEPublicKey,
        label: String,
        context: [UInt8],
        plaintext: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> HPKECiphertext {
        try hpkeSeal(
            publicKey: publicKey,
            info: labeledContent(label, context),
            associatedData: [],
            plaintext: plaintext,
            using: &generator
        )
    }

    /// `EncryptWithLabel` of each plaintext to its public key under one label and context (§5.1.3), hashing the
    /// shared `EncryptContext` once: a Welcome's context is the whole encrypted GroupInfo.
    public func encryptWithLabel(
        _ recipients: [(publicKey: HPKEPublicKey, plaintext: [UInt8])],
        label: String,
        context: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> [HPKECiphertext] {
        try hpkeSealEach(recipients, info: labeledContent(label, context), associatedData: [], using: &generator)
    }

    /// `DecryptWithLabel(key, label, context, kem_output, ciphertext) = OpenBase(kem_output, key, EncryptContext, "",
    /// ciphertext)` (§5.1.3); throws `decryptionFailed` when anything does not match.
    public func decryptWithLabel(
        privateKey: HPKEPrivateKey,
        label: String,
        context: [UInt8],
        ciphertext: HPKECiphertext
    ) throws(MLSError) -> [UInt8] {
        try hpkeOpen(
            privateKey: privateKey,
            info: labeledContent(label, context),
            associatedData: [],
            ciphertext: ciphertext
        )
    }

    /// `struct { opaque label<V> = "MLS 1.0 " + label; opaque content<V>; }`: SignContent and EncryptContext.
    private func labeledContent(_ label: String, _ content: [UInt8]) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeOpaque(mlsLabel(Array(label.utf8)))
        writer.writeOpaque(content)
        return writer.bytes
    }

    private func mlsLabel(_ label: [UInt8]) -> [UInt8] { Array("MLS 1.0 ".utf8) + label }
}
