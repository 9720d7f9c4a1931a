/// `enum { proposal(1), reference(2) } ProposalOrRefType` (RFC 9420 §12.4). It selects what follows, so any other
/// value is refused.
public enum ProposalOrRefType: UInt8, Sendable, TLSCodable {
    /// A proposal by value.
    case proposal = 1
    /// A proposal by reference.
    case reference = 2

    /// Reads the `uint8` code point, refusing values other than 1 and 2.
    public init(from reader: inout TLSReader) throws(MLSError) {
        self = try reader.readCodePoint(ProposalOrRefType.self, named: "proposal-or-reference type")
    }

    /// Writes the `uint8` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt8(rawValue) }
}
