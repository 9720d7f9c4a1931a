/// `ProposalOrRef` (RFC 9420 §12.4): a proposal a commit covers, given by value or by reference.
public enum ProposalOrRef: Sendable, Equatable, TLSCodable {
    /// The proposal itself.
    case proposal(Proposal)
    /// A reference to a proposal sent earlier in the epoch.
    case reference(ProposalRef)

    /// Whether this is a value or a reference.
    public var type: ProposalOrRefType {
        switch self {
        case .proposal: .proposal
        case .reference: .reference
        }
    }

    /// Reads the type and the proposal or reference it selects.
    public init(from reader: inout TLSReader) throws(MLSError) {
        switch try ProposalOrRefType(from: &reader) {
        case .proposal: self = .proposal(try Proposal(from: &reader))
        case .reference: self = .reference(try ProposalRef(from: &reader))
        }
    }

    /// Writes the type and the proposal or reference.
    public func encode(to writer: inout TLSWriter) {
        type.encode(to: &writer)
        switch self {
        case .proposal(let proposal): proposal.encode(to: &writer)
        case .reference(let reference): reference.encode(to: &writer)
        }
    }
}
