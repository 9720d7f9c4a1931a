/// `Credential` (RFC 9420 §5.3): a member's identity. RFC 9420 defines the encoding of `basic` and `x509` only; a
/// credential of any other type cannot be delimited, so it is refused.
public enum Credential: Sendable, Equatable, TLSCodable {
    /// `opaque identity<V>`: an application-defined identity.
    case basic(identity: [UInt8])
    /// `Certificate certificates<V>`: the end-entity certificate first.
    case x509(certificates: [Certificate])

    /// The credential's type.
    public var credentialType: CredentialType {
        switch self {
        case .basic: .basic
        case .x509: .x509
        }
    }

    /// Reads the credential type and the value it selects.
    public init(from reader: inout TLSReader) throws(MLSError) {
        let start = reader.position
        let type = try CredentialType(from: &reader)
        switch type {
        case .basic: self = .basic(identity: try reader.readOpaque())
        case .x509: self = .x509(certificates: try reader.readVector(of: Certificate.self))
        default:
            throw MLSError(.invalidValue("unknown credential type \(type.rawValue)"), context: "at byte \(start)")
        }
    }

    /// Writes the credential type and its value.
    public func encode(to writer: inout TLSWriter) {
        credentialType.encode(to: &writer)
        switch self {
        case .basic(let identity): writer.writeOpaque(identity)
        case .x509(let certificates): writer.writeVector(certificates)
        }
    }
}
