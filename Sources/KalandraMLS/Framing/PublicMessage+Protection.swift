import KalandraCrypto

/// PublicMessage protection (RFC 9420 §6.2): a signed content framed with, for member senders, a membership tag
/// `MAC(membership_key, AuthenticatedContentTBM)`, with `struct { FramedContentTBS content_tbs;
/// FramedContentAuthData auth; } AuthenticatedContentTBM`.
extension PublicMessage {
    /// Frames signed `content` as a PublicMessage of the epoch `context` describes, adding the membership tag for
    /// a member sender. Throws when the content was signed for another wire format, is application data (§6.2
    /// forbids sending it in a PublicMessage), or names another group or epoch than `context`.
    public static func protect(
        _ content: AuthenticatedContent,
        context: GroupContext,
        membershipKey: SecretBytes,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> PublicMessage {
        guard content.wireFormat == .publicMessage else {
            throw MLSError(.invalidValue("content was signed for \(content.wireFormat), not a PublicMessage"))
        }
        try checkProtectable(content.content, context: context)
        let tag: [UInt8]?
        if content.content.sender.senderType == .member {
            tag = try membershipTag(content.content, auth: content.auth, context: context, key: membershipKey, provider)
        } else {
            tag = nil
        }
        return try PublicMessage(content: content.content, auth: content.auth, membershipTag: tag)
    }

    /// The authenticated content of this message received in the epoch `context` describes (§6.2): checks the
    /// group and epoch, refuses application data, verifies a member's membership tag (in constant time) with
    /// `membershipKey`, then the signature with `signaturePublicKey`, the key of `content.sender` that the caller
    /// looked up. Throws `wrongGroup`, `wrongEpoch`, `applicationInPublicMessage`, `membershipTagInvalid` or
    /// `signatureInvalid`.
    public func unprotect(
        context: GroupContext,
        membershipKey: SecretBytes,
        signaturePublicKey: SignaturePublicKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> AuthenticatedContent {
        try unprotect(
            context: context,
            membershipKey: Optional(membershipKey),
            signaturePublicKey: signaturePublicKey,
            provider: provider
        )
    }

    /// The authenticated content of this message as a delivery service sees it (§6.2): the group, epoch and
    /// signature are checked, but not the membership tag, which needs the epoch's `membership_key` that only members
    /// hold. The signature alone proves who sent it; `unprotect(context:membershipKey:...)` also proves membership.
    public func unprotectAsObserver(
        context: GroupContext,
        signaturePublicKey: SignaturePublicKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> AuthenticatedContent {
        try unprotect(context: context, membershipKey: nil, signaturePublicKey: signaturePublicKey, provider: provider)
    }

    private func unprotect(
        context: GroupContext,
        membershipKey: SecretBytes?,
        signaturePublicKey: SignaturePublicKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> AuthenticatedContent {
        try Self.checkProtectable(content, context: context)
        // The signed structure is encoded once and serves the membership tag and the signature: a commit in a large
        // group is hundreds of kilobytes.
        let toBeSigned = try FramedContentTBS(wireFormat: .publicMessage, content: content, context: context).encoded()
        if let membershipTag, let membershipKey {
            var tagged = TLSWriter()
            tagged.writeFixed(toBeSigned)
            auth.encode(to: &tagged)
            guard ConstantTime.equals(membershipTag, provider.mac(key: membershipKey, data: tagged.bytes)) else {
                throw MLSError(.membershipTagInvalid, context: "\(content.sender)")
            }
        }
        try provider.verifyWithLabel(
            auth.signature,
            content: toBeSigned,
            label: FramedContentTBS.signatureLabel,
            publicKey: signaturePublicKey
        )
        return try AuthenticatedContent(wireFormat: .publicMessage, content: content, auth: auth)
    }

    /// Throws unless `content` belongs to the group and epoch of `context` and is not application data.
    private static func checkProtectable(_ content: FramedContent, context: GroupContext) throws(MLSError) {
        try checkGroupAndEpoch(groupID: content.groupID, epoch: content.epoch, context: context)
        guard content.contentType != .application else { throw MLSError(.applicationInPublicMessage) }
    }

    /// `MAC(membership_key, AuthenticatedContentTBM)` (§6.2).
    private static func membershipTag(
        _ content: FramedContent,
        auth: FramedContentAuthData,
        context: GroupContext,
        key: SecretBytes,
        _ provider: any CipherSuiteProvider
    ) throws(MLSError) -> [UInt8] {
        var writer = TLSWriter()
        try FramedContentTBS(wireFormat: .publicMessage, content: content, context: context).encode(to: &writer)
        auth.encode(to: &writer)
        return provider.mac(key: key, data: writer.bytes)
    }
}

/// Throws `wrongGroup` or `wrongEpoch` unless `groupID` and `epoch` are those of `context` (§6.2, §6.3).
func checkGroupAndEpoch(groupID: [UInt8], epoch: UInt64, context: GroupContext) throws(MLSError) {
    guard groupID == context.groupID else { throw MLSError(.wrongGroup) }
    guard epoch == context.epoch else {
        throw MLSError(.wrongEpoch, context: "epoch \(epoch), group is in epoch \(context.epoch)")
    }
}
