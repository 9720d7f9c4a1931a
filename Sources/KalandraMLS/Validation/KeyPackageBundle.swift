/// A KeyPackage with the private keys its client keeps until the KeyPackage is used (RFC 9420 §10): the `init_key`'s,
/// which opens the Welcome, and the leaf `encryption_key`'s, which the client decrypts with once in the tree. The
/// signature private key is the caller's own and is not held here.
public struct KeyPackageBundle: Sendable {
    /// The KeyPackage to publish.
    public let keyPackage: KeyPackage
    /// The private key of `keyPackage.initKey`.
    public let initPrivateKey: HPKEPrivateKey
    /// The private key of `keyPackage.leafNode.encryptionKey`.
    public let encryptionPrivateKey: HPKEPrivateKey

    /// A bundle from its parts; the caller guarantees the private keys match the KeyPackage's public keys.
    public init(keyPackage: KeyPackage, initPrivateKey: HPKEPrivateKey, encryptionPrivateKey: HPKEPrivateKey) {
        self.keyPackage = keyPackage
        self.initPrivateKey = initPrivateKey
        self.encryptionPrivateKey = encryptionPrivateKey
    }

    /// A fresh KeyPackage for `provider`'s cipher suite: new init and leaf encryption key pairs from `generator`,
    /// a leaf node with `credential`, the signature key of `signaturePrivateKey`, `capabilities`, source
    /// `key_package(lifetime)` and `leafExtensions`, and the KeyPackage `extensions`; both signed with
    /// `signaturePrivateKey`. The result is validated (§10.1, without a clock) before it is returned, so a bundle
    /// whose capabilities omit the suite, `mls10`, the credential type or an extension is refused here, not by every
    /// group it is offered to.
    public static func generate(
        credential: Credential,
        signaturePrivateKey: SignaturePrivateKey,
        provider: any CipherSuiteProvider,
        lifetime: Lifetime,
        capabilities: Capabilities,
        leafExtensions: [Extension],
        extensions: [Extension],
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> KeyPackageBundle {
        let initKeys = try provider.generateHPKEKeyPair(using: &generator)
        let encryptionKeys = try provider.generateHPKEKeyPair(using: &generator)
        let leafNode = LeafNode(
            encryptionKey: encryptionKeys.publicKey,
            signatureKey: try provider.signaturePublicKey(for: signaturePrivateKey),
            credential: credential,
            capabilities: capabilities,
            source: .keyPackage(lifetime),
            extensions: leafExtensions,
            signature: []
        )
        let keyPackage = try KeyPackage.signed(
            initKey: initKeys.publicKey,
            leafNode: leafNode,
            extensions: extensions,
            signaturePrivateKey: signaturePrivateKey,
            provider: provider
        )
        try keyPackage.validate(provider: provider, nowSeconds: nil)
        return KeyPackageBundle(
            keyPackage: keyPackage,
            initPrivateKey: initKeys.privateKey,
            encryptionPrivateKey: encryptionKeys.privateKey
        )
    }
}
