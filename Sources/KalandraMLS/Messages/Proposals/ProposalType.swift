/// `uint16 ProposalType` (RFC 9420 §12.1, "MLS Proposal Types" registry). Any code point can be carried in
/// capabilities (including GREASE values, §13.5); a `Proposal` decodes only the types RFC 9420 defines.
public struct ProposalType: RawRepresentable, Hashable, Sendable, TLSCodable {
    /// The code point.
    public let rawValue: UInt16

    /// The proposal type with code point `rawValue`.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `add(1)`.
    public static let add = ProposalType(rawValue: 1)
    /// `update(2)`.
    public static let update = ProposalType(rawValue: 2)
    /// `remove(3)`.
    public static let remove = ProposalType(rawValue: 3)
    /// `psk(4)`.
    public static let preSharedKey = ProposalType(rawValue: 4)
    /// `reinit(5)`.
    public static let reInit = ProposalType(rawValue: 5)
    /// `external_init(6)`.
    public static let externalInit = ProposalType(rawValue: 6)
    /// `group_context_extensions(7)`.
    public static let groupContextExtensions = ProposalType(rawValue: 7)

    /// Reads the `uint16` code point.
    public init(from reader: inout TLSReader) throws(MLSError) { rawValue = try reader.readUInt16() }

    /// Writes the `uint16` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt16(rawValue) }
}
