/// KeyPackage signatures (RFC 9420 §10): `signature = SignWithLabel(leaf_node.signature_key, "KeyPackageTBS",
/// KeyPackageTBS)`, where `KeyPackageTBS` is every field before the signature.
extension KeyPackage {
    /// The label of KeyPackage signatures.
    public static let signatureLabel = "KeyPackageTBS"

    /// The encoded `KeyPackageTBS` (§10): version, cipher suite, init key, leaf node and extensions.
    public func toBeSigned() -> [UInt8] {
        var writer = TLSWriter()
        version.encode(to: &writer)
        cipherSuite.encode(to: &writer)
        initKey.encode(to: &writer)
        leafNode.encode(to: &writer)
        writer.writeVector(extensions)
        return writer.bytes
    }

    /// Throws `keyPackageSignatureInvalid` unless `signature` verifies under the leaf node's `signature_key`.
    public func verifySignature(provider: any CipherSuiteProvider) throws(MLSError) {
        do {
            try provider.verifyWithLabel(
                signature,
                content: toBeSigned(),
                label: Self.signatureLabel,
                publicKey: leafNode.signatureKey
            )
        } catch {
            throw MLSError(.keyPackageSignatureInvalid, context: error.context)
        }
    }

    /// Replaces `signature` with a signature by `privateKey` over the current fields. The leaf node is not
    /// re-signed: after changing it, sign it first (`LeafNode.sign`), since the KeyPackage signature covers it.
    public mutating func sign(privateKey: SignaturePrivateKey, provider: any CipherSuiteProvider) throws(MLSError) {
        signature = try provider.signWithLabel(toBeSigned(), label: Self.signatureLabel, privateKey: privateKey)
    }

    /// A KeyPackage for `provider`'s cipher suite and `mls10`: `leafNode` (whose source must be `key_package`) signed
    /// as a LeafNode, then the whole KeyPackage signed, both with `signaturePrivateKey`, which must be the private
    /// half of the leaf node's `signature_key` (a mismatch would give a KeyPackage nobody can verify).
    public static func signed(
        initKey: HPKEPublicKey,
        leafNode: LeafNode,
        extensions: [Extension],
        signaturePrivateKey: SignaturePrivateKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> KeyPackage {
        guard case .keyPackage = leafNode.source else {
            throw MLSError(.leafNodeSourceMismatch, context: "a KeyPackage's leaf node needs source key_package")
        }
        guard try provider.signaturePublicKey(for: signaturePrivateKey) == leafNode.signatureKey else {
            throw MLSError(.keyPackageSigningKeyMismatch)
        }
        var signedLeafNode = leafNode
        try signedLeafNode.sign(
            groupID: [],
            leafIndex: LeafNode.unboundLeaf,
            privateKey: signaturePrivateKey,
            provider: provider
        )
        var keyPackage = KeyPackage(
            version: .mls10,
            cipherSuite: provider.cipherSuite,
            initKey: initKey,
            leafNode: signedLeafNode,
            extensions: extensions,
            signature: []
        )
        try keyPackage.sign(privateKey: signaturePrivateKey, provider: provider)
        return keyPackage
    }
}
