/// `PublicMessage` (RFC 9420 §6.2): content sent signed but not encrypted. A member's message carries a membership
/// tag; other senders' messages carry none.
public struct PublicMessage: Sendable, Equatable, TLSCodable {
    /// The content.
    public let content: FramedContent
    /// Its signature and, for commits, confirmation tag.
    public let auth: FramedContentAuthData
    /// `MAC membership_tag` (`opaque<V>`): present exactly when the sender is a member.
    public let membershipTag: [UInt8]?

    /// A message from its fields; throws when the confirmation tag's presence does not match the content type or the
    /// membership tag's presence does not match the sender type.
    public init(content: FramedContent, auth: FramedContentAuthData, membershipTag: [UInt8]?) throws(MLSError) {
        try auth.requireConsistent(with: content.contentType)
        guard (membershipTag != nil) == (content.sender.senderType == .member) else {
            throw MLSError(.invalidValue("a membership tag must be present exactly for member senders"))
        }
        self.content = content
        self.auth = auth
        self.membershipTag = membershipTag
    }

    /// Reads the content, the authentication data, and the membership tag when the sender is a member.
    public init(from reader: inout TLSReader) throws(MLSError) {
        content = try FramedContent(from: &reader)
        auth = try FramedContentAuthData(from: &reader, contentType: content.contentType)
        membershipTag = content.sender.senderType == .member ? try reader.readOpaque() : nil
    }

    /// Writes the content, the authentication data and the membership tag when there is one.
    public func encode(to writer: inout TLSWriter) {
        content.encode(to: &writer)
        auth.encode(to: &writer)
        if let membershipTag { writer.writeOpaque(membershipTag) }
    }
}
