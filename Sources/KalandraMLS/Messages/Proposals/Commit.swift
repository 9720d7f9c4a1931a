/// `struct { ProposalOrRef proposals<V>; optional<UpdatePath> path; } Commit` (RFC 9420 §12.4): the proposals to
/// apply and, when needed, the committer's new path.
public struct Commit: Sendable, Equatable, TLSCodable {
    /// The proposals covered, in the order they are applied.
    public var proposals: [ProposalOrRef]
    /// The committer's update path, if any.
    public var path: UpdatePath?

    /// A commit from its fields.
    public init(proposals: [ProposalOrRef], path: UpdatePath?) {
        self.proposals = proposals
        self.path = path
    }

    /// Reads the proposals and the optional path.
    public init(from reader: inout TLSReader) throws(MLSError) {
        proposals = try reader.readVector(of: ProposalOrRef.self)
        path = try reader.readOptional(of: UpdatePath.self)
    }

    /// Writes the proposals and the optional path.
    public func encode(to writer: inout TLSWriter) {
        writer.writeVector(proposals)
        writer.writeOptional(path)
    }
}
