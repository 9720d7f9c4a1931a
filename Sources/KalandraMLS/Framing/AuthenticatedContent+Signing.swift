/// Content authentication (RFC 9420 §6.1): signing content into an `AuthenticatedContent` and verifying one.
extension AuthenticatedContent {
    /// `content` signed for `wireFormat` with `SignWithLabel(., "FramedContentTBS", .)` (§6.1). `context` is the
    /// epoch's group context (required for `member` and `new_member_commit` senders). A commit's confirmation tag
    /// covers the confirmed transcript hash, which covers the signature (§8.2), so `confirmationTag` receives the
    /// signature and returns the tag; it is required for commits and must be nil otherwise.
    public static func signed(
        wireFormat: WireFormat,
        content: FramedContent,
        context: GroupContext?,
        privateKey: SignaturePrivateKey,
        provider: any CipherSuiteProvider,
        confirmationTag: ((_ signature: [UInt8]) throws(MLSError) -> [UInt8])? = nil
    ) throws(MLSError) -> AuthenticatedContent {
        guard (confirmationTag != nil) == (content.contentType == .commit) else {
            throw MLSError(
                .invalidValue("a confirmation tag must be computed exactly for commits"),
                context: "\(content.contentType) content"
            )
        }
        let toBeSigned = try FramedContentTBS(wireFormat: wireFormat, content: content, context: context)
        let signature = try toBeSigned.sign(privateKey: privateKey, provider: provider)
        let tag = try confirmationTag?(signature)
        return try AuthenticatedContent(
            wireFormat: wireFormat,
            content: content,
            auth: FramedContentAuthData(signature: signature, confirmationTag: tag)
        )
    }

    /// Throws `signatureInvalid` unless the signature is `publicKey`'s over this content, wire format and (for
    /// `member` and `new_member_commit` senders) `context` (§6.1). The caller picks `publicKey` by the sender: the
    /// member's leaf, the `external_senders` entry, or the new member's KeyPackage or LeafNode.
    public func verifySignature(
        context: GroupContext?,
        publicKey: SignaturePublicKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        let toBeSigned = try FramedContentTBS(wireFormat: wireFormat, content: content, context: context)
        try toBeSigned.verify(signature: auth.signature, publicKey: publicKey, provider: provider)
    }
}
