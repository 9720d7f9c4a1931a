/// `enum { member(1), external(2), new_member_proposal(3), new_member_commit(4) } SenderType` (RFC 9420 §6). The
/// type selects what follows in a `Sender`, so any other value is refused.
public enum SenderType: UInt8, Sendable, TLSCodable {
    /// A member of the group, identified by its leaf.
    case member = 1
    /// An external sender listed in the group's `external_senders` extension.
    case external = 2
    /// A new member proposing to join (an Add by reference to itself).
    case newMemberProposal = 3
    /// A new member joining through an external commit.
    case newMemberCommit = 4

    /// Reads the `uint8` code point, refusing values outside 1...4.
    public init(from reader: inout TLSReader) throws(MLSError) {
        self = try reader.readCodePoint(SenderType.self, named: "sender type")
    }

    /// Writes the `uint8` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt8(rawValue) }
}
