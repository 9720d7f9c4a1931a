/// `struct { KeyPackage key_package; } Add` (RFC 9420 §12.1.1): add the client of `keyPackage` to the group.
public struct AddProposal: Sendable, Equatable, TLSCodable {
    /// The new member's key package.
    public var keyPackage: KeyPackage

    /// A proposal to add the client of `keyPackage`.
    public init(keyPackage: KeyPackage) { self.keyPackage = keyPackage }

    /// Reads the key package.
    public init(from reader: inout TLSReader) throws(MLSError) { keyPackage = try KeyPackage(from: &reader) }

    /// Writes the key package.
    public func encode(to writer: inout TLSWriter) { keyPackage.encode(to: &writer) }
}
