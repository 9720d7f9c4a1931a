/// The rules of leaf node validation that depend on the leaf node alone (RFC 9420 §7.2, §7.3), shared by KeyPackage
/// validation (§10.1) and by validation for a group.
extension LeafNode {
    /// The leaf index passed when signing or verifying a `key_package` leaf node, whose signature binds none.
    static let unboundLeaf = LeafIndex(rawValue: 0)!

    /// Throws the kind of the first rule broken: the source is the one `role` requires, the capabilities list
    /// `mls10`, `cipherSuite` and the credential's type, no extension type repeats and every non-default one is
    /// listed, a `key_package` lifetime includes `nowSeconds` (nil skips it: cores read no clock), and the signature
    /// verifies for `groupID` and the role's leaf. The signature comes last because it is the costly check.
    func validateContents(
        as role: LeafNodeRole,
        groupID: [UInt8],
        cipherSuite: CipherSuite,
        provider: any CipherSuiteProvider,
        nowSeconds: UInt64?
    ) throws(MLSError) {
        guard role.allows(source) else {
            throw MLSError(.leafNodeSourceMismatch, context: "\(role.name) has source \(source.codePoint)")
        }
        guard capabilities.versions.contains(.mls10) else {
            throw MLSError(.leafNodeVersionNotInCapabilities, context: role.name)
        }
        guard capabilities.cipherSuites.contains(cipherSuite) else {
            throw MLSError(.leafNodeCipherSuiteNotInCapabilities, context: "\(role.name), \(cipherSuite)")
        }
        let credentialType = credential.credentialType
        guard capabilities.credentials.contains(credentialType) else {
            throw MLSError(
                .leafNodeCredentialNotInCapabilities,
                context: "\(role.name), credential type \(credentialType.rawValue)"
            )
        }
        if let repeated = extensions.firstRepeatedType {
            throw MLSError(.duplicateExtensionType, context: "\(role.name), extension type \(repeated.rawValue)")
        }
        for type in extensions.map(\.extensionType)
        where !type.isDefaultExtensionType && !capabilities.extensions.contains(type) {
            throw MLSError(
                .leafNodeExtensionNotInCapabilities,
                context: "\(role.name), extension type \(type.rawValue)"
            )
        }
        if let nowSeconds, case .keyPackage(let lifetime) = source {
            guard lifetime.notBeforeSeconds <= nowSeconds, nowSeconds <= lifetime.notAfterSeconds else {
                throw MLSError(
                    .keyPackageExpired,
                    context: "\(nowSeconds) is outside \(lifetime.notBeforeSeconds)...\(lifetime.notAfterSeconds)"
                )
            }
        }
        do {
            // The key_package source binds no group or leaf; any leaf index serves.
            try verifySignature(groupID: groupID, leafIndex: role.leaf ?? Self.unboundLeaf, provider: provider)
        } catch {
            throw MLSError(.leafNodeSignatureInvalid, context: role.name)
        }
    }
}
