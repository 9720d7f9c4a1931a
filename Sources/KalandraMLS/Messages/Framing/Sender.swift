/// `Sender` (RFC 9420 §6): who sent a message, by sender type.
public enum Sender: Sendable, Equatable, TLSCodable {
    /// A member, by `uint32 leaf_index`.
    case member(LeafIndex)
    /// An external sender, by `uint32 sender_index` into the `external_senders` extension.
    case external(senderIndex: UInt32)
    /// A new member proposing its own addition.
    case newMemberProposal
    /// A new member committing its own addition (external commit).
    case newMemberCommit

    /// The sender's type.
    public var senderType: SenderType {
        switch self {
        case .member: .member
        case .external: .external
        case .newMemberProposal: .newMemberProposal
        case .newMemberCommit: .newMemberCommit
        }
    }

    /// Reads the sender type and the index it selects.
    public init(from reader: inout TLSReader) throws(MLSError) {
        switch try SenderType(from: &reader) {
        case .member: self = .member(try LeafIndex(from: &reader))
        case .external: self = .external(senderIndex: try reader.readUInt32())
        case .newMemberProposal: self = .newMemberProposal
        case .newMemberCommit: self = .newMemberCommit
        }
    }

    /// Writes the sender type and the index it selects.
    public func encode(to writer: inout TLSWriter) {
        senderType.encode(to: &writer)
        switch self {
        case .member(let leaf): leaf.encode(to: &writer)
        case .external(let senderIndex): writer.writeUInt32(senderIndex)
        case .newMemberProposal, .newMemberCommit: break
        }
    }
}
