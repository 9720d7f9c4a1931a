/// `struct { PreSharedKeyID psk; } PreSharedKey` (RFC 9420 §12.1.4): inject a pre-shared key into the next epoch.
public struct PreSharedKeyProposal: Sendable, Equatable, TLSCodable {
    /// The key to inject.
    public var psk: PreSharedKeyID

    /// A proposal to inject `psk`.
    public init(psk: PreSharedKeyID) { self.psk = psk }

    /// Reads the identifier.
    public init(from reader: inout TLSReader) throws(MLSError) { psk = try PreSharedKeyID(from: &reader) }

    /// Writes the identifier.
    public func encode(to writer: inout TLSWriter) { psk.encode(to: &writer) }
}
