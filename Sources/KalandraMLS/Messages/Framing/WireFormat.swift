/// `uint16 WireFormat` (RFC 9420 §6, "MLS Wire Formats" registry): how an `MLSMessage` body is encoded. Any code point
/// can be represented; `MLSMessage` decodes only the five RFC 9420 defines.
public struct WireFormat: RawRepresentable, Hashable, Sendable, TLSCodable, CustomStringConvertible {
    /// The code point.
    public let rawValue: UInt16

    /// The wire format with code point `rawValue`.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `mls_public_message(1)`.
    public static let publicMessage = WireFormat(rawValue: 1)
    /// `mls_private_message(2)`.
    public static let privateMessage = WireFormat(rawValue: 2)
    /// `mls_welcome(3)`.
    public static let welcome = WireFormat(rawValue: 3)
    /// `mls_group_info(4)`.
    public static let groupInfo = WireFormat(rawValue: 4)
    /// `mls_key_package(5)`.
    public static let keyPackage = WireFormat(rawValue: 5)

    /// Reads the `uint16` code point.
    public init(from reader: inout TLSReader) throws(MLSError) { rawValue = try reader.readUInt16() }

    /// Writes the `uint16` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt16(rawValue) }

    /// The registry name for known formats, else the number.
    public var description: String {
        switch rawValue {
        case 1: "mls_public_message"
        case 2: "mls_private_message"
        case 3: "mls_welcome"
        case 4: "mls_group_info"
        case 5: "mls_key_package"
        default: "wire format \(rawValue)"
        }
    }
}
