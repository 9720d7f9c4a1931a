/// Leaf node signatures (RFC 9420 §7.2): `signature = SignWithLabel(signature_key, "LeafNodeTBS", LeafNodeTBS)`.
extension LeafNode {
    /// The label of leaf node signatures.
    public static let signatureLabel = "LeafNodeTBS"

    /// The encoded `LeafNodeTBS` (§7.2): every field before the signature and, for the `update` and `commit` sources,
    /// `opaque group_id<V>` and `uint32 leaf_index`, which bind the leaf to its group and position.
    public func toBeSigned(groupID: [UInt8], leafIndex: LeafIndex) -> [UInt8] {
        var writer = TLSWriter()
        encryptionKey.encode(to: &writer)
        signatureKey.encode(to: &writer)
        credential.encode(to: &writer)
        capabilities.encode(to: &writer)
        source.encode(to: &writer)
        writer.writeVector(extensions)
        switch source {
        case .keyPackage: break
        case .update, .commit:
            writer.writeOpaque(groupID)
            leafIndex.encode(to: &writer)
        }
        return writer.bytes
    }

    /// Throws `signatureInvalid` unless `signature` verifies under `signatureKey` for the leaf at `leafIndex` of
    /// the group `groupID` (both ignored for the `key_package` source).
    public func verifySignature(
        groupID: [UInt8],
        leafIndex: LeafIndex,
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        try provider.verifyWithLabel(
            signature,
            content: toBeSigned(groupID: groupID, leafIndex: leafIndex),
            label: Self.signatureLabel,
            publicKey: signatureKey
        )
    }

    /// Replaces `signature` with a signature by `privateKey` for the leaf at `leafIndex` of the group `groupID`.
    public mutating func sign(
        groupID: [UInt8],
        leafIndex: LeafIndex,
        privateKey: SignaturePrivateKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        signature = try provider.signWithLabel(
            toBeSigned(groupID: groupID, leafIndex: leafIndex),
            label: Self.signatureLabel,
            privateKey: privateKey
        )
    }
}

extension LeafNode {
    /// A new leaf node of source `key_package(lifetime)`: a fresh encryption key pair from `generator`, the signature
    /// key of `signaturePrivateKey`, signed (a `key_package` leaf's signature covers neither group nor position,
    /// §7.2). Returns the leaf and its encryption private key; for creating a group or joining by external commit.
    public static func generate(
        credential: Credential,
        signaturePrivateKey: SignaturePrivateKey,
        capabilities: Capabilities,
        lifetime: Lifetime,
        extensions: [Extension] = [],
        provider: any CipherSuiteProvider,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> (leaf: LeafNode, encryptionPrivateKey: HPKEPrivateKey) {
        let keys = try provider.generateHPKEKeyPair(using: &generator)
        var leaf = LeafNode(
            encryptionKey: keys.publicKey,
            signatureKey: try provider.signaturePublicKey(for: signaturePrivateKey),
            credential: credential,
            capabilities: capabilities,
            source: .keyPackage(lifetime),
            extensions: extensions,
            signature: []
        )
        try leaf.sign(
            groupID: [],
            leafIndex: LeafIndex(rawValue: 0)!,
            privateKey: signaturePrivateKey,
            provider: provider
        )
        return (leaf, keys.privateKey)
    }
}
