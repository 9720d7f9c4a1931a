/// `AuthenticatedContent` (RFC 9420 §6.1): content with its wire format and authentication data, the form that
/// proposal references and transcript hashes are computed over.
public struct AuthenticatedContent: Sendable, Equatable, TLSCodable {
    /// The wire format the content was (or will be) sent in.
    public let wireFormat: WireFormat
    /// The content.
    public let content: FramedContent
    /// Its signature and, for commits, confirmation tag.
    public let auth: FramedContentAuthData

    /// Authenticated content from its fields; throws when `auth` has a confirmation tag but the content is not a
    /// commit, or lacks one for a commit.
    public init(wireFormat: WireFormat, content: FramedContent, auth: FramedContentAuthData) throws(MLSError) {
        try auth.requireConsistent(with: content.contentType)
        self.wireFormat = wireFormat
        self.content = content
        self.auth = auth
    }

    /// Reads the wire format, content and authentication data.
    public init(from reader: inout TLSReader) throws(MLSError) {
        wireFormat = try WireFormat(from: &reader)
        content = try FramedContent(from: &reader)
        auth = try FramedContentAuthData(from: &reader, contentType: content.contentType)
    }

    /// Writes the wire format, content and authentication data.
    public func encode(to writer: inout TLSWriter) {
        wireFormat.encode(to: &writer)
        content.encode(to: &writer)
        auth.encode(to: &writer)
    }
}
