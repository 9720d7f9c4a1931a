/// `Proposal` (RFC 9420 §12.1): a proposed change to the group, by proposal type. RFC 9420 defines the encoding of
/// its seven types only; a proposal of any other type cannot be delimited, so it is refused.
public enum Proposal: Sendable, Equatable, TLSCodable {
    /// Add a member.
    case add(AddProposal)
    /// Replace the sender's leaf node.
    case update(UpdateProposal)
    /// Remove a member.
    case remove(RemoveProposal)
    /// Inject a pre-shared key.
    case preSharedKey(PreSharedKeyProposal)
    /// Reinitialise the group.
    case reInit(ReInitProposal)
    /// Start an external commit.
    case externalInit(ExternalInitProposal)
    /// Replace the group context's extensions.
    case groupContextExtensions(GroupContextExtensionsProposal)

    /// The proposal's type.
    public var proposalType: ProposalType {
        switch self {
        case .add: .add
        case .update: .update
        case .remove: .remove
        case .preSharedKey: .preSharedKey
        case .reInit: .reInit
        case .externalInit: .externalInit
        case .groupContextExtensions: .groupContextExtensions
        }
    }

    /// Reads the proposal type and the proposal it selects.
    public init(from reader: inout TLSReader) throws(MLSError) {
        let start = reader.position
        let type = try ProposalType(from: &reader)
        switch type {
        case .add: self = .add(try AddProposal(from: &reader))
        case .update: self = .update(try UpdateProposal(from: &reader))
        case .remove: self = .remove(try RemoveProposal(from: &reader))
        case .preSharedKey: self = .preSharedKey(try PreSharedKeyProposal(from: &reader))
        case .reInit: self = .reInit(try ReInitProposal(from: &reader))
        case .externalInit: self = .externalInit(try ExternalInitProposal(from: &reader))
        case .groupContextExtensions:
            self = .groupContextExtensions(try GroupContextExtensionsProposal(from: &reader))
        default:
            throw MLSError(.invalidValue("unknown proposal type \(type.rawValue)"), context: "at byte \(start)")
        }
    }

    /// Writes the proposal type and the proposal.
    public func encode(to writer: inout TLSWriter) {
        proposalType.encode(to: &writer)
        switch self {
        case .add(let proposal): proposal.encode(to: &writer)
        case .update(let proposal): proposal.encode(to: &writer)
        case .remove(let proposal): proposal.encode(to: &writer)
        case .preSharedKey(let proposal): proposal.encode(to: &writer)
        case .reInit(let proposal): proposal.encode(to: &writer)
        case .externalInit(let proposal): proposal.encode(to: &writer)
        case .groupContextExtensions(let proposal): proposal.encode(to: &writer)
        }
    }
}
