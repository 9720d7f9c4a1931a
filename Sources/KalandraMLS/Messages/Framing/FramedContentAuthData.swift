/// `FramedContentAuthData` (RFC 9420 §6.1): the signature over a message's content and, for commits only, the
/// confirmation tag. Its encoding depends on the content type, so it is read with one.
public struct FramedContentAuthData: Sendable, Equatable {
    /// `opaque signature<V>`: `SignWithLabel(., "FramedContentTBS", FramedContentTBS)`.
    public var signature: [UInt8]
    /// `MAC confirmation_tag` (`opaque<V>`): present exactly when the content is a commit.
    public var confirmationTag: [UInt8]?

    /// Authentication data from its fields.
    public init(signature: [UInt8], confirmationTag: [UInt8]?) {
        self.signature = signature
        self.confirmationTag = confirmationTag
    }

    /// Whether the confirmation tag is present exactly when `contentType` is `commit`, as the encoding requires.
    public func isConsistent(with contentType: ContentType) -> Bool {
        (confirmationTag != nil) == (contentType == .commit)
    }

    /// Reads the signature and, when `contentType` is `commit`, the confirmation tag.
    public init(from reader: inout TLSReader, contentType: ContentType) throws(MLSError) {
        signature = try reader.readOpaque()
        confirmationTag = contentType == .commit ? try reader.readOpaque() : nil
    }

    /// Writes the signature and the confirmation tag when there is one.
    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(signature)
        if let confirmationTag { writer.writeOpaque(confirmationTag) }
    }

    /// Throws unless the confirmation tag's presence matches `contentType`.
    func requireConsistent(with contentType: ContentType) throws(MLSError) {
        guard isConsistent(with: contentType) else {
            throw MLSError(
                .invalidValue("a confirmation tag must be present exactly for commits"),
                context: "\(contentType) content"
            )
        }
    }
}
