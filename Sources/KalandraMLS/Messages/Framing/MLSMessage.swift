/// `MLSMessage` (RFC 9420 §6): the envelope of everything MLS sends: `ProtocolVersion version = mls10`, a wire format,
/// and the body it selects.
public struct MLSMessage: Sendable, Equatable, TLSCodable {
    /// The body, one case per wire format RFC 9420 defines.
    public enum Body: Sendable, Equatable {
        /// `mls_public_message`.
        case publicMessage(PublicMessage)
        /// `mls_private_message`.
        case privateMessage(PrivateMessage)
        /// `mls_welcome`.
        case welcome(Welcome)
        /// `mls_group_info`.
        case groupInfo(GroupInfo)
        /// `mls_key_package`.
        case keyPackage(KeyPackage)

        /// The wire format this body is sent in.
        public var wireFormat: WireFormat {
            switch self {
            case .publicMessage: .publicMessage
            case .privateMessage: .privateMessage
            case .welcome: .welcome
            case .groupInfo: .groupInfo
            case .keyPackage: .keyPackage
            }
        }
    }

    /// The only version an `MLSMessage` may carry: the field is fixed to `mls10` in RFC 9420.
    public static let version = ProtocolVersion.mls10

    /// The body; its case is the wire format.
    public var body: Body

    /// The wire format, which the body determines.
    public var wireFormat: WireFormat { body.wireFormat }

    /// A message carrying `body`.
    public init(_ body: Body) { self.body = body }

    /// Reads the version (which must be `mls10`), the wire format (one of the five RFC 9420 defines) and the body.
    public init(from reader: inout TLSReader) throws(MLSError) {
        let versionStart = reader.position
        let version = try ProtocolVersion(from: &reader)
        guard version == Self.version else {
            throw MLSError(.invalidValue("MLSMessage \(version), not mls10"), context: "at byte \(versionStart)")
        }
        let formatStart = reader.position
        let wireFormat = try WireFormat(from: &reader)
        switch wireFormat {
        case .publicMessage: body = .publicMessage(try PublicMessage(from: &reader))
        case .privateMessage: body = .privateMessage(try PrivateMessage(from: &reader))
        case .welcome: body = .welcome(try Welcome(from: &reader))
        case .groupInfo: body = .groupInfo(try GroupInfo(from: &reader))
        case .keyPackage: body = .keyPackage(try KeyPackage(from: &reader))
        default:
            throw MLSError(.invalidValue("unknown \(wireFormat)"), context: "at byte \(formatStart)")
        }
    }

    /// Writes the version, wire format and body.
    public func encode(to writer: inout TLSWriter) {
        Self.version.encode(to: &writer)
        wireFormat.encode(to: &writer)
        switch body {
        case .publicMessage(let message): message.encode(to: &writer)
        case .privateMessage(let message): message.encode(to: &writer)
        case .welcome(let welcome): welcome.encode(to: &writer)
        case .groupInfo(let groupInfo): groupInfo.encode(to: &writer)
        case .keyPackage(let keyPackage): keyPackage.encode(to: &writer)
        }
    }
}
