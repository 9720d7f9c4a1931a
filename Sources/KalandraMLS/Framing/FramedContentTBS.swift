/// `FramedContentTBS` (RFC 9420 §6.1): what a message's signature covers: the version, the wire format, the content
/// and, for `member` and `new_member_commit` senders, the group context of the epoch.
public struct FramedContentTBS: Sendable, Equatable {
    /// The label of `SignWithLabel` over this structure (§6.1).
    public static let signatureLabel = "FramedContentTBS"
    /// The largest `application_data` or `authenticated_data` that is signed or verified, in bytes: the decoder's
    /// default vector limit, so what is sent can be received and an encoding never exceeds what a length can say.
    public static let maximumDataCount = TLSLimits.default.maximumVectorBytes

    /// The wire format the content is sent in.
    public let wireFormat: WireFormat
    /// The content.
    public let content: FramedContent
    /// The group context: present exactly when the sender is a member or a new member committing.
    public let context: GroupContext?

    /// The structure for `content` sent in `wireFormat`. `context` is required for `member` and `new_member_commit`
    /// senders (throws without it) and ignored for the others, whose signatures do not cover it.
    public init(wireFormat: WireFormat, content: FramedContent, context: GroupContext?) throws(MLSError) {
        try Self.checkDataSizes(content)
        self.wireFormat = wireFormat
        self.content = content
        switch content.sender.senderType {
        case .member, .newMemberCommit:
            guard let context else {
                throw MLSError(
                    .invalidValue("the group context is required to sign or verify this content"),
                    context: "\(content.sender.senderType) sender"
                )
            }
            self.context = context
        case .external, .newMemberProposal:
            self.context = nil
        }
    }

    /// Throws when the content's variable-length data is larger than a receiver accepts.
    private static func checkDataSizes(_ content: FramedContent) throws(MLSError) {
        guard content.authenticatedData.count <= maximumDataCount else {
            throw MLSError(
                .lengthLimitExceeded(length: content.authenticatedData.count, limit: maximumDataCount),
                context: "authenticated data"
            )
        }
        if case .application(let data) = content.body, data.count > maximumDataCount {
            throw MLSError(
                .lengthLimitExceeded(length: data.count, limit: maximumDataCount),
                context: "application data"
            )
        }
    }

    /// Writes `mls10`, the wire format, the content and the context when there is one.
    public func encode(to writer: inout TLSWriter) {
        ProtocolVersion.mls10.encode(to: &writer)
        wireFormat.encode(to: &writer)
        content.encode(to: &writer)
        context?.encode(to: &writer)
    }

    /// The encoding.
    public func encoded() -> [UInt8] {
        var writer = TLSWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// `SignWithLabel(privateKey, "FramedContentTBS", FramedContentTBS)` (§6.1).
    public func sign(privateKey: SignaturePrivateKey, provider: any CipherSuiteProvider) throws(MLSError) -> [UInt8] {
        try provider.signWithLabel(encoded(), label: Self.signatureLabel, privateKey: privateKey)
    }

    /// Throws `signatureInvalid` unless `signature` is `publicKey`'s signature over this structure (§6.1).
    public func verify(
        signature: [UInt8],
        publicKey: SignaturePublicKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        try provider.verifyWithLabel(signature, content: encoded(), label: Self.signatureLabel, publicKey: publicKey)
    }
}
