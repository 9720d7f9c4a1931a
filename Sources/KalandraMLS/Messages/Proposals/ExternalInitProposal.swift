/// `struct { opaque kem_output<V>; } ExternalInit` (RFC 9420 §12.1.6): the KEM output from which an external
/// joiner and the group derive the next epoch's init secret (§8.3).
public struct ExternalInitProposal: Sendable, Equatable, TLSCodable {
    /// The KEM output, encapsulated to the group's `external_pub`.
    public var kemOutput: [UInt8]

    /// A proposal carrying `kemOutput`.
    public init(kemOutput: [UInt8]) { self.kemOutput = kemOutput }

    /// Reads `opaque kem_output<V>`.
    public init(from reader: inout TLSReader) throws(MLSError) { kemOutput = try reader.readOpaque() }

    /// Writes `opaque kem_output<V>`.
    public func encode(to writer: inout TLSWriter) { writer.writeOpaque(kemOutput) }
}
