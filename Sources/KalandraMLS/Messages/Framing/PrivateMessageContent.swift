/// `PrivateMessageContent` (RFC 9420 §6.3.1): the plaintext of `PrivateMessage.ciphertext`: the content, its
/// authentication data, then zero padding up to the end of the plaintext. Its encoding depends on the content type,
/// which is in the enclosing `PrivateMessage`.
public struct PrivateMessageContent: Sendable, Equatable {
    /// The content; its case must be the enclosing message's content type.
    public let body: FramedContent.Body
    /// Its signature and, for commits, confirmation tag.
    public let auth: FramedContentAuthData
    /// How many zero bytes of padding follow.
    public let paddingCount: Int

    /// A plaintext from its fields; throws when the confirmation tag's presence does not match the content type or
    /// the padding count is negative.
    public init(body: FramedContent.Body, auth: FramedContentAuthData, paddingCount: Int = 0) throws(MLSError) {
        try auth.requireConsistent(with: body.contentType)
        guard paddingCount >= 0 else { throw MLSError(.invalidValue("negative padding count \(paddingCount)")) }
        self.body = body
        self.auth = auth
        self.paddingCount = paddingCount
    }

    /// Reads a whole plaintext: the body `contentType` selects, the authentication data, then padding, which is
    /// every remaining byte and must be all zeros (RFC 9420 §6.3.1: otherwise the message is malformed).
    public init(from reader: inout TLSReader, contentType: ContentType) throws(MLSError) {
        body = try FramedContent.Body(from: &reader, contentType: contentType)
        auth = try FramedContentAuthData(from: &reader, contentType: contentType)
        let paddingStart = reader.position
        let padding = try reader.readFixed(count: reader.remainingCount)
        if let offset = padding.firstIndex(where: { $0 != 0 }) {
            throw MLSError(.invalidValue("padding is not all zeros"), context: "at byte \(paddingStart + offset)")
        }
        paddingCount = padding.count
    }

    /// The plaintext `bytes` of a message whose content type is `contentType`.
    public static func decode(
        _ bytes: [UInt8],
        contentType: ContentType,
        limits: TLSLimits = .default
    ) throws(MLSError) -> PrivateMessageContent {
        var reader = TLSReader(bytes, limits: limits)
        return try PrivateMessageContent(from: &reader, contentType: contentType)
    }

    /// Writes the body, the authentication data and the padding.
    public func encode(to writer: inout TLSWriter) {
        body.encode(to: &writer)
        auth.encode(to: &writer)
        writer.writeFixed(repeatElement(0, count: paddingCount))
    }

    /// The plaintext's encoding.
    public func encoded() -> [UInt8] {
        var writer = TLSWriter()
        encode(to: &writer)
        return writer.bytes
    }
}
