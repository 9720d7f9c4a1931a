/// `uint16 ExtensionType` (RFC 9420 §13, "MLS Extension Types" registry). Any code point can be carried: unknown
/// extensions are kept as opaque data.
public struct ExtensionType: RawRepresentable, Hashable, Sendable, TLSCodable {
    /// The code point.
    public let rawValue: UInt16

    /// The extension type with code point `rawValue`.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `application_id(1)` (§5.3.3).
    public static let applicationID = ExtensionType(rawValue: 1)
    /// `ratchet_tree(2)` (§12.4.3.3).
    public static let ratchetTree = ExtensionType(rawValue: 2)
    /// `required_capabilities(3)` (§11.1).
    public static let requiredCapabilities = ExtensionType(rawValue: 3)
    /// `external_pub(4)` (§12.4.3.2).
    public static let externalPub = ExtensionType(rawValue: 4)
    /// `external_senders(5)` (§12.1.8.1).
    public static let externalSenders = ExtensionType(rawValue: 5)

    /// Reads the `uint16` code point.
    public init(from reader: inout TLSReader) throws(MLSError) { rawValue = try reader.readUInt16() }

    /// Writes the `uint16` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt16(rawValue) }
}
