/// `uint16 CredentialType` (RFC 9420 §5.3, "MLS Credential Types" registry). Any code point can be carried in
/// capabilities (including GREASE values, §13.5); a `Credential` decodes only the types RFC 9420 defines.
public struct CredentialType: RawRepresentable, Hashable, Sendable, TLSCodable {
    /// The code point.
    public let rawValue: UInt16

    /// The credential type with code point `rawValue`.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `basic(1)`: a bare identity.
    public static let basic = CredentialType(rawValue: 1)
    /// `x509(2)`: a chain of DER-encoded X.509 certificates.
    public static let x509 = CredentialType(rawValue: 2)

    /// Reads the `uint16` code point.
    public init(from reader: inout TLSReader) throws(MLSError) { rawValue = try reader.readUInt16() }

    /// Writes the `uint16` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt16(rawValue) }
}
