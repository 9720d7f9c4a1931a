/// `FramedContent` (RFC 9420 §6): the content of a message with the group, epoch and sender it belongs to.
public struct FramedContent: Sendable, Equatable, TLSCodable {
    /// The `select (content_type)` part of `FramedContent` and `PrivateMessageContent` (RFC 9420 §6, §6.3.1).
    public enum Body: Sendable, Equatable {
        /// `opaque application_data<V>`.
        case application([UInt8])
        /// A proposal.
        case proposal(Proposal)
        /// A commit.
        case commit(Commit)

        /// The content type this body is encoded under.
        public var contentType: ContentType {
            switch self {
            case .application: .application
            case .proposal: .proposal
            case .commit: .commit
            }
        }

        /// Reads the body that `contentType` selects (the type itself is not read here).
        public init(from reader: inout TLSReader, contentType: ContentType) throws(MLSError) {
            switch contentType {
            case .application: self = .application(try reader.readOpaque())
            case .proposal: self = .proposal(try Proposal(from: &reader))
            case .commit: self = .commit(try Commit(from: &reader))
            }
        }

        /// Writes the body, without its content type.
        public func encode(to writer: inout TLSWriter) {
            switch self {
            case .application(let data): writer.writeOpaque(data)
            case .proposal(let proposal): proposal.encode(to: &writer)
            case .commit(let commit): commit.encode(to: &writer)
            }
        }
    }

    /// `opaque group_id<V>`.
    public var groupID: [UInt8]
    /// `uint64 epoch`.
    public var epoch: UInt64
    /// Who sent the content.
    public var sender: Sender
    /// `opaque authenticated_data<V>`: application data authenticated but not encrypted.
    public var authenticatedData: [UInt8]
    /// The content; its case is the `content_type`.
    public var body: Body

    /// The `content_type`, which the body determines.
    public var contentType: ContentType { body.contentType }

    /// Content from its fields.
    public init(groupID: [UInt8], epoch: UInt64, sender: Sender, authenticatedData: [UInt8], body: Body) {
        self.groupID = groupID
        self.epoch = epoch
        self.sender = sender
        self.authenticatedData = authenticatedData
        self.body = body
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        groupID = try reader.readOpaque()
        epoch = try reader.readUInt64()
        sender = try Sender(from: &reader)
        authenticatedData = try reader.readOpaque()
        let contentType = try ContentType(from: &reader)
        body = try Body(from: &reader, contentType: contentType)
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(groupID)
        writer.writeUInt64(epoch)
        sender.encode(to: &writer)
        writer.writeOpaque(authenticatedData)
        contentType.encode(to: &writer)
        body.encode(to: &writer)
    }
}
