/// KeyPackage validation (RFC 9420 §10.1), before a KeyPackage is used to add its client and when it arrives in an
/// Add. Credentials themselves are the application's to check (§5.3.1).
extension KeyPackage {
    /// Throws the kind of the first §10.1 rule broken: the version is `mls10`; the cipher suite is `provider`'s (the
    /// group's); the leaf node is valid for a KeyPackage (§7.3: source `key_package`, its lifetime includes
    /// `nowSeconds`, its capabilities list `mls10`, this cipher suite, its credential type and its extensions, and
    /// its signature verifies); no extension type repeats and every non-default one is in the leaf node's
    /// capabilities (§10); the KeyPackage signature verifies with the leaf node's signature key; and `init_key`
    /// differs from the leaf node's `encryption_key`. `nowSeconds` is Unix time given by the caller (cores read no
    /// clock); nil skips the lifetime check. The rules that need the group (required capabilities, unique keys,
    /// members' credential types) are `RatchetTreeState.validateLeafNode`'s.
    public func validate(provider: any CipherSuiteProvider, nowSeconds: UInt64?) throws(MLSError) {
        guard version == .mls10 else {
            throw MLSError(.keyPackageVersionUnsupported, context: "\(version)")
        }
        guard cipherSuite == provider.cipherSuite else {
            throw MLSError(.keyPackageCipherSuiteMismatch, context: "\(cipherSuite), not \(provider.cipherSuite)")
        }
        try leafNode.validateContents(
            as: .keyPackage,
            groupID: [],
            cipherSuite: cipherSuite,
            provider: provider,
            nowSeconds: nowSeconds
        )
        if let repeated = extensions.firstRepeatedType {
            throw MLSError(.duplicateExtensionType, context: "KeyPackage extension type \(repeated.rawValue)")
        }
        for type in extensions.map(\.extensionType)
        where !type.isDefaultExtensionType && !leafNode.capabilities.extensions.contains(type) {
            throw MLSError(.keyPackageExtensionNotInCapabilities, context: "extension type \(type.rawValue)")
        }
        try verifySignature(provider: provider)
        guard initKey != leafNode.encryptionKey else {
            throw MLSError(.keyPackageInitKeyEqualsEncryptionKey)
        }
    }
}
